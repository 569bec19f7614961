"""The provincial report (省级报告, ``rbcity report --province 山西``): the province's resource-based
cities with their engine results and ranks nationally and within the province, the province's
target status (the targets engine groups by province), each engine's validity verdict, and
what could not be computed for these cities (counted; per-city list in a CSV beside it).

Ranks are positions among the cities the engine scored (1 = best: highest safety score,
highest coordination degree D, best assessment rank); unscored cities get no rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from rbcity.outputs.report.context import (
    _by_unit,
    _classify,
    _coordination,
    _exhausted,
    _targets,
    _text,
    _warning,
    indicators,
    latest_data_year,
    local_time,
    localise_cities,
)
from rbcity.outputs.report.gaps import gap_counts, gap_rows
from rbcity.outputs.report.results import all_results
from rbcity.registry.labels import TYPES, label, province_label

PROVINCE_SECTIONS: list[tuple[str, str, str]] = [
    ("sec-summary", "概要", "Summary"),
    ("sec-cities", "各城市结果与排名", "Cities, results and ranks"),
    ("sec-targets", "省级目标状态", "Province-level target status"),
    ("sec-gaps", "未能计算的内容", "What could not be computed"),
]


def ranks(values: dict[str, float | None]) -> dict[str, int]:
    """Competition ranks (1 = highest value; ties share the better rank); None values unranked."""
    out: dict[str, int] = {}
    ordered = sorted(((v, u) for u, v in values.items() if v is not None), key=lambda x: (-x[0], x[1]))
    for i, (v, u) in enumerate(ordered):
        out[u] = out[ordered[i - 1][1]] if i and ordered[i - 1][0] == v else i + 1
    return out


@dataclass
class ProvinceData:
    province: str
    lang: str
    year: int | None
    generated_at: str
    version: str
    cities: list[dict]
    n_cities: int
    type_counts: dict[str, int]
    n_scored: dict[str, tuple[int, int]]
    targets: list[dict]
    target_status: dict[str, int]
    run_years: dict[str, int | None]
    validity: dict[str, dict]
    gaps: list[dict] = field(default_factory=list)
    gap_table: list[dict] = field(default_factory=list)
    gaps_csv: str | None = None

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en


def build_province_data(engine: Engine, province: str, year: int | None = None, lang: str = "zh") -> ProvinceData:
    """Gather the provincial report (``province``: 山西, 山西省 or Shanxi)."""
    from rbcity import __version__
    from rbcity.data.cities import cities_frame
    from rbcity.outputs.report.validity_view import card_view
    from rbcity.registry.query import parse_province

    prov = parse_province(province)
    i = 0 if lang == "zh" else 1
    if year is None:
        year = latest_data_year(engine)
    cities = localise_cities(cities_frame(engine), lang)
    mine = cities[cities["province"] == prov]
    ids = set(mine["unit_id"])
    results = all_results(engine, year)
    cl = _classify(results["classify"], cities, lang)
    cl_df = _by_unit(results["classify"])
    wa = _warning(results["warning"], cities, lang)
    co = _coordination(results["coordination"], cities)
    ex = _exhausted(results["exhausted_assessment"], cities)
    w_rows = {r["unit_id"]: r for r in wa.get("rows", [])}
    c_rows = {r["unit_id"]: r for r in co.get("rows", [])}
    e_rows = {r["unit_id"]: r for r in ex.get("rows", [])}
    safety = {u: r["safety"] for u, r in w_rows.items()}
    d_val = {u: r["D"] for u, r in c_rows.items()}
    e_score = {u: r["score"] for u, r in e_rows.items()}
    nat = {"warning": ranks(safety), "coordination": ranks(d_val), "exhausted": ranks(e_score)}
    loc = {"warning": ranks({u: v for u, v in safety.items() if u in ids}),
           "coordination": ranks({u: v for u, v in d_val.items() if u in ids}),
           "exhausted": ranks({u: v for u, v in e_score.items() if u in ids})}
    rows = []
    for r in mine.itertuples():
        u = r.unit_id
        now = _text(cl_df.loc[u, "type"]) if cl.get("computed") and u in cl_df.index and "type" in cl_df else ""
        w, c, e = w_rows.get(u), c_rows.get(u), e_rows.get(u)
        rows.append({
            "unit_id": u, "name": r.name, "type_2013": label(TYPES, r.type_2013, lang),
            "type_now": TYPES.get(now, ("", ""))[i] if now else "",
            "warning": w["label"] if w else "", "level": w["level"] if w else None,
            "safety": w["safety"] if w else None,
            "warning_rank": nat["warning"].get(u), "warning_rank_prov": loc["warning"].get(u),
            "grade": c["grade"] if c else "", "D": c["D"] if c else None,
            "D_rank": nat["coordination"].get(u), "D_rank_prov": loc["coordination"].get(u),
            "exhausted": r.exhausted_batch is not None and not pd.isna(r.exhausted_batch),
            "ex_score": e["score"] if e else None, "ex_grade": e["grade"] if e else "",
            "ex_rank": nat["exhausted"].get(u), "ex_rank_prov": loc["exhausted"].get(u)})
    rows.sort(key=lambda x: (x["warning_rank"] is None, x["warning_rank"] or 0, x["name"]))
    tg = _targets(results["targets"], indicators(engine), lang)
    trows = (tg.get("all_groups") or {}).get(f"province:{prov}", []) if tg.get("computed") else []
    status: dict[str, int] = {}
    for t in trows:
        status[t["status"]] = status.get(t["status"], 0) + 1
    gaps = gap_rows(results, mine, year, lang)
    gaps = [g for g in gaps if g["unit_id"] in ids]
    return ProvinceData(
        province=province_label(prov, lang), lang=lang, year=year, generated_at=local_time(), version=__version__,
        cities=rows, n_cities=len(mine),
        type_counts={TYPES[k][i]: int((mine["type_2013"] == k).sum()) for k in TYPES},
        n_scored={"warning": (len(loc["warning"]), len(nat["warning"])),
                  "coordination": (len(loc["coordination"]), len(nat["coordination"])),
                  "exhausted": (len(loc["exhausted"]), len(nat["exhausted"]))},
        targets=trows, target_status=status,
        run_years={k: r.year for k, r in results.items()},
        validity={k: card_view(r.run, lang) for k, r in results.items()},
        gaps=gaps, gap_table=gap_counts(gaps))


def province_title(p: ProvinceData) -> str:
    y = p.year if p.year is not None else ""
    return p.t(f"{p.province}资源型城市评估报告（{y}年）", f"Resource-based cities of {p.province}: report {y}")


def render_province(p: ProvinceData, mode: str = "html") -> str:
    from rbcity.outputs.report.render import common_globals, environment

    g = common_globals(p.lang, mode)
    g["with_scripts"] = False
    title = province_title(p)
    return environment().get_template("report/province.html.j2").render(
        **g, p=p, doc_title=title, running_head=title, version=p.version,
        toc=[(sid, zh if p.lang == "zh" else en) for sid, zh, en in PROVINCE_SECTIONS])


def write_province_report(engine: Engine, province: str, year: int | None = None, lang: str = "zh",
                          fmt: str = "html", output: str | Path | None = None) -> Path:
    """Build and write the provincial report (and its per-city gap CSV beside it)."""
    from rbcity.outputs.report.gaps import write_gaps_csv
    from rbcity.outputs.report.national import default_report_path
    from rbcity.outputs.report.pdf import check_format, write_document
    from rbcity.registry.query import parse_province

    check_format(fmt)
    prov = parse_province(province)
    p = build_province_data(engine, prov, year, lang)
    path = Path(output) if output else default_report_path(
        engine, f"rbcity-province-{province_label(prov, 'en').replace(' ', '')}-{p.year}-{lang}.{fmt}")
    if p.gaps:
        path.parent.mkdir(parents=True, exist_ok=True)
        csv_path = write_gaps_csv(p.gaps, path.with_name(f"{path.stem}-not-computed.csv"), lang)
        p.gaps_csv = csv_path.name
    return write_document(render_province(p, "html" if fmt == "html" else "pdf"), path, fmt)


__all__ = ["PROVINCE_SECTIONS", "ProvinceData", "build_province_data", "ranks", "render_province",
           "write_province_report"]
