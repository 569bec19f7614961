"""The engines' pages: transitions (classification), targets, warnings and the exhausted cities' assessment."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import (
    Lang,
    read_page_cached,
    engine_results,
    json_list,
    lang_part,
    page_lang,
    reader_of,
    render,
    with_names,
    year_arg,
)
from rbcity.outputs.web.sources import ENGINES, Reader

router = APIRouter(include_in_schema=False)


def target_rows(reader: Reader, df: pd.DataFrame, lang: str) -> list[dict]:
    """Wide targets results (``<indicator>.<field>`` columns) → one row per unit and indicator."""
    if df.empty:
        return []
    inds = reader.indicators().set_index("indicator_id")
    names = dict(zip(reader.cities()["unit_id"], reader.cities()["name"], strict=True))
    fields = sorted({c.split(".")[0] for c in df.columns if "." in c})
    out = []
    for r in df.to_dict("records"):
        for ind in fields:
            status = r.get(f"{ind}.status")
            if status is None or (isinstance(status, float) and pd.isna(status)):
                continue
            unit = r["unit_id"]
            scope = names.get(unit) or _scope_label(unit, lang)
            out.append({"scope": scope, "unit_id": unit, "year": r["year"],
                        "indicator": inds.loc[ind, "name_zh" if lang == "zh" else "name_en"] if ind in inds.index else ind,
                        "value": r.get(f"{ind}.value"), "baseline": r.get(f"{ind}.baseline"),
                        "target": r.get(f"{ind}.target"), "share": r.get(f"{ind}.share_covered"),
                        "status": status, "status_label": i18n.pair(status, i18n.STATUSES, lang),
                        "arrow": r.get(f"{ind}.arrow") or ""})
    return out


def _scope_label(key: str, lang: str) -> str:
    from rbcity.registry.labels import TYPES, label, province_label

    if key == "national":
        return "全国" if lang == "zh" else "national"
    if key.startswith("type:"):
        return label(TYPES, key[5:], lang)
    if key.startswith("province:"):
        return province_label(key[9:], lang)
    return key


def _engine_page(request: Request, engine: str, template: str, page: str, year: str | None,
                 make, variant: str = "") -> HTMLResponse:
    reader = reader_of(request)
    lang = page_lang(request)
    y = year_arg(year)

    def page_response():
        ctx = reader.cached(("page", engine, y, lang, variant),
                             lambda: _engine_ctx(reader, engine, y, lang, make))
        return render(request, template, page, **ctx)
    return read_page_cached(request, page_response)


def _engine_ctx(reader, engine, y, lang, make) -> dict:
    df, run = engine_results(reader, engine, y)
    y = run["year"] if run is not None and y is None else y
    ctx = {"engine": engine, "engine_name": ENGINES[engine][0 if lang == "zh" else 1],
           "years": reader.result_years(engine), "year": y, "run": run}
    if run is not None:
        ctx |= make(reader, df, run, lang)
    ctx |= engine_validity_and_gaps(reader, engine, df, run, y, lang)
    return ctx


def city_label(name: str, lang: str) -> str:
    """A city's name for a page: Chinese, or pinyin with the Chinese beside it in English."""
    from rbcity.registry.pinyin import name_en

    return name if lang == "zh" or not isinstance(name, str) else f"{name_en(name)} {name}"


def engine_validity_and_gaps(reader, engine: str, df: pd.DataFrame, run: dict | None, year, lang: str) -> dict:
    """The run's validity card and how many registry cities it did not score, by reason."""
    from rbcity.outputs.report.gaps import gap_counts, gap_rows, not_scored
    from rbcity.outputs.report.results import EngineResult
    from rbcity.outputs.report.validity_view import card_view

    card = card_view(run, lang)
    if run is None or engine == "targets":
        return {"card": card, "n_not_scored": 0, "gap_table": []}
    frame = df[df["unit_id"].isin(set(reader.cities()["unit_id"]))] if "unit_id" in df else df
    rows = gap_rows({engine: EngineResult(engine, run, frame.reset_index(drop=True))}, reader.cities(), year, lang)
    return {"card": card, "n_not_scored": not_scored(rows, engine),
            "gap_table": [r for r in gap_counts(rows) if not r["engine_wide"]][:5]}


def _transitions(reader, df, run, lang):
    from rbcity.registry.labels import TYPES, label

    summary = run.get("summary") or {}
    matrix = summary.get("transition") or summary.get("transition_matrix") or {}
    types = list(TYPES)
    grid = [[label(TYPES, a, lang)] + [int((matrix.get(a) or {}).get(b, 0)) for b in types] for a in types]
    moved = with_names(reader, df)
    if "moved" in moved:
        moved = moved[moved["moved"] == 1]
    else:
        moved = moved.iloc[0:0]
    rows = [{"unit_id": r["unit_id"], "name": city_label(r["name"], lang), "year": r["year"],
             "from": label(TYPES, r.get("type_2013") or r["registry_type_2013"] or "", lang), "to": label(TYPES, r.get("type") or "", lang),
             "reason": lang_part(r.get("reason") or "", lang)} for r in moved.to_dict("records")]
    agree = summary.get("agreement_year") or summary.get("agreement") or {}
    acc = agree.get("accuracy") if isinstance(agree, dict) else None
    history = []  # every year the classification was run for: how many cities moved since 2013
    for y in reader.result_years("classify"):
        res = reader.results("classify", y)
        if res.empty:
            continue
        s_y = (reader.latest_run("classify", y) or {}).get("summary") or {}
        a_y = s_y.get("agreement_year") or s_y.get("agreement") or {}
        history.append({"year": y, "classified": int(res["type"].notna().sum()) if "type" in res else 0,
                        "moved": int((res["moved"] == 1).sum()) if "moved" in res else 0,
                        "accuracy": a_y.get("accuracy") if isinstance(a_y, dict) else None})
    from rbcity.plan.validity import card_of, decision_wording_allowed

    card = card_of(run)  # differences from 2013 are re-classifications only with a valid card
    return {"types": [label(TYPES, t, lang) for t in types], "grid": grid, "moved": rows, "accuracy": acc,
            "history": history, "decision": decision_wording_allowed(card),
            "verdict": card.label(lang) if card else None,
            "card_text": (card.text[0 if lang == "zh" else 1]) if card else None}


TARGET_GROUPS = ("national", "type", "province", "city")


def _targets(group: str):
    """The targets page for one kind of scope: national, per type, per province or per city."""
    def make(reader, df, run, lang):
        units = df["unit_id"].astype(str)
        is_city = units.isin(reader.cities()["unit_id"])
        mask = {"national": units == "national", "type": units.str.startswith("type:"),
                "province": units.str.startswith("province:"), "city": is_city}[group]
        rows = target_rows(reader, df[mask], lang)
        all_rows = target_rows(reader, df[~is_city], lang) if group != "city" else rows
        counts = [(i18n.pair(k, i18n.STATUSES, lang), k, sum(1 for r in all_rows if r["status"] == k))
                  for k in i18n.STATUSES]
        return {"rows": rows, "group": group, "groups": TARGET_GROUPS, "status_counts": counts}
    return make


def _warnings(reader, df, run, lang):
    d = with_names(reader, df)
    d = d.sort_values(["level", "safety_score"], ascending=[False, True]) if "level" in d else d
    counts = []
    for i, (w, en) in enumerate(i18n.WARNING_LEVELS.items()):
        n = int((d["level"] == i).sum()) if "level" in d else 0
        counts.append((w if lang == "zh" else en, n, i18n.LEVEL_COLOURS[i]))
    rows = [{"unit_id": r["unit_id"], "name": city_label(r["name"], lang), "year": r["year"], "score": r.get("safety_score"),
             "label": i18n.zh_en(str(r.get("level_label") or ""), i18n.WARNING_LEVELS, lang),
             "hex": i18n.COLOURS.get(r.get("color"), "#999"), "reasons": [lang_part(str(x), lang) for x in json_list(r.get("reasons"))]}
            for r in d.to_dict("records")]
    return {"counts": counts, "rows": rows}


def _exhausted(reader, df, run, lang):
    d = with_names(reader, df)
    if "rank" in d:
        d = d.sort_values("rank")
    rows = [{"unit_id": r["unit_id"], "name": city_label(r["name"], lang), "year": r["year"], "rank": r.get("rank"),
             "score": r.get("score"),
             "grade": i18n.zh_en(str(r.get("grade") or ""), i18n.EXHAUSTED_GRADES, lang),
             "action": i18n.pair(str(r.get("action") or ""), i18n.ACTIONS, lang)}
            for r in d.to_dict("records")]
    return {"rows": rows}


@router.get("/transitions", response_class=HTMLResponse)
def transitions_page(request: Request, lang: Lang = "zh", year: str | None = None):
    return _engine_page(request, "classify", "transitions.html", "transitions", year, _transitions)


@router.get("/targets", response_class=HTMLResponse)
def targets_page(request: Request, lang: Lang = "zh", year: str | None = None,
                 group: Annotated[str, Query(pattern="^(national|type|province|city)$")] = "national"):
    return _engine_page(request, "targets", "targets.html", "targets", year, _targets(group), variant=group)


@router.get("/warnings", response_class=HTMLResponse)
def warnings_page(request: Request, lang: Lang = "zh", year: str | None = None):
    return _engine_page(request, "warning", "warnings.html", "warnings", year, _warnings)


@router.get("/exhausted", response_class=HTMLResponse)
def exhausted_page(request: Request, lang: Lang = "zh", year: str | None = None):
    return _engine_page(request, "exhausted_assessment", "exhausted.html", "exhausted", year, _exhausted)

