"""``/api/results/{engine}``: each engine's newest stored results, by year (the results contract)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Query

from rbcity.outputs.web.api.common import (
    READ_RESPONSES,
    FmtQ,
    Limit,
    Offset,
    Page,
    ReaderDep,
    page_or_csv,
    records,
)
from rbcity.outputs.web.sources import ENGINES

router = APIRouter(tags=["results"], responses=READ_RESPONSES)

EngineName = Enum("EngineName", {k: k for k in ENGINES}, type=str)


@router.get("/engines", summary="引擎与已有年份 engines and the years they have results for")
def list_engines(reader: ReaderDep) -> list[dict[str, Any]]:
    return [{"engine": k, "name_zh": zh, "name_en": en, "years": reader.result_years(k)}
            for k, (zh, en) in ENGINES.items()]


@router.get("/results/{engine}", response_model=Page,
            summary="引擎结果 an engine's newest results (for a year)",
            responses={200: {"content": {"text/csv": {}}}, 404: {"description": "no run yet"}})
def get_results(reader: ReaderDep, engine: EngineName,
                year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
                unit: Annotated[str | None, Query(max_length=64, description="unit_id or group key")] = None,
                limit: Limit = 1000, offset: Offset = 0, fmt: FmtQ = "json"):
    """Wide rows: one per (unit_id, year), one column per result key, from the newest run of
    ``engine`` (for ``year`` when given)."""
    from rbcity.outputs.web.sources import NotFound

    name = engine.value
    if reader.latest_run(name, year) is None:
        raise NotFound(f"引擎 {name} 尚无运行结果{'' if year is None else f'（{year}年）'} "
                       f"no run of {name}{'' if year is None else f' for {year}'} yet")
    df = reader.results(name, year)
    if unit:
        df = df[df["unit_id"] == unit]
    return page_or_csv(df, limit, offset, fmt, f"results_{name}_{year or 'latest'}")


@router.get("/results/{engine}/run", summary="引擎最近一次运行 the run behind an engine's newest results",
            responses={404: {"description": "no run yet"}})
def get_results_run(reader: ReaderDep, engine: EngineName,
                    year: Annotated[int | None, Query(ge=1949, le=2100)] = None) -> dict[str, Any]:
    from rbcity.outputs.web.sources import NotFound

    run = reader.latest_run(engine.value, year)
    if run is None:
        raise NotFound(f"no run of {engine.value} yet")
    return jsonable_run(run)


def jsonable_run(run: dict) -> dict:
    import pandas as pd

    out = dict(run)
    if out.get("created_at") is not None:
        out["created_at"] = pd.Timestamp(out["created_at"]).isoformat()
    return records(pd.DataFrame([out]))[0] | {"spec": out.get("spec"), "summary": out.get("summary")}
