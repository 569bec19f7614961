"""The city list (HTMX filter as you type), one city's page and its report download."""

from __future__ import annotations

import json
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rbcity.errors import UserError
from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import (
    Lang,
    read_page_cached,
    engine_results,
    json_list,
    lang_part,
    reader_of,
    render,
    templates,
)
from rbcity.outputs.web.sources import Reader

router = APIRouter(include_in_schema=False)


@router.get("/cities", response_class=HTMLResponse)
def cities_page(request: Request, lang: Lang = "zh", search: str = "", province: str = "",
                level: str = "", type: str = "", exhausted: str = ""):
    return read_page_cached(request, lambda: _cities_page(request, lang, search, province, level,
                                                          type, exhausted))


def _cities_page(request: Request, lang: str, search: str, province: str, level: str, type: str,
                 exhausted: str):
    reader = reader_of(request)
    args = {"search": search, "province": province, "level": level, "type": type, "exhausted": exhausted}
    key = (tuple(args.items()), lang)
    ctx = reader.cached(("page", "cities", key), lambda: _cities_ctx(reader, args, lang))
    status = 422 if ctx["error"] else 200
    # the table holds nothing personal: rendered once per filter, language and data version
    table = reader.cached(("page", "cities-table", key), lambda: templates.get_template(
        "_city_table.html").render(ctx | {"lang": lang, "t": lambda k: i18n.tr(k, lang)}))
    if request.headers.get("hx-request") == "true":  # htmx swaps only 2xx: the error is in the fragment
        return HTMLResponse(table)
    return render(request, "cities.html", "cities", status=status, table_html=table, **ctx)


def _cities_ctx(reader: Reader, args: dict, lang: str) -> dict:
    from rbcity.outputs.web.api.cities import check_filters
    from rbcity.registry.labels import LEVELS, PROVINCES_EN, TYPES, label, province_label

    error = None
    try:
        df = reader.filter_cities(**check_filters(**args))
    except UserError as exc:
        error, df = str(exc), reader.cities().iloc[0:0]
    from rbcity.registry.labels import VERIFICATION
    from rbcity.registry.pinyin import name_en

    rows = [{"unit_id": r.unit_id, "name": r.name if lang == "zh" else f"{name_en(r.name)} {r.name}",
             "province": province_label(r.province, lang), "grade_label": label(VERIFICATION, r.verification, lang),
             "level": label(LEVELS, r.level, lang), "type": label(TYPES, r.type_2013, lang),
             "type_key": r.type_2013, "exhausted": "" if pd.isna(r.exhausted_batch) else int(r.exhausted_batch),
             "names_now": r.names_now, "verification": r.verification,
             "href": i18n.with_lang(f"/cities/{r.unit_id}", "", lang)} for r in df.itertuples()]
    present = set(reader.cities()["province"].tolist())
    return {"rows": rows, "args": args, "error": error,
            "api_query": "&".join(f"{k}={v}" for k, v in args.items() if v),
            "provinces": [(zh, zh if lang == "zh" else en) for zh, en in PROVINCES_EN.items() if zh in present],
            "levels": [(k, label(LEVELS, k, lang)) for k in LEVELS],
            "types": [(k, label(TYPES, k, lang)) for k in TYPES]}


@router.get("/cities/{city}", response_class=HTMLResponse)
def city_page(request: Request, city: str, lang: Lang = "zh"):
    reader = reader_of(request)
    m = reader.resolve(city)

    def make():
        from rbcity.outputs.web.pages.data import checks_context

        ctx = reader.cached(("page", "city", m.unit_id, lang), lambda: _city_ctx(reader, m.unit_id, lang))
        return render(request, "city.html", "cities", **ctx, **checks_context(reader.engine, m.unit_id))
    return read_page_cached(request, make)


@router.get("/cities/{city}/report")
def city_report(request: Request, city: str, lang: Lang = "zh",
                format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html"):
    """The report layer's city profile (``rbcity report --city``) as a download."""
    import tempfile

    from fastapi.responses import Response

    from rbcity.outputs.report.profile import write_profile

    reader = reader_of(request)
    m = reader.resolve(city)

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as d:
            path = write_profile(request.app.state.engine, m.unit_id, lang=lang, fmt=format,
                                 output=f"{d}/profile.{format}")
            return path.read_bytes()
    body = reader.cached(("report", m.unit_id, lang, format), make)
    media = "application/pdf" if format == "pdf" else "text/html; charset=utf-8"
    name = f"rbcity-profile-{m.unit_id}-{lang}.{format}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _last_row(df: pd.DataFrame, unit_id: str) -> dict | None:
    if df.empty:
        return None
    hit = df[df["unit_id"] == unit_id]
    if hit.empty:
        return None
    return hit.sort_values("year").iloc[-1].to_dict()


EXHAUSTED_NOTICE = "本工具默认方法，非官方考核方法 / the tool's default, not the official method"


def _city_ctx(reader: Reader, unit_id: str, lang: str) -> dict:
    from rbcity.registry.labels import LEVELS, TYPES, VERIFICATION, label, province_label

    row = reader.city(unit_id)
    facts = [
        ("province", province_label(row["province"], lang)),
        ("level", label(LEVELS, row["level"], lang)),
        ("by_type", label(TYPES, row["type_2013"], lang)),
        ("exhausted_f", "—" if pd.isna(row["exhausted_batch"]) else int(row["exhausted_batch"])),
    ]
    extra = [("上级" if lang == "zh" else "parent", row["parent"] or "—"),
             ("今代码/今名称" if lang == "zh" else "code/name today", f"{row['admin_codes_now'] or '—'} {row['names_now'] or ''}"),
             ("核实等级" if lang == "zh" else "verification", label(VERIFICATION, row["verification"], lang)),
             ("来源" if lang == "zh" else "source", row["source"])]
    hist = reader.code_history(unit_id)
    obs = reader.observations((unit_id,))
    inds = reader.indicators().set_index("indicator_id")
    series = {}
    for ind, g in obs.groupby("indicator_id"):
        name = inds.loc[ind, "name_zh" if lang == "zh" else "name_en"] if ind in inds.index else ind
        unit = g["unit"].iloc[0]
        series[ind] = {"name": f"{name} ({unit})" if unit else name,
                       "data": [[int(y), float(v)] for y, v in zip(g["year"], g["value"], strict=True)]}
    cls = _last_row(engine_results(reader, "classify", None)[0], unit_id)
    warn = _last_row(engine_results(reader, "warning", None)[0], unit_id)
    if warn:
        warn["reasons_list"] = [lang_part(str(x), lang) for x in json_list(warn.get("reasons"))]
        names = inds["name_zh" if lang == "zh" else "name_en"].to_dict()
        warn["obstacles_list"] = [
            {"name": names.get(o.get("indicator_id"), o.get("indicator_id")), "share": o.get("share")}
            if isinstance(o, dict) else {"name": str(o), "share": None}
            for o in json_list(warn.get("top_obstacles"))]
        warn["label"] = i18n.zh_en(str(warn.get("level_label") or ""), i18n.WARNING_LEVELS, lang)
        warn["hex"] = i18n.COLOURS.get(warn.get("color"), "#999")
    coord = _last_row(engine_results(reader, "coordination", None)[0], unit_id)
    if coord:
        coord["grade_label"] = i18n.zh_en(str(coord.get("grade") or ""), i18n.COORD_GRADES, lang)
    exh = _last_row(engine_results(reader, "exhausted_assessment", None)[0], unit_id)
    if exh:
        exh["grade_label"] = i18n.zh_en(str(exh.get("grade") or ""), i18n.EXHAUSTED_GRADES, lang)
        exh["action_label"] = i18n.pair(str(exh.get("action") or ""), i18n.ACTIONS, lang)
    from rbcity.outputs.web.pages.engines import target_rows

    tg = engine_results(reader, "targets", None)[0]
    targets = target_rows(reader, tg[tg["unit_id"] == unit_id] if not tg.empty else tg, lang)
    if cls:
        cls["type_label"] = label(TYPES, cls.get("type") or "", lang) or cls.get("missing") or "—"
        cls["type_2013_label"] = label(TYPES, cls.get("type_2013") or row["type_2013"], lang)
        cls["reason_text"] = lang_part(str(cls.get("reason") or ""), lang)
        from rbcity.plan.validity import card_of, decision_wording_allowed, verdict_label

        card = card_of(engine_results(reader, "classify", None)[1])
        if not decision_wording_allowed(card):  # a difference from 2013, not a re-classification
            cls["verdict_note"] = ("类型" if lang == "zh" else "type ") + (
                card.label(lang) if card else verdict_label("indicative", lang))
    if exh and exh.get("action"):  # an action is never shown without the notice
        notice = lang_part(str(exh.get("action_notice") or EXHAUSTED_NOTICE), lang)
        exh["action_label"] = f"{exh['action_label']} ({notice})"
    return {"unit_id": unit_id, "name": row["name"], "facts": facts, "extra": extra,
            "hist": hist.to_dict("records"), "series_json": json.dumps(series, ensure_ascii=False).replace("</", "<\\/"),
            "has_series": bool(series), "cls": cls, "warn": warn, "coord": coord, "exh": exh,
            "targets": targets}

