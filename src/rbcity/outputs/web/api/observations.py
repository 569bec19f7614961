"""``/api/indicators``, ``/api/observations`` (long or wide, JSON or CSV) and ``/api/coverage``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query

from rbcity.outputs.web.api.common import FmtQ, Limit, Offset, Page, ReaderDep, page_or_csv
from rbcity.outputs.web.sources import Reader

router = APIRouter(tags=["observations"])


class Shape(StrEnum):
    long = "long"
    wide = "wide"


Year = Annotated[int | None, Query(ge=1949, le=2100)]


def resolve_units(reader: Reader, cities: list[str]) -> tuple[str, ...]:
    """Each ``city`` value (name or code of any unit: the 262 and the control units) → unit_id;
    an unknown or ambiguous one → 422 naming ``city``."""
    from rbcity.outputs.web.errors import FieldError
    from rbcity.registry.resolve import ResolveError

    out = []
    for c in cities:
        try:
            out.append(reader.resolve_any(c).unit_id)
        except ResolveError as exc:
            raise FieldError("city", str(exc)) from None
    return tuple(dict.fromkeys(out))


def check_indicators(reader: Reader, ids: list[str]) -> tuple[str, ...]:
    from rbcity.outputs.web.errors import FieldError

    known = set(reader.indicators()["indicator_id"])
    bad = [i for i in ids if i not in known]
    if bad:
        raise FieldError("indicator", f"未知的指标 unknown indicator(s): {', '.join(bad)}")
    return tuple(dict.fromkeys(ids))


@router.get("/indicators", response_model=Page, summary="指标目录 the indicator catalogue",
            responses={200: {"content": {"text/csv": {}}}})
def list_indicators(reader: ReaderDep, limit: Limit = 1000, offset: Offset = 0, fmt: FmtQ = "json"):
    return page_or_csv(reader.indicators(), limit, offset, fmt, "indicators")


@router.get("/observations", response_model=Page, summary="观测值 observations, long or wide",
            responses={200: {"content": {"text/csv": {}}}, 422: {"description": "bad parameter"}})
def list_observations(reader: ReaderDep,
                      city: Annotated[list[str], Query(max_length=64, description="name or code; repeat for several")] = [],  # noqa: B006
                      indicator: Annotated[list[str], Query(max_length=64, description="indicator_id; repeat for several")] = [],  # noqa: B006
                      year_from: Year = None, year_to: Year = None, shape: Shape = Shape.long,
                      limit: Limit = 1000, offset: Offset = 0, fmt: FmtQ = "json"):
    """Long rows ``unit_id, year, indicator_id, value, unit, source, revision`` or wide (one row
    per city-year, one column per indicator)."""
    from rbcity.outputs.web.errors import FieldError

    if year_from is not None and year_to is not None and year_from > year_to:
        raise FieldError("year_from", f"year_from {year_from} > year_to {year_to}")
    units = resolve_units(reader, city)
    inds = check_indicators(reader, indicator)
    long = reader.observations(units, inds, year_from, year_to)
    df = reader.wide(long) if shape == Shape.wide else long
    return page_or_csv(df, limit, offset, fmt, f"observations_{shape.value}")


@router.get("/coverage", response_model=Page, summary="数据覆盖 data coverage by indicator and year",
            responses={200: {"content": {"text/csv": {}}}})
def get_coverage(reader: ReaderDep, limit: Limit = 1000, offset: Offset = 0, fmt: FmtQ = "json"):
    return page_or_csv(reader.coverage(), limit, offset, fmt, "coverage")
