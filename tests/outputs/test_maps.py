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
    assert len(gj["features"]) == 369 + 2  # + 台湾省 and the 南海诸岛 inset (Apache ECharts 4.9.0)
    assert (frame["poly_code"] != "").sum() == 125  # 126 prefecture-level rows, 莱芜 merged 2019
    assert polygon_code("prefecture", "371200") == ""  # 莱芜市
    assert polygon_code("county_city", "230400") == ""  # a county-level city never fills a prefecture
    assert frame.loc[frame["name"] == "鹤岗市", "poly_code"].item() == "230400"


def test_echarts_option_by_type(frame):
    opt = echarts_map_option(frame, "type", "zh")
    assert opt["geo"]["map"] == "rbcity-prefectures" and opt["geo"]["nameProperty"] == "code"
    assert len(opt["geo"]["regions"]) == 125 + 1  # + the 南海诸岛 inset drawn in grey lines
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


def test_taiwan_and_south_china_sea_inset_are_drawn(frame):
    """Both features ship with the polygons (licence beside them), and the static map draws them:
    Taiwan's centre and the inset's frame line are not background in the PNG."""
    import io

    from PIL import Image

    from rbcity.outputs.geo import static_file

    feats = {f["properties"]["code"]: f for f in prefecture_geojson()["features"]}
    tw, nh = feats["710000"], feats["nanhai"]
    assert tw["properties"]["name"] == "台湾省" and nh["properties"]["name"] == "南海诸岛"
    main = max((poly[0] for poly in tw["geometry"]["coordinates"]), key=len)
    xs, ys = [x for x, _ in main], [y for _, y in main]
    assert 119.9 < min(xs) and max(xs) < 122.2 and 21.8 < min(ys) and max(ys) < 25.4  # Taiwan island
    every = [x for poly in tw["geometry"]["coordinates"] for x, _ in poly[0]]
    assert 119.3 < min(every) and max(every) < 125.0  # 澎湖 to 钓鱼岛/赤尾屿
    assert len(nh["geometry"]["coordinates"]) == 12  # 11 dashes and islands + the frame
    lic = static_file("geo/LICENSE-echarts").read_text(encoding="utf-8")
    assert "Apache License" in lic and "Version 2.0" in lic
    assert "echarts" in static_file("geo/SOURCE.md").read_text(encoding="utf-8")
    assert "南海诸岛" in CAPTION["zh"] and "Apache" in CAPTION["en"]
    png = Image.open(io.BytesIO(static_map_svg(frame, "type", "zh", fmt="png", dpi=100))).convert("RGB")
    fig_w, fig_h = png.size
    # axes (0.01, 0.06, 0.98, 0.86) of the figure; EXTENT with equal-aspect correction → use data
    # coordinates through matplotlib itself
    from rbcity.outputs.maps import static_map

    fig = static_map(frame, "type", "zh")
    ax = fig.axes[0]
    fig.set_dpi(100)
    fig.canvas.draw()

    def near(lon, lat, r=2):
        """The darkest pixel within r pixels of (lon, lat)."""
        x, y = ax.transData.transform((lon, lat))
        px = [png.getpixel((int(x) + dx, int(fig_h - y) + dy)) for dx in range(-r, r + 1) for dy in range(-r, r + 1)]
        return min(px, key=sum)

    assert sum(near(120.95, 23.7)) < 3 * 250  # Taiwan filled
    frame_x = 126 + 63.5 / 10.5  # the inset frame's right edge
    assert sum(near(frame_x, 22.0, r=7)) < 3 * 200  # the grey frame line (a few px of layout slack)
    assert near(129.0, 21.5, r=1) == (255, 255, 255)  # inside the inset: sea, not filled


def test_skewed_indicator_gets_quintile_classes(frame):
    from rbcity.outputs.maps import class_colors, quantile_breaks

    even = pd.Series([float(i) for i in range(1, 21)])
    assert quantile_breaks(even) is None  # symmetric: linear ramp
    skew = pd.Series([1.0] * 5 + [2.0] * 5 + [3.0] * 5 + [4.0] * 4 + [1000.0])
    assert quantile_breaks(skew) is None  # tied quantiles: classes would be empty → ramp
    vals = [float(i) for i in range(1, 20)] + [1000.0]
    b = quantile_breaks(pd.Series(vals))
    assert b[0] == 1.0 and b[-1] == 1000.0 and len(b) == 6 and b[1] == pytest.approx(4.8)  # numpy's linear quantile
    f = frame.head(20).copy()
    f["gdp"] = vals
    df = colored(f, "gdp", scheme_for("gdp", ("地区生产总值", "GDP")))
    cols = class_colors(5)
    assert df.attrs["breaks"] == b
    assert list(df["color"][:4]) == [cols[0]] * 4 and df["color"].iloc[-1] == cols[4]
    assert sum(c == cols[4] for c in df["color"]) == 4  # the top fifth, not just the outlier
    opt = echarts_map_option(f, "gdp", "zh", scheme=scheme_for("gdp", ("地区生产总值", "GDP")))
    assert opt["visualMap"]["type"] == "piecewise" and len(opt["visualMap"]["pieces"]) == 5
