"""``/programmes``: progress of the plan's programme targets (规划专项) — nationally, for a
province (``?province=黑龙江``) with what its cities reported, or for one city (``?city=鹤岗``).

Public and the same for every visitor: served through ``read_page_cached``. The numbers are the
targets engine's (its newest run with results, or ``?year=``); the table is built by
:mod:`rbcity.outputs.programme_progress`, the same builder as the national report's.
"""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import (
    Lang,
    engine_results,
    page_lang,
    read_page_cached,
    reader_of,
    render,
    year_arg,
)

router = APIRouter(include_in_schema=False)


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request, lang: Lang = "zh", year: str | None = None, province: str = "",
                    city: str = ""):
    def make():
        reader = reader_of(request)
        lang_ = page_lang(request)
        y = year_arg(year)
        ctx = reader.cached(("page", "programmes", y, province.strip(), city.strip(), lang_),
                            lambda: _programmes_ctx(reader, y, province.strip(), city.strip(), lang_))
        return render(request, "programmes.html", "programmes", **ctx)
    return read_page_cached(request, make)


def _unit_en(unit: str, lang: str) -> str:
    """A programme unit for the page: as is in Chinese; in English translated, and 个 (items)
    dropped — "6" parks, not "6 count"."""
    from rbcity.outputs.terms import unit_en

    return "" if lang == "en" and unit == "个" else unit_en(unit, lang)


CMP = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "~": "≈"}


def _programmes_ctx(reader, y: int | None, province: str, city: str, lang: str) -> dict:
    from rbcity.outputs.programme_progress import baseline_facts, programme_rows, unit_progress
    from rbcity.outputs.web.pages.engines import city_label
    from rbcity.registry.labels import PROVINCES_EN, province_label
    from rbcity.registry.query import parse_province

    cities = reader.cities()
    df, run = engine_results(reader, "targets", y)
    year = run["year"] if run is not None else y
    prov = parse_province(province) if province else ""
    unit = None
    if city:  # a city, unless a different province was picked since (the province wins)
        m = reader.resolve(city)
        row = cities.set_index("unit_id").loc[m.unit_id]
        if not prov or prov == row["province"]:
            unit = m.unit_id
    if unit is not None:
        key, members = unit, [unit]
        scope_label = f"{city_label(row['name'], lang)} · {province_label(row['province'], lang)}"
        prov_of_city = row["province"]
    elif prov:
        key, members = f"province:{prov}", cities.loc[cities["province"] == prov, "unit_id"].tolist()
        scope_label, prov_of_city = province_label(prov, lang), prov
    else:
        key, members = "national", cities["unit_id"].tolist()
        scope_label, prov_of_city = i18n.tr("national_all", lang), ""
    inds = reader.indicators().set_index("indicator_id")
    rows = programme_rows(unit_progress(df, key, members), lang)
    for r in rows:
        ind = r["indicator_id"]
        r["programme_label"] = r["programme"] if lang == "zh" else i18n.PROGRAMMES_EN.get(r["programme"], r["programme"])
        r["indicator"] = (inds.at[ind, "name_zh" if lang == "zh" else "name_en"] if ind in inds.index else ind) if ind else ""
        r["type_label"] = i18n.pair(r["type"], i18n.TARGET_TYPES, lang)
        r["unit_label"] = _unit_en(r["unit"], lang)
        r["status_label"] = (i18n.tr("not_evaluated", lang) if r["status"] == "not_evaluated"
                             else i18n.pair(r["status"], i18n.STATUSES, lang))
        r["contribution"] = key != "national" and r["type"] in ("cumulative", "count")
        r["cmp"] = CMP.get(r["comparator"] or "", r["comparator"] or "")
    prev = None
    for r in rows:  # a programme heading once per run of its targets
        r["first"] = r["programme"] != prev
        prev = r["programme"]
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in (*i18n.STATUSES, "not_evaluated")}
    contributions, by_province = [], []
    prog_inds = [r["indicator_id"] for r in rows if r["indicator_id"]]
    if run is not None and not df.empty and "unit_id" in df:
        by_unit = df.set_index(df["unit_id"].astype(str))
        mine = [u for u in members if u in by_unit.index]
        names = dict(zip(cities["unit_id"], cities["name"], strict=True))
        if key != "national":  # what each city of the scope reported
            for u in mine:
                for r in rows:
                    ind = r["indicator_id"]
                    v = by_unit.at[u, f"{ind}.value"] if ind and f"{ind}.value" in by_unit else None
                    if v is None or pd.isna(v):
                        continue
                    st = by_unit.at[u, f"{ind}.status"] if f"{ind}.status" in by_unit else "no_data"
                    share = by_unit.at[u, f"{ind}.share_covered"] if f"{ind}.share_covered" in by_unit else None
                    contributions.append({"unit_id": u, "name": city_label(names.get(u, u), lang),
                                          "target": r["target"], "indicator": r["indicator"], "type": r["type"],
                                          "type_label": r["type_label"], "value": float(v), "unit": r["unit_label"],
                                          "share": None if share is None or pd.isna(share) else float(share),
                                          "status": st, "status_label": i18n.pair(st, i18n.STATUSES, lang)})
        else:  # which provinces' cities reported anything
            cols = [f"{i}.value" for i in prog_inds if f"{i}.value" in by_unit]
            if cols:
                vals = by_unit.loc[mine, cols].notna()
                per_city = vals.any(axis=1)
                reg = cities.set_index("unit_id").loc[mine]
                for pv, grp in reg.groupby("province"):
                    n_c = int(per_city.loc[grp.index].sum())
                    if n_c:
                        by_province.append({"province": province_label(pv, lang), "key": pv, "n_cities": len(grp),
                                            "n_reporting": n_c, "n_values": int(vals.loc[grp.index].to_numpy().sum())})
    present = set(cities["province"])
    return {"year": year, "years": reader.result_years("targets"), "run": run, "rows": rows,
            "counts": [(k, i18n.tr("not_evaluated", lang) if k == "not_evaluated" else i18n.pair(k, i18n.STATUSES, lang), n)
                       for k, n in counts.items() if n],
            "scope_key": key, "scope_label": scope_label, "is_national": key == "national",
            "is_city": unit is not None, "province_arg": prov_of_city, "city_arg": city if unit is not None else "",
            "provinces": [(zh, zh if lang == "zh" else en) for zh, en in PROVINCES_EN.items() if zh in present],
            "contributions": contributions, "by_province": by_province,
            "facts": [{**f, "programme_label": f["programme"] if lang == "zh" else i18n.PROGRAMMES_EN.get(f["programme"], f["programme"]),
                       "unit_label": _unit_en(f["unit"], lang)} for f in baseline_facts()]}
