"""Map data and the two renderings: same colours, right counts, the caption, no-data ≠ zero."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from rbcity.outputs.geo import CAPTION, map_frame, polygon_code, prefecture_geojson
from rbcity.outputs.maps import MapError, colored, echarts_map_option, static_map_svg
from rbcity.outputs.palette import MISSING_COLOR, RAMP, TYPE_COLORS, ramp_color, scheme_for


@pytest.fixture(scope="module")
def frame(registry_engine):
    return map_frame(registry_engine)


def test_polygons_shipped_and_matched(frame):
    gj = prefecture_geojson()
    assert len(gj["features"]) == 369
    assert (frame["poly_code"] != "").sum() == 125  # 126 prefecture-level rows, 莱芜 merged 2019
    assert polygon_code("prefecture", "371200") == ""  # 莱芜市
    assert polygon_code("county_city", "230400") == ""  # a county-level city never fills a prefecture
    assert frame.loc[frame["name"] == "鹤岗市", "poly_code"].item() == "230400"


def test_echarts_option_by_type(frame):
    opt = echarts_map_option(frame, "type", "zh")
    assert opt["geo"]["map"] == "rbcity-prefectures" and opt["geo"]["nameProperty"] == "code"
    assert len(opt["geo"]["regions"]) == 125
    sizes = {s["name"]: len(s["data"]) for s in opt["series"]}
    # 万盛经济开发区 (declining) has no coordinates, so 261 points: 31+141+66+23
    assert sizes == {"成长型": 31, "成熟型": 141, "衰退型": 66, "再生型": 23}
    assert opt["legend"]["data"] == ["成长型", "成熟型", "衰退型", "再生型"]
    hegang = next(r for r in opt["geo"]["regions"] if r["name"] == "230400")
    assert hegang["itemStyle"]["areaColor"] == TYPE_COLORS["declining"]
    assert opt["title"]["subtext"] == CAPTION["zh"] and "示意图，非标准地图" in CAPTION["zh"]
    assert echarts_map_option(frame, "type", "en")["legend"]["data"][0] == "growth"


def test_continuous_indicator_missing_is_grey_not_zero(frame):
    f = frame.copy()
    f["x"] = float("nan")
    f.loc[f["name"] == "鹤岗市", "x"] = 10.0
    f.loc[f["name"] == "大同市", "x"] = 30.0
    df = colored(f, "x")
    assert df.loc[df["name"] == "鹤岗市", "color"].item() == RAMP[0]
    assert df.loc[df["name"] == "大同市", "color"].item() == RAMP[-1]
    assert (df["color"] == MISSING_COLOR).sum() == 260
    opt = echarts_map_option(f, "x", "zh")
    assert opt["visualMap"]["min"] == 10.0 and opt["visualMap"]["max"] == 30.0
    assert len(opt["series"][0]["data"]) == 2 and opt["series"][1]["name"] == "无数据"


def test_ramp_and_warning_scheme():
    assert ramp_color(5, 5, 9) == RAMP[0] and ramp_color(9, 5, 9) == RAMP[-1]
    assert ramp_color(7, 5, 9) == RAMP[2]  # midpoint of a 5-colour ramp
    sc = scheme_for("warning")
    assert [c.zh for c in sc.categories] == ["无警", "轻警", "中警", "重警", "巨警"]
    assert sc.color_of(math.nan) == MISSING_COLOR


def test_static_map_svg_and_png(frame):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph warns: fail on it
        svg = static_map_svg(frame, "type", "zh")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.count("<path") > 300
    png = static_map_svg(frame, "type", "zh", fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    with pytest.raises(MapError):
        static_map_svg(frame, "type", fmt="gif")
    with pytest.raises(MapError):
        echarts_map_option(pd.DataFrame({"unit_id": []}), "nonexistent")


def test_map_layers_from_store(fx_engine, registry_engine):
    from rbcity.outputs.map_layers import map_layer

    w = map_layer(fx_engine, "warning", 2020)
    got = dict(zip(w.frame["name"], w.frame["warning"], strict=True))
    assert got["鹤岗市"] == 3 and got["唐山市"] == 0 and pd.isna(got["张家口市"]) and w.note == ""
    g = map_layer(fx_engine, "gdp_per_capita", 2020)
    vals = dict(zip(g.frame["name"], g.frame["gdp_per_capita"], strict=True))
    assert vals["大庆市"] == 110000 and pd.isna(vals["唐山市"]) and g.scheme.title("zh") == "人均地区生产总值（元，2020年）"
    none = map_layer(registry_engine, "grade", 2020)
    assert "未计算" in none.note and none.frame["grade"].isna().all()
    with pytest.raises(MapError, match="unknown --by"):
        map_layer(fx_engine, "nope", 2020)
