"""The city profile (城市概况): one city's identity and code history, its type and why,
indicator trends against its province's and its type's registry cities, warnings with reasons
and top obstacles, coordination, target progress and (for a resource-exhausted city) its
assessment — one or two A4 pages, HTML or PDF from one :class:`ProfileData`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from rbcity.outputs.report.context import (
    NotComputed,
    _json_list,
    _not_computed,
    _num,
    _text,
    indicators,
    lang_part,
    latest_data_year,
    local_time,
    localise_cities,
    observations,
)
from rbcity.outputs.report.results import EngineResult, all_results
from rbcity.outputs.terms import strip_zh, unit_en
from rbcity.plan.validity import card_of, decision_wording_allowed, verdict_label
from rbcity.registry.labels import LEVELS, TYPES, VERIFICATION, label, province_label

#: At most this many indicator trend charts (the profile stays within two pages); the
#: indicators with the most years of data for the city are shown.
MAX_TRENDS = 4

PROFILE_SECTIONS: list[tuple[str, str, str]] = [
    ("sec-identity", "基本信息与代码沿革", "Identity and code history"),
    ("sec-type", "城市类型及依据", "Type and why"),
    ("sec-trends", "指标走势（与本省、同类型资源型城市平均比较）", "Indicator trends vs province and type averages"),
    ("sec-warning", "预警与主要障碍因子", "Warnings, reasons and top obstacles"),
    ("sec-targets", "目标进度", "Target progress"),
]


@dataclass
class ProfileData:
    unit_id: str
    lang: str
    year: int | None
    generated_at: str
    version: str
    identity: dict
    history: list[dict]
    classify: dict
    trends: list[dict]
    warning: dict
    coordination: dict
    targets: list[dict]
    exhausted: dict
    not_computed: list[NotComputed]
    indicator_names: dict[str, str]
    #: engine → year of the run shown (an engine whose data end earlier shows its last year)
    run_years: dict[str, int | None]

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def year_note(self, engine: str) -> str:
        """'' or '（2012年结果）' when the engine's run shown is of an earlier year."""
        y = self.run_years.get(engine)
        if y is None or self.year is None or y >= self.year:
            return ""
        return self.t(f"（{y}年结果）", f" ({y} results)")


def _row(res: EngineResult, uid: str) -> dict | None:
    if not res.computed or res.frame.empty:
        return None
    sub = res.frame[res.frame["unit_id"] == uid]
    return None if sub.empty else sub.iloc[-1].to_dict()


def _trends(engine: Engine, cities: pd.DataFrame, me: pd.Series, lang: str) -> list[dict]:
    """Per indicator: the city's series and the mean of the registry cities of its province and
    of its 2013 type (descriptive averages of stored observations, each with its n, computed by
    :func:`rbcity.data.panel.group_means`)."""
    from rbcity.data.panel import group_means

    prov_ids = list(cities.loc[cities["province"] == me["province"], "unit_id"])
    type_ids = list(cities.loc[cities["type_2013"] == me["type_2013"], "unit_id"])
    obs = observations(engine, sorted(set(prov_ids) | set(type_ids)))
    mine = obs[obs["unit_id"] == me["unit_id"]]
    if mine.empty:
        return []
    cat = indicators(engine)
    out = []
    sources = {k: strip_zh(v).replace("；", "; ") if lang != "zh" else v
               for k, v in _obs_sources(engine, me["unit_id"]).items()}
    n_years = mine.groupby("indicator_id")["year"].nunique()
    chosen = sorted(n_years.index, key=lambda k: (-int(n_years[k]), k))[:MAX_TRENDS]
    for ind in chosen:
        o = obs[obs["indicator_id"] == ind]
        years = sorted(o["year"].unique())
        city = mine[mine["indicator_id"] == ind].set_index("year")["value"]
        prov = group_means(o, ind, prov_ids)
        typ = group_means(o, ind, type_ids)
        name = ind
        unit = ""
        if ind in cat.index:
            name = cat.loc[ind, "name_zh" if lang == "zh" else "name_en"]
            unit = unit_en(cat.loc[ind, "unit"], lang)
        out.append({"indicator_id": ind, "name": name, "unit": unit, "years": [int(y) for y in years],
                    "source": sources.get(ind, ""),
                    "city": [_num(city.get(y)) for y in years],
                    "province": [_num(prov["mean"].get(y)) for y in years],
                    "province_n": int(prov["count"].max()) if len(prov) else 0,
                    "type": [_num(typ["mean"].get(y)) for y in years],
                    "type_n": int(typ["count"].max()) if len(typ) else 0})
    return out


def _en(names, lang: str) -> str:
    """Chinese place names (one, or several joined by ; or 、) in pinyin for English."""
    import re

    from rbcity.registry.pinyin import name_en

    if not names or lang == "zh":
        return names or ""
    return re.sub(r"[\u4e00-\u9fff]+", lambda m: name_en(m.group(0)), str(names))


def registry_source(grade: str, lang: str) -> str:
    """Where the city's registry row comes from, for a reader: the plan's appendix, rebuilt,
    with its verification grade (no internal file paths)."""
    g = label(VERIFICATION, grade, lang) or "—"
    return (f"国发〔2013〕45号《全国资源型城市可持续发展规划》附件（名单据公开资料重建；核实等级：{g}）" if lang == "zh"
            else f"Appendix of the State Council plan Guofa [2013] No. 45 (list rebuilt from public sources; "
                 f"verification grade: {g})")


def _obs_sources(engine: Engine, unit_id: str) -> dict[str, str]:
    """indicator_id → the import sources of the city's observations of it (oldest first)."""
    from sqlalchemy import select

    from rbcity.data import schema as s

    q = (select(s.observation.c.indicator_id, s.observation.c.year, s.import_batch.c.source)
         .join(s.import_batch, s.import_batch.c.id == s.observation.c.batch_id, isouter=True)
         .where(s.observation.c.unit_id == unit_id))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    out: dict[str, list[str]] = {}
    for ind, _year, src in sorted(rows, key=lambda r: r[1]):
        if src and src not in out.setdefault(ind, []):
            out[ind].append(src)
    return {k: "；".join(v) for k, v in out.items()}


def build_profile_data(engine: Engine, unit_id: str, year: int | None = None, lang: str = "zh") -> ProfileData:
    from rbcity import __version__
    from rbcity.data.cities import cities_frame, code_history_frame

    i = 0 if lang == "zh" else 1
    if year is None:
        year = latest_data_year(engine)
    cities = localise_cities(cities_frame(engine), lang)
    me = cities.set_index("unit_id", drop=False).loc[unit_id]
    hist = code_history_frame(engine, unit_id)
    batch = me["exhausted_batch"]
    identity = {
        "name": me["name"], "province": province_label(me["province"], lang),
        "level": label(LEVELS, me["level"], lang), "parent": _en(me["parent"], lang) or "—",
        "type_2013": label(TYPES, me["type_2013"], lang),
        "exhausted_batch": None if pd.isna(batch) else int(batch),
        "admin_code_2013": me["admin_code_2013"] or "—", "admin_codes_now": me["admin_codes_now"] or "—",
        "names_now": _en(me["names_now"], lang) or "—", "verification": label(VERIFICATION, me["verification"], lang),
        "lon": _num(me["lon"]), "lat": _num(me["lat"]), "source": registry_source(me["verification"], lang),
        "note": me["note"],
    }
    history = [{"code": r.code or "—", "name": _en(r.name, lang),
                "from": "" if pd.isna(r.valid_from) else int(r.valid_from),
                "to": "" if pd.isna(r.valid_to) else int(r.valid_to),
                "event": strip_zh(r.event or "") if lang != "zh" else r.event}
               for r in hist.itertuples()]
    results = all_results(engine, year)
    cl = _row(results["classify"], unit_id)
    card = card_of(results["classify"].run)
    # a type that differs from 2013 is worded as a re-classification only with a valid card
    classify = {"computed": bool(cl) and _text(cl.get("type")) != "",
                "decision": decision_wording_allowed(card),
                "verdict": card.label(lang) if card else verdict_label("indicative", lang)}
    if cl:
        classify.update(type=TYPES.get(_text(cl.get("type")), ("", ""))[i] or _text(cl.get("type")),
                        type_2013=TYPES.get(_text(cl.get("type_2013")) or me["type_2013"], ("", ""))[i],
                        moved=_num(cl.get("moved")) == 1, reason=lang_part(_text(cl.get("reason")), lang),
                        resource=_num(cl.get("resource_score")), development=_num(cl.get("development_score")))
    wr = _row(results["warning"], unit_id)
    warning = {"computed": wr is not None and _num(wr.get("level")) is not None}
    if warning["computed"]:
        warning.update(level=int(_num(wr["level"])), label=_text(wr.get("level_label")), color=_text(wr.get("color")),
                       safety=_num(wr.get("safety_score")),
                       reasons=[lang_part(str(x), lang) for x in _json_list(wr.get("reasons"))],
                       obstacles=_json_list(wr.get("top_obstacles")))
    co = _row(results["coordination"], unit_id)
    coordination = {"computed": co is not None and _text(co.get("grade")) != ""}
    if coordination["computed"]:
        coordination.update({k: _num(co.get(k)) for k in ("U_resource", "U_urban", "C", "T", "D")},
                            grade=_text(co.get("grade")), stage=_text(co.get("stage")), lagging=_text(co.get("lagging")))
    tr = _row(results["targets"], unit_id)
    targets = []
    cat = indicators(engine)
    if tr:
        for ind in sorted({k.split(".", 1)[0] for k, v in tr.items() if "." in k and v is not None and not
                           (isinstance(v, float) and v != v)}):
            nm = cat.loc[ind, "name_zh" if lang == "zh" else "name_en"] if ind in cat.index else ind
            targets.append({"indicator_id": ind, "name": nm,
                            **{f: _num(tr.get(f"{ind}.{f}")) for f in ("value", "baseline", "target", "projection")},
                            "status": _text(tr.get(f"{ind}.status")) or "no_data",
                            "arrow": _text(tr.get(f"{ind}.arrow")) or "•"})
    ex = _row(results["exhausted_assessment"], unit_id)
    exhausted = {"applies": identity["exhausted_batch"] is not None, "computed": ex is not None and _num(ex.get("score")) is not None}
    if exhausted["computed"]:
        exhausted.update(score=_num(ex.get("score")), rank=_num(ex.get("rank")), grade=_text(ex.get("grade")),
                         action=_text(ex.get("action")), n=len(results["exhausted_assessment"].frame))
    one = cities[cities["unit_id"] == unit_id]
    nc = [n for n in _not_computed(results, one, year, lang)
          if n.engine in ("classify", "warning", "coordination", "targets")
          or (n.engine == "exhausted_assessment" and exhausted["applies"])]
    if results["targets"].computed and not targets:
        nc.append(NotComputed("targets", ("规划目标评估" if lang == "zh" else "Target attainment"),
                              "本市没有目标评估结果" if lang == "zh" else "no target results for this city"))
    return ProfileData(unit_id=unit_id, lang=lang, year=year,
                       generated_at=local_time(), version=__version__,
                       identity=identity, history=history, classify=classify, trends=_trends(engine, cities, me, lang),
                       warning=warning, coordination=coordination, targets=targets, exhausted=exhausted,
                       not_computed=nc,
                       indicator_names={k: r["name_zh"] if lang == "zh" else r["name_en"] for k, r in cat.iterrows()},
                       run_years={k: r.year for k, r in results.items()})


def _trend_charts(p: ProfileData) -> list[str]:
    from rbcity.outputs import charts

    out = []
    for tr in p.trends:
        series = {p.identity["name"]: (tr["years"], tr["city"]),
                  p.t(f"本省资源型城市平均（n≤{tr['province_n']}）", f"province avg (n≤{tr['province_n']})"): (tr["years"], tr["province"]),
                  p.t(f"同类型平均（n≤{tr['type_n']}）", f"type avg (n≤{tr['type_n']})"): (tr["years"], tr["type"])}
        span = f"{tr['years'][0]}–{tr['years'][-1]}" if tr["years"] else ""
        out.append(charts.line_chart(series, f"{tr['name']}（{span}）", ylabel=tr["unit"], width=3.4, height=2.1,
                                     styles={list(series)[1]: {"linestyle": "--"}, list(series)[2]: {"linestyle": ":"}}))
    return out


def profile_title(p: ProfileData) -> str:
    return p.t(f"{p.identity['name']} 城市概况", f"City profile: {p.identity['name']}") + (f"（{p.year}）" if p.year else "")


def render_profile(p: ProfileData, mode: str = "html") -> str:
    from rbcity.outputs.report.render import common_globals, environment

    g = common_globals(p.lang, mode, p.indicator_names)
    g["with_scripts"] = False  # static charts only; no map
    title = profile_title(p)
    return environment().get_template("report/profile.html.j2").render(
        **g, p=p, trend_charts=_trend_charts(p), doc_title=title, running_head=title, version=p.version,
        toc=[(sid, zh if p.lang == "zh" else en) for sid, zh, en in PROFILE_SECTIONS])


def write_profile(engine: Engine, city: str, year: int | None = None, lang: str = "zh", fmt: str = "html",
                  output: str | Path | None = None) -> Path:
    """Resolve ``city`` (any name or code), build and write its profile; returns the path."""
    from rbcity.outputs.report.national import default_report_path
    from rbcity.outputs.report.pdf import check_format, write_document
    from rbcity.registry.resolve import resolve_city

    check_format(fmt)
    m = resolve_city(city)
    p = build_profile_data(engine, m.unit_id, year, lang)
    path = Path(output) if output else default_report_path(engine, f"rbcity-profile-{m.unit_id}-{lang}.{fmt}")
    return write_document(render_profile(p, "html" if fmt == "html" else "pdf"), path, fmt)
