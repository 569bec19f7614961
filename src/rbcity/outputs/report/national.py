"""The national report (全国资源型城市可持续发展年度报告): HTML (self-contained, interactive
maps) or PDF (A4, static maps), both rendered from one :class:`ReportData`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from rbcity.outputs import charts
from rbcity.outputs.palette import (
    COORDINATION_GRADES,
    TARGET_STATUS,
    WARNING_LEVELS,
    scheme_for,
)
from rbcity.outputs.report.context import ReportData, build_report_data
from rbcity.outputs.report.render import common_globals, environment, json_for_script, png_b64

#: Section ids in order, with zh/en titles (tests check every one is present).
SECTIONS: list[tuple[str, str, str]] = [
    ("sec-summary", "执行摘要", "Executive summary"),
    ("sec-registry", "名单概况", "The registry at a glance"),
    ("sec-classification", "综合分类与动态调整", "Classification and transitions since 2013"),
    ("sec-targets", "规划目标实现情况", "Target attainment"),
    ("sec-warning", "预警", "Early-warning levels"),
    ("sec-coordination", "耦合协调评价", "Coordination grades"),
    ("sec-exhausted", "资源枯竭城市年度绩效考核排名", "Annual ranking of resource-exhausted cities"),
    ("sec-identify", "资源型城市界定", "Identification of resource-based cities"),
    ("sec-coverage", "未能计算的内容与数据覆盖", "What could not be computed, and data coverage"),
    ("sec-quality", "数据质量检查", "Data-quality checks"),
    ("sec-methods", "方法参数", "Method parameters used"),
    ("sec-attribution", "数据来源与许可", "Data attributions"),
]

#: The maps of the report: element id → (frame column, scheme key).
MAPS: dict[str, tuple[str, str]] = {
    "map-type": ("type_2013", "type"),
    "map-classify": ("classify_type", "classify_type"),
    "map-warning": ("warning", "warning"),
    "map-grade": ("grade", "grade"),
}


#: Resolution of the PDF's map images: sharp at A4 width (≈ 17 cm), and keeps the PDF fast.
PDF_MAP_DPI = 110


def report_title(year, lang: str) -> str:
    y = year if year is not None else ""
    return (f"全国资源型城市可持续发展评估报告（{y}年）" if lang == "zh"
            else f"Sustainable development of China's resource-based cities: national report {y}")


def _charts(d: ReportData, fmt: str = "svg") -> dict[str, str]:
    """The report's charts as HTML fragments: inline SVG (HTML) or PNG <img> (``fmt='png'``, PDF)."""
    out = _chart_objects(d, fmt)
    return {k: (v if isinstance(v, str) else img_tag(v)) for k, v in out.items()}


def img_tag(png: bytes) -> str:
    return f'<img class="chart-img" alt="" src="data:image/png;base64,{png_b64(png)}">'


def _chart_objects(d: ReportData, fmt: str) -> dict[str, str | bytes]:
    from functools import partial
    from types import SimpleNamespace

    C = SimpleNamespace(**{f: partial(getattr(charts, f), output=fmt) for f in (  # noqa: N806
        "bar_chart", "stacked_bar_chart", "progress_chart", "sweep_chart")})
    t, lang = d.t, d.lang
    i = 0 if lang == "zh" else 1
    out: dict[str, str] = {}
    g = d.glance
    stacks = {r["level"]: [r[k] for k in g["type_keys"]] for r in g["level_type"]}
    from rbcity.registry.labels import LEVELS

    lv_colors = dict(zip([v[i] for v in LEVELS.values()], ["#1f4e79", "#5b9bd5", "#a9c8e8", "#d9d9d9"], strict=True))
    out["level_type"] = C.stacked_bar_chart(g["type_keys"], stacks, lv_colors,
                                                 t("各类型城市数（按级别）", "Cities by type and level"), height=2.6)
    provs = g["provinces"]
    out["provinces"] = C.bar_chart([p for p, _ in provs], [n for _, n in provs],
                                        t("各省资源型城市数", "Resource-based cities by province"), height=3.0,
                                        width=7.0)
    tg = d.targets
    if tg.get("computed") and tg["any_value"]:
        col = {k: c for k, _, _, c in TARGET_STATUS}
        out["targets"] = C.progress_chart(
            [(r["name"], r["baseline"], r["value"], r["target"], col.get(r["status"], "#999")) for r in tg["national"]],
            t("全国目标进度", "National progress to target"),
            labels=("基期", "现值", "目标") if lang == "zh" else ("baseline", "value", "target"))
    else:
        out["targets"] = ""
    w = d.warning
    if w.get("computed") and w["n"]:
        out["warning"] = C.bar_chart([lv[1 + i] for lv in WARNING_LEVELS], [w["counts"][lv[0]] for lv in WARNING_LEVELS],
                                          t("各预警等级城市数", "Cities by warning level"),
                                          colors=[lv[3] for lv in WARNING_LEVELS], height=2.4)
    co = d.coordination
    if co.get("computed") and co["n"]:
        out["coordination"] = C.bar_chart([g_[i] for g_ in COORDINATION_GRADES],
                                               [co["counts"][g_[0]] for g_ in COORDINATION_GRADES],
                                               t("各协调等级城市数", "Cities by coordination grade"),
                                               colors=[g_[2] for g_ in COORDINATION_GRADES], height=2.8)
    ex = d.exhausted
    if ex.get("computed") and ex["n"]:
        rows = [r for r in ex["rows"] if r["score"] is not None]
        out["exhausted"] = C.bar_chart([r["name"] for r in rows], [r["score"] for r in rows],
                                            t("资源枯竭城市绩效得分", "Assessment scores"), horizontal=True,
                                            height=0.6 + 0.22 * max(1, len(rows)), fmt="{:.1f}")
    idf = d.identify
    out["sweep"] = (C.sweep_chart(idf["sweep"], idf["threshold"], t("阈值扫描", "Threshold sweep"),
                                       xlabel=t("采矿业从业占比阈值（%）", "mining employment share threshold (%)"))
                    if idf.get("computed") and idf["sweep"] else "")
    return out


def _scheme(key: str, lang: str):
    return scheme_for(key)


#: Which engine's run each map shows (None: the registry).
MAP_ENGINE = {"map-type": None, "map-classify": "classify", "map-warning": "warning", "map-grade": "coordination"}


def _map_title(d: ReportData, mid: str, key: str) -> str:
    """The scheme's title with the year of the run shown (the report year or an earlier one)."""
    base = _scheme(key, d.lang).title(d.lang)
    eng = MAP_ENGINE[mid]
    y = d.results[eng].year if eng else None
    if y is None:
        return base
    return f"{base}（{y}年）" if d.lang == "zh" else f"{base} ({y})"


def map_options(d: ReportData) -> dict[str, dict]:
    """ECharts options of the report's maps (element id → option)."""
    from rbcity.outputs.maps import echarts_map_option

    return {mid: echarts_map_option(d.map_frame, col, d.lang, _map_title(d, mid, key), scheme=_scheme(key, d.lang))
            for mid, (col, key) in MAPS.items() if _map_wanted(d, mid)}


def _map_wanted(d: ReportData, mid: str) -> bool:
    return {"map-type": True, "map-classify": d.classify.get("computed", False),
            "map-warning": bool(d.warning.get("computed") and d.warning["n"]),
            "map-grade": bool(d.coordination.get("computed") and d.coordination["n"])}[mid]


def static_maps(d: ReportData) -> dict[str, str]:
    """Base64 PNGs of the report's maps for the PDF (keys: scheme keys)."""
    from rbcity.outputs.maps import static_map_svg

    out = {k: "" for _, k in MAPS.values()}
    for mid, (col, key) in MAPS.items():
        if _map_wanted(d, mid):
            out[key] = png_b64(static_map_svg(d.map_frame, col, d.lang, _map_title(d, mid, key), fmt="png",
                                                  scheme=_scheme(key, d.lang), dpi=PDF_MAP_DPI))
    return out


def render_national(d: ReportData, mode: str = "html") -> str:
    """The national report as HTML text; ``mode='pdf'`` swaps interactive maps for PNGs."""
    names = {i: r["name_zh"] if d.lang == "zh" else r["name_en"] for i, r in d.indicator_catalogue.iterrows()}
    g = common_globals(d.lang, mode, names)
    if mode == "html":
        g["map_options"] = json_for_script(map_options(d))
        maps_png = {k: "" for _, k in MAPS.values()}
    else:
        maps_png = static_maps(d)
    title = report_title(d.year, d.lang)
    from rbcity.outputs.report.headlines import headlines

    return environment().get_template("report/national.html.j2").render(
        headlines=headlines(d, g["status_label"]),
        **g, d=d, g=d.glance, c=d.classify, tg=d.targets, w=d.warning, co=d.coordination, ex=d.exhausted,
        idf=d.identify, cv=d.coverage, charts=_charts(d, "svg" if mode == "html" else "png"),
        static_maps=maps_png,
        toc=[(sid, zh if d.lang == "zh" else en) for sid, zh, en in SECTIONS],
        doc_title=title, running_head=title, version=d.version)


def default_report_path(engine: Engine, name: str) -> Path:
    """Where a report goes without --output: next to a SQLite store, else the current directory."""
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    base = Path(db).resolve().parent / "reports" if db and db != ":memory:" else Path.cwd()
    base.mkdir(parents=True, exist_ok=True)
    return base / name


def write_national_report(engine: Engine, year: int | None = None, lang: str = "zh", fmt: str = "html",
                          output: str | Path | None = None,
                          not_computed: list[tuple[str, str, str]] | None = None) -> Path:
    """Build, render and write the national report; returns the file written.

    ``not_computed`` (from :func:`rbcity.plan.assess.assess`) gives exact per-city reasons.
    """
    from rbcity.outputs.report.pdf import check_format, write_document

    check_format(fmt)
    d = build_report_data(engine, year, lang, not_computed)
    path = Path(output) if output else default_report_path(
        engine, f"rbcity-report-{d.year if d.year is not None else 'registry'}-{lang}.{fmt}")
    if d.gaps:
        from rbcity.outputs.report.gaps import write_gaps_csv

        csv_path = path.with_name(f"{path.stem}-not-computed.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_gaps_csv(d.gaps, csv_path, lang)
        d.gaps_csv = csv_path.name
    return write_document(render_national(d, "html" if fmt == "html" else "pdf"), path, fmt)


__all__ = ["SECTIONS", "render_national", "write_national_report", "map_options", "report_title"]
