"""The overview page: counts of the registry and the national map coloured by type, class, warning or grade."""

from __future__ import annotations

import json

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rbcity.outputs.web.pages.common import (
    Lang,
    read_page_cached,
    engine_results,
    reader_of,
    render,
)
from rbcity.outputs.web.sources import Reader

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)

    def make():
        ctx = reader.cached(("page", "overview", lang), lambda: _overview_ctx(reader, lang))
        return render(request, "overview.html", "overview", **ctx)
    return read_page_cached(request, make)


def _latest_by_unit(df: pd.DataFrame, column: str) -> pd.Series:
    """The newest year's ``column`` per unit_id of a wide results frame (empty when absent)."""
    if df.empty or column not in df:
        return pd.Series(dtype=object)
    return df.sort_values("year").groupby("unit_id")[column].last()


def _overview_ctx(reader: Reader, lang: str) -> dict:
    """Counts and one ECharts map option per colouring (report's ``echarts_map_option``)."""
    from rbcity.outputs.geo import CAPTION, map_frame
    from rbcity.outputs.maps import echarts_map_option
    from rbcity.registry.labels import LEVELS, TYPES, label

    df = reader.cities()
    frame = reader.cached(("map_frame",), lambda: map_frame(reader.engine))
    layers = ["type"]
    cls = _latest_by_unit(engine_results(reader, "classify", None)[0], "type")
    if not cls.empty:
        frame = frame.assign(classify_type=frame["unit_id"].map(cls).replace("", None))
        layers.append("classify_type")
    warn = _latest_by_unit(engine_results(reader, "warning", None)[0], "level")
    if not warn.empty:
        frame = frame.assign(warning=frame["unit_id"].map(warn).astype("Int64").astype(object)
                             .where(frame["unit_id"].map(warn).notna(), None))
        layers.append("warning")
    grade = _latest_by_unit(engine_results(reader, "coordination", None)[0], "grade")
    if not grade.empty:
        frame = frame.assign(grade=frame["unit_id"].map(grade))
        layers.append("grade")
    options = {k: echarts_map_option(frame, k, lang) for k in layers}
    by_type = [(label(TYPES, k, lang), int((df["type_2013"] == k).sum())) for k in TYPES]
    by_level = [(label(LEVELS, k, lang), int((df["level"] == k).sum())) for k in LEVELS]
    layer_names = {"type": "by_type", "classify_type": "by_class", "warning": "by_warning", "grade": "by_grade"}
    n_no_coords = int((df["lon"].isna() | df["lat"].isna()).sum())
    return {"n": len(df), "n_exhausted": int(df["exhausted_batch"].notna().sum()),
            "by_type": by_type, "by_level": by_level, "n_no_coords": n_no_coords,
            "caption": CAPTION[lang], "layer_names": [(k, layer_names[k]) for k in layers],
            "map_json": json.dumps(options, ensure_ascii=False).replace("</", "<\\/")}

