"""The map of China with the 262 cities, static (matplotlib SVG/PNG) and interactive (ECharts),
drawn from the same frame with the same colours.

``frame`` is :func:`rbcity.outputs.geo.map_frame` (one row per city with lon/lat and the
polygon it fills) plus one column holding what to colour by: ``type`` (falls back to
``type_2013``), ``warning`` (levels 0..4), ``grade`` (the ten 协调 classes) or a numeric
indicator column. Values that are missing are drawn grey and counted as "无数据 / no data" in
the legend, never as zero. Every map carries :data:`rbcity.outputs.geo.CAPTION`.
"""

from __future__ import annotations

import io
from functools import lru_cache

import pandas as pd

from rbcity.errors import UserError
from rbcity.outputs.geo import CAPTION, GEO_MAP_NAME, prefecture_geojson
from rbcity.outputs.palette import MISSING_COLOR, RAMP, Scheme, scheme_for

#: Map window (lon, lat): China with Taiwan and the 南海诸岛 inset (drawn at lon 126–132°E,
#: lat 18–25°N, see scripts/build_china_extras.py).
EXTENT = (73.0, 135.5, 16.8, 54.0)
#: Polygon code of the 南海诸岛 inset and how it is drawn (lines, not a fillable region).
INSET_CODE = "nanhai"
INSET_COLOR = "#7f7f7f"
BASE_FILL = "#f0f0f0"
BASE_EDGE = "#ffffff"


class MapError(UserError):
    """A map was asked for something it cannot colour by."""


def _values(frame: pd.DataFrame, color_by: str) -> pd.Series:
    if color_by in frame.columns:
        return frame[color_by]
    if color_by == "type" and "type_2013" in frame.columns:
        return frame["type_2013"]
    raise MapError(f"地图缺少着色列 map frame has no column {color_by!r} "
                   f"(columns: {', '.join(map(str, frame.columns))})")


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == ""


#: A numeric indicator is "skewed" when its max lies more than this many times farther above the
#: median than its min lies below it; it is then coloured by quantile classes (rbcity default,
#: ours: a linear ramp would show a few dark cities and every other city pale).
SKEW_RATIO = 3.0
N_CLASSES = 5


def quantile_breaks(nums: pd.Series) -> list[float] | None:
    """Quintile class edges (min … max) for a skewed indicator, else None (linear ramp)."""
    v = nums.dropna().astype(float)
    if len(v) < 2 * N_CLASSES:
        return None
    lo, med, hi = float(v.min()), float(v.median()), float(v.max())
    if hi - med <= SKEW_RATIO * (med - lo):
        return None
    edges = [float(v.quantile(i / N_CLASSES)) for i in range(N_CLASSES + 1)]
    return edges if len(set(edges)) == len(edges) else None


def class_of(v: float, edges: list[float]) -> int:
    """Index 0…len(edges)-2 of the class holding ``v`` (upper edges inclusive)."""
    import bisect

    return min(max(bisect.bisect_left(edges, v, 1, len(edges) - 1) - 1, 0), len(edges) - 2)


def edge_label(v: float) -> str:
    """A class edge for a legend: thousands separators for large values, 4 digits otherwise."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def class_colors(n: int) -> list[str]:
    from rbcity.outputs.palette import ramp_color

    return [ramp_color(i / max(n - 1, 1), 0.0, 1.0) for i in range(n)]


def colored(frame: pd.DataFrame, color_by: str, scheme: Scheme | None = None) -> pd.DataFrame:
    """``frame`` with ``value`` and ``color`` columns for ``color_by`` (shared by both renderings);
    a skewed indicator gets quantile classes (``frame.attrs['breaks']``)."""
    scheme = scheme or scheme_for(color_by)
    vals = _values(frame, color_by)
    out = frame.copy()
    if scheme.continuous:
        nums = pd.to_numeric(vals, errors="coerce")
        lo, hi = (float(nums.min()), float(nums.max())) if nums.notna().any() else (None, None)
        out["value"] = nums
        breaks = quantile_breaks(nums)
        out.attrs["breaks"] = breaks
        if breaks:
            cols = class_colors(len(breaks) - 1)
            out["color"] = [MISSING_COLOR if pd.isna(v) else cols[class_of(float(v), breaks)] for v in nums]
        else:
            out["color"] = [MISSING_COLOR if pd.isna(v) else scheme.color_of(float(v), lo, hi) for v in nums]
    else:
        keys = [c.key for c in scheme.categories]
        norm = [None if _missing(v) else (int(v) if isinstance(keys[0], int) else v) for v in vals]
        out["value"] = norm
        out["color"] = [scheme.color_of(v) for v in norm]
    return out


def legend_entries(df: pd.DataFrame, scheme: Scheme, lang: str) -> list[tuple[str, str, int]]:
    """(label, colour, count) per category present or defined, then 'no data' when any is missing."""
    rows = []
    for c in scheme.categories:
        n = int(sum(1 for v in df["value"] if v == c.key))
        rows.append((c.label(lang), c.color, n))
    n_missing = int(sum(1 for v in df["value"] if _missing(v)))
    if n_missing:
        rows.append(("无数据" if lang == "zh" else "no data", MISSING_COLOR, n_missing))
    return rows


def _rings(geom: dict):
    for poly in geom["coordinates"]:
        if poly:
            yield poly[0]  # exterior ring; holes are negligible at this scale


@lru_cache(maxsize=1)
def _ring_arrays() -> tuple[list, list[str]]:
    """Exterior rings of every prefecture polygon as arrays, with the code of each ring."""
    import numpy as np

    polys, codes = [], []
    for f in prefecture_geojson()["features"]:
        for ring in _rings(f["geometry"]):
            polys.append(np.asarray(ring))
            codes.append(f["properties"]["code"])
    return polys, codes


def static_map(frame: pd.DataFrame, color_by: str, lang: str = "zh", title: str | None = None,
               scheme: Scheme | None = None):
    """A matplotlib Figure of the map (the caller saves it)."""
    import numpy as np
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from rbcity.outputs.fonts import use_cjk_font

    use_cjk_font()
    scheme = scheme or scheme_for(color_by)
    df = colored(frame, color_by, scheme)
    poly_color = {c: col for c, col in zip(df["poly_code"], df["color"], strict=True) if c}
    polys, codes = _ring_arrays()
    faces = [INSET_COLOR if c == INSET_CODE else poly_color.get(c, BASE_FILL) for c in codes]
    edges = [INSET_COLOR if c == INSET_CODE else BASE_EDGE for c in codes]
    fig = Figure(figsize=(8.0, 6.6))
    ax = fig.add_axes((0.01, 0.06, 0.98, 0.86))
    ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edges, linewidths=0.25))
    ax.text(129.0, 17.6, "南海诸岛" if lang == "zh" else "South China Sea Islands", ha="center", va="top",
            fontsize=6, color="#555555")
    pts = df.dropna(subset=["lon", "lat"])
    ax.scatter(pts["lon"], pts["lat"], s=np.where(pts["poly_code"] != "", 6, 12), c=list(pts["color"]),
               edgecolors="#333333", linewidths=0.3, zorder=3)
    lon0, lon1, lat0, lat1 = EXTENT
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1 / np.cos(np.radians(36)))
    ax.set_axis_off()
    fig.suptitle(title or scheme.title(lang), fontsize=13, y=0.97)
    if scheme.continuous:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import LinearSegmentedColormap, Normalize

        nums = df["value"].dropna()
        breaks = df.attrs.get("breaks")
        if breaks:
            handles = [Line2D([], [], marker="s", linestyle="", markersize=8, markerfacecolor=col,
                              markeredgecolor="#333333", markeredgewidth=0.4, label=f"{edge_label(a)} – {edge_label(b)}")
                       for col, a, b in zip(class_colors(len(breaks) - 1), breaks[:-1], breaks[1:], strict=True)]
            n_miss = int(df["value"].isna().sum())
            if n_miss:
                handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor=MISSING_COLOR,
                                      markeredgecolor="#333333", markeredgewidth=0.4,
                                      label=("无数据（%d）" if lang == "zh" else "no data (%d)") % n_miss))
            ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, framealpha=0.9,
                      title="五分位分级" if lang == "zh" else "quintile classes", title_fontsize=9)
        elif len(nums):
            cmap = LinearSegmentedColormap.from_list("rbcity", RAMP)
            sm = ScalarMappable(norm=Normalize(float(nums.min()), float(nums.max())), cmap=cmap)
            cax = fig.add_axes((0.08, 0.16, 0.02, 0.25))
            fig.colorbar(sm, cax=cax).ax.tick_params(labelsize=8)
        n_missing = int(df["value"].isna().sum())
        if n_missing and not breaks:
            ax.text(0.02, 0.02, ("无数据 " if lang == "zh" else "no data ") + str(n_missing),
                    transform=ax.transAxes, fontsize=8, color="#555555")
    else:
        handles = [Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=col,
                          markeredgecolor="#333333", markeredgewidth=0.4, label=f"{lab}（{n}）" if lang == "zh" else f"{lab} ({n})")
                   for lab, col, n in legend_entries(df, scheme, lang)]
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, framealpha=0.9,
                  title=scheme.title(lang), title_fontsize=9)
    fig.text(0.5, 0.015, CAPTION[lang], ha="center", fontsize=7, color="#555555", wrap=True)
    return fig


def static_map_svg(frame: pd.DataFrame, color_by: str, lang: str = "zh", title: str | None = None,
                   fmt: str = "svg", scheme: Scheme | None = None, dpi: int = 150) -> str | bytes:
    """The static map as SVG text (``fmt='svg'``) or PNG bytes (``fmt='png'``, at ``dpi``)."""
    if fmt not in ("svg", "png"):
        raise MapError(f"无效的地图格式 invalid map format {fmt!r}; allowed: svg, png, html")
    fig = static_map(frame, color_by, lang, title, scheme)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi if fmt == "png" else 72)
    return buf.getvalue().decode("utf-8") if fmt == "svg" else buf.getvalue()


def _num(v):
    return None if v is None or pd.isna(v) else round(float(v), 6)


def echarts_map_option(frame: pd.DataFrame, color_by: str, lang: str = "zh", title: str | None = None,
                       scheme: Scheme | None = None) -> dict:
    """An ECharts option (plain JSON-able dict) for the interactive map.

    Polygons are a ``geo`` component on the map registered as :data:`GEO_MAP_NAME` from
    :func:`rbcity.outputs.geo.prefecture_geojson` (match by ``code``); cities are scatter points,
    one series per category so the legend toggles them; a numeric indicator gets a visualMap
    with the same ramp as the static map. Draw it with ``static/js/rbcity-map.js``.
    """
    scheme = scheme or scheme_for(color_by)
    df = colored(frame, color_by, scheme)
    no_data = "无数据" if lang == "zh" else "no data"
    regions = [{"name": c, "itemStyle": {"areaColor": col}}
               for c, col in zip(df["poly_code"], df["color"], strict=True) if c]
    regions.append({"name": INSET_CODE, "itemStyle": {"areaColor": INSET_COLOR, "borderColor": INSET_COLOR}})
    lon0, lon1, lat0, lat1 = EXTENT
    option: dict = {
        "title": {"text": title or scheme.title(lang), "left": "center", "top": 4,
                  "subtext": CAPTION[lang], "subtextStyle": {"fontSize": 10}},
        "tooltip": {"trigger": "item", "formatter": "{b}"},
        "geo": {"map": GEO_MAP_NAME, "nameProperty": "code", "roam": True, "silent": True,
                "boundingCoords": [[lon0, lat1], [lon1, lat0]], "aspectScale": 0.8,
                "top": 60, "bottom": 20,
                "itemStyle": {"areaColor": BASE_FILL, "borderColor": BASE_EDGE, "borderWidth": 0.5},
                "regions": regions},
        "series": [],
    }
    pts = df.dropna(subset=["lon", "lat"])

    def item(r, shown: str) -> dict:
        return {"name": f"{r.name}（{shown}）" if lang == "zh" else f"{r.name} ({shown})",
                "value": [_num(r.lon), _num(r.lat), _num(r.value) if scheme.continuous else None],
                "unit_id": r.unit_id}

    if scheme.continuous:
        nums = pts["value"].dropna()
        option["series"].append({
            "name": scheme.title(lang), "type": "scatter", "coordinateSystem": "geo", "symbolSize": 7,
            "data": [item(r, f"{r.value:.4g}") for r in pts.itertuples() if pd.notna(r.value)]})
        option["series"].append({
            "name": no_data, "type": "scatter", "coordinateSystem": "geo", "symbolSize": 5,
            "itemStyle": {"color": MISSING_COLOR},
            "data": [item(r, no_data) for r in pts.itertuples() if pd.isna(r.value)]})
        breaks = df.attrs.get("breaks")
        if breaks:
            option["visualMap"] = {"type": "piecewise", "dimension": 2, "seriesIndex": 0, "left": 10, "bottom": 20,
                                   "pieces": [{"gte": a, "lte": b, "color": col, "label": f"{edge_label(a)} – {edge_label(b)}"}
                                              for col, a, b in zip(class_colors(len(breaks) - 1), breaks[:-1],
                                                                   breaks[1:], strict=True)],
                                   "text": [scheme.title(lang), ""]}
        elif len(nums):
            option["visualMap"] = {"type": "continuous", "min": float(nums.min()), "max": float(nums.max()),
                                   "dimension": 2, "seriesIndex": 0, "calculable": True,
                                   "inRange": {"color": RAMP}, "left": 10, "bottom": 20,
                                   "text": [scheme.title(lang), ""]}
        option["legend"] = {"data": [no_data], "left": 10, "top": 60, "orient": "vertical"}
        return option
    labels = []
    for c in scheme.categories:
        sub = [r for r in pts.itertuples() if r.value == c.key]
        lab = c.label(lang)
        labels.append(lab)
        option["series"].append({"name": lab, "type": "scatter", "coordinateSystem": "geo",
                                 "symbolSize": 7, "itemStyle": {"color": c.color, "borderColor": "#333",
                                                                "borderWidth": 0.4},
                                 "data": [item(r, lab) for r in sub]})
    miss = [r for r in pts.itertuples() if _missing(r.value)]
    if miss:
        labels.append(no_data)
        option["series"].append({"name": no_data, "type": "scatter", "coordinateSystem": "geo",
                                 "symbolSize": 5, "itemStyle": {"color": MISSING_COLOR},
                                 "data": [item(r, no_data) for r in miss]})
    option["legend"] = {"data": labels, "orient": "vertical", "left": 10, "bottom": 20}
    return option


def echarts_map_html(frame: pd.DataFrame, color_by: str, lang: str = "zh", title: str | None = None,
                     scheme: Scheme | None = None) -> str:
    """A self-contained HTML page with the interactive map (ECharts and polygons inlined)."""
    from rbcity.outputs.geo import prefecture_geojson_text
    from rbcity.outputs.report.render import echarts_js, environment, json_for_script, rbcity_js

    scheme = scheme or scheme_for(color_by)
    option = echarts_map_option(frame, color_by, lang, title, scheme)
    return environment().get_template("report/map.html.j2").render(
        lang=lang, title=title or scheme.title(lang), echarts_js=echarts_js(), rbcity_js=rbcity_js(),
        geojson=prefecture_geojson_text(), option=json_for_script(option))
