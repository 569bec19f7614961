"""The dashboard's pages (Jinja2, server-rendered; HTMX swaps the city table as you type).

Every page is Chinese by default and English with ``?lang=en``; the switch link in the header
keeps the current page and its filters. Pages show what the lower layers stored — registry
facts, observations, the engines' results — and compute no index of their own.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from rbcity.errors import UserError
from rbcity.outputs.web import i18n
from rbcity.outputs.web.sources import ENGINES, Reader

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("rbcity.outputs") / "templates" / "web"))

NAV = ["overview", "cities", "transitions", "targets", "warnings", "exhausted", "coverage", "import"]
NAV_PATHS = {"overview": "/", "cities": "/cities", "transitions": "/transitions", "targets": "/targets",
             "warnings": "/warnings", "exhausted": "/exhausted", "coverage": "/coverage",
             "import": "/import"}

Lang = Annotated[str, Query(pattern="^(zh|en)$")]


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _user(request: Request):
    from rbcity.outputs.web.api.common import current_user

    if getattr(request.state, "session", None) is None:
        return None
    return current_user(request)[0] if request.state.session.get("u") else None


def render(request: Request, template: str, page: str, status: int = 200, **ctx) -> HTMLResponse:
    """Render ``template`` with the shared context: language, words, links, user, CSRF token."""
    lang = _lang(request)
    session = getattr(request.state, "new_session", None) or getattr(request.state, "session", None)
    base = {
        "lang": lang, "page": page,
        "t": lambda key: i18n.tr(key, lang),
        "u": lambda path, **q: i18n.with_lang(path, "&".join(f"{k}={v}" for k, v in q.items() if v not in (None, "")), lang),
        "switch_url": i18n.with_lang(request.url.path, request.url.query, "zh" if lang == "en" else "en"),
        "nav": [(k, NAV_PATHS[k]) for k in NAV], "user": _user(request),
        "csrf": request.app.state.sessions.csrf_token(session) if session else "",
        "import_fields": i18n.IMPORT_FIELDS,
    }
    return templates.TemplateResponse(request, template, base | ctx, status_code=status)


def anonymous_cached(request: Request, make) -> HTMLResponse:
    """A read page for a visitor who is not signed in: rendered once per data version, URL and
    kind (full page or HTMX fragment), since it then holds nothing personal (no name, no CSRF
    token). Signed-in users always get a fresh render."""
    if request.state.session.get("u"):
        return make()
    key = ("html", request.url.path, request.url.query, request.headers.get("hx-request") == "true")

    def build():
        resp = make()
        return resp.body, resp.status_code

    body, status = reader_of(request).cached(key, build)
    return HTMLResponse(body, status_code=status)


def error_page(request: Request, exc: Exception, status: int) -> HTMLResponse:
    return render(request, "error.html", "", status=status, message=str(exc), status_code=status)


def reader_of(request: Request) -> Reader:
    return request.app.state.reader


def _num(v, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "—"
    if isinstance(v, float):
        s = f"{v:.{digits}f}"
        return s.rstrip("0").rstrip(".") if "." in s else s
    return str(v)


def _when(v) -> str:
    """A run's time as 'YYYY-MM-DD HH:MM' (UTC as stored)."""
    try:
        return pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")
    except (ValueError, TypeError):
        return str(v or "")


templates.env.filters["num"] = _num
templates.env.filters["when"] = _when


def _year_arg(year: str | None) -> int | None:
    from rbcity.outputs.web.app import FieldError

    if year in (None, ""):
        return None
    if not str(year).isdigit() or not 1949 <= int(year) <= 2100:
        raise FieldError("year", f"无效的年份 invalid year {year!r}")
    return int(year)


def _results(reader: Reader, engine: str, year: int | None) -> tuple[pd.DataFrame, dict | None]:
    """The engine's results for ``year``; for no year, those of the newest year whose run has
    results (an engine run for a year without data stores an empty run)."""
    if year is None:
        years = reader.result_years(engine)
        for y in reversed(years):
            if not reader.results(engine, y).empty:
                year = y
                break
        else:
            year = years[-1] if years else None
    run = reader.latest_run(engine, year)
    if run is None:
        return pd.DataFrame(columns=["unit_id", "year"]), None
    return reader.results(engine, year), run


def _with_names(reader: Reader, df: pd.DataFrame) -> pd.DataFrame:
    names = reader.cities()[["unit_id", "name", "province", "type_2013"]].rename(
        columns={"type_2013": "registry_type_2013"})
    return df.merge(names, on="unit_id", how="left")


# --- overview --------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def overview(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)

    def make():
        ctx = reader.cached(("page", "overview", lang), lambda: _overview_ctx(reader, lang))
        return render(request, "overview.html", "overview", **ctx)
    return anonymous_cached(request, make)


def _latest_by_unit(df: pd.DataFrame, column: str) -> pd.Series:
    """The newest year's ``column`` per unit_id of a wide results frame (empty when absent)."""
    if df.empty or column not in df:
        return pd.Series(dtype=object)
    return df.sort_values("year").groupby("unit_id")[column].last()


def _overview_ctx(reader: Reader, lang: str) -> dict:
    """Counts and one ECharts map option per colouring (report's ``echarts_map_option``)."""
    from rbcity.outputs.geo import CAPTION, map_frame
    from rbcity.outputs.maps import echarts_map_option
    from rbcity.registry.labels import LEVELS, TYPES, label

    df = reader.cities()
    frame = reader.cached(("map_frame",), lambda: map_frame(reader.engine))
    layers = ["type"]
    cls = _latest_by_unit(_results(reader, "classify", None)[0], "type")
    if not cls.empty:
        frame = frame.assign(classify_type=frame["unit_id"].map(cls).replace("", None))
        layers.append("classify_type")
    warn = _latest_by_unit(_results(reader, "warning", None)[0], "level")
    if not warn.empty:
        frame = frame.assign(warning=frame["unit_id"].map(warn).astype("Int64").astype(object)
                             .where(frame["unit_id"].map(warn).notna(), None))
        layers.append("warning")
    grade = _latest_by_unit(_results(reader, "coordination", None)[0], "grade")
    if not grade.empty:
        frame = frame.assign(grade=frame["unit_id"].map(grade))
        layers.append("grade")
    options = {k: echarts_map_option(frame, k, lang) for k in layers}
    by_type = [(label(TYPES, k, lang), int((df["type_2013"] == k).sum())) for k in TYPES]
    by_level = [(label(LEVELS, k, lang), int((df["level"] == k).sum())) for k in LEVELS]
    layer_names = {"type": "by_type", "classify_type": "by_class", "warning": "by_warning", "grade": "by_grade"}
    n_no_coords = int((df["lon"].isna() | df["lat"].isna()).sum())
    return {"n": len(df), "n_exhausted": int(df["exhausted_batch"].notna().sum()),
            "by_type": by_type, "by_level": by_level, "n_no_coords": n_no_coords,
            "caption": CAPTION[lang], "layer_names": [(k, layer_names[k]) for k in layers],
            "map_json": json.dumps(options, ensure_ascii=False).replace("</", "<\\/")}


# --- cities ----------------------------------------------------------------------------------

@router.get("/cities", response_class=HTMLResponse)
def cities_page(request: Request, lang: Lang = "zh", search: str = "", province: str = "",
                level: str = "", type: str = "", exhausted: str = ""):
    return anonymous_cached(request, lambda: _cities_page(request, lang, search, province, level,
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
    rows = [{"unit_id": r.unit_id, "name": r.name, "province": province_label(r.province, lang),
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
        ctx = reader.cached(("page", "city", m.unit_id, lang), lambda: _city_ctx(reader, m.unit_id, lang))
        return render(request, "city.html", "cities", **ctx)
    return anonymous_cached(request, make)


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


def lang_part(text: str, lang: str) -> str:
    """The Chinese or English half of an engine's "中文 / English" text (the report's rule)."""
    from rbcity.outputs.report.context import lang_part as _part

    return _part(text, lang)


def _json_list(text) -> list:
    if not isinstance(text, str) or not text:
        return []
    try:
        v = json.loads(text)
    except ValueError:
        return [text]
    return v if isinstance(v, list) else [v]


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
    cls = _last_row(_results(reader, "classify", None)[0], unit_id)
    warn = _last_row(_results(reader, "warning", None)[0], unit_id)
    if warn:
        warn["reasons_list"] = [lang_part(str(x), lang) for x in _json_list(warn.get("reasons"))]
        names = inds["name_zh" if lang == "zh" else "name_en"].to_dict()
        warn["obstacles_list"] = [
            {"name": names.get(o.get("indicator_id"), o.get("indicator_id")), "share": o.get("share")}
            if isinstance(o, dict) else {"name": str(o), "share": None}
            for o in _json_list(warn.get("top_obstacles"))]
        warn["label"] = i18n.zh_en(str(warn.get("level_label") or ""), i18n.WARNING_LEVELS, lang)
        warn["hex"] = i18n.COLOURS.get(warn.get("color"), "#999")
    coord = _last_row(_results(reader, "coordination", None)[0], unit_id)
    if coord:
        coord["grade_label"] = i18n.zh_en(str(coord.get("grade") or ""), i18n.COORD_GRADES, lang)
    exh = _last_row(_results(reader, "exhausted_assessment", None)[0], unit_id)
    if exh:
        exh["grade_label"] = i18n.zh_en(str(exh.get("grade") or ""), i18n.EXHAUSTED_GRADES, lang)
        exh["action_label"] = i18n.pair(str(exh.get("action") or ""), i18n.ACTIONS, lang)
    tg = _results(reader, "targets", None)[0]
    targets = _target_rows(reader, tg[tg["unit_id"] == unit_id] if not tg.empty else tg, lang)
    if cls:
        cls["type_label"] = label(TYPES, cls.get("type") or "", lang) or cls.get("missing") or "—"
        cls["type_2013_label"] = label(TYPES, cls.get("type_2013") or row["type_2013"], lang)
        cls["reason_text"] = lang_part(str(cls.get("reason") or ""), lang)
        from rbcity.plan.validity import card_of, decision_wording_allowed, verdict_label

        card = card_of(_results(reader, "classify", None)[1])
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


# --- engine pages ----------------------------------------------------------------------------

def _target_rows(reader: Reader, df: pd.DataFrame, lang: str) -> list[dict]:
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
    lang = _lang(request)
    y = _year_arg(year)

    def page_response():
        ctx = reader.cached(("page", engine, y, lang, variant),
                             lambda: _engine_ctx(reader, engine, y, lang, make))
        return render(request, template, page, **ctx)
    return anonymous_cached(request, page_response)


def _engine_ctx(reader, engine, y, lang, make) -> dict:
    df, run = _results(reader, engine, y)
    y = run["year"] if run is not None and y is None else y
    ctx = {"engine": engine, "engine_name": ENGINES[engine][0 if lang == "zh" else 1],
           "years": reader.result_years(engine), "year": y, "run": run}
    if run is not None:
        ctx |= make(reader, df, run, lang)
    return ctx


def _transitions(reader, df, run, lang):
    from rbcity.registry.labels import TYPES, label

    summary = run.get("summary") or {}
    matrix = summary.get("transition") or summary.get("transition_matrix") or {}
    types = list(TYPES)
    grid = [[label(TYPES, a, lang)] + [int((matrix.get(a) or {}).get(b, 0)) for b in types] for a in types]
    moved = _with_names(reader, df)
    if "moved" in moved:
        moved = moved[moved["moved"] == 1]
    else:
        moved = moved.iloc[0:0]
    rows = [{"unit_id": r["unit_id"], "name": r["name"], "year": r["year"],
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
        rows = _target_rows(reader, df[mask], lang)
        all_rows = _target_rows(reader, df[~is_city], lang) if group != "city" else rows
        counts = [(i18n.pair(k, i18n.STATUSES, lang), k, sum(1 for r in all_rows if r["status"] == k))
                  for k in i18n.STATUSES]
        return {"rows": rows, "group": group, "groups": TARGET_GROUPS, "status_counts": counts}
    return make


def _warnings(reader, df, run, lang):
    d = _with_names(reader, df)
    d = d.sort_values(["level", "safety_score"], ascending=[False, True]) if "level" in d else d
    counts = []
    for i, (w, en) in enumerate(i18n.WARNING_LEVELS.items()):
        n = int((d["level"] == i).sum()) if "level" in d else 0
        counts.append((w if lang == "zh" else en, n, i18n.LEVEL_COLOURS[i]))
    rows = [{"unit_id": r["unit_id"], "name": r["name"], "year": r["year"], "score": r.get("safety_score"),
             "label": i18n.zh_en(str(r.get("level_label") or ""), i18n.WARNING_LEVELS, lang),
             "hex": i18n.COLOURS.get(r.get("color"), "#999"), "reasons": [lang_part(str(x), lang) for x in _json_list(r.get("reasons"))]}
            for r in d.to_dict("records")]
    return {"counts": counts, "rows": rows}


def _exhausted(reader, df, run, lang):
    d = _with_names(reader, df)
    if "rank" in d:
        d = d.sort_values("rank")
    rows = [{"unit_id": r["unit_id"], "name": r["name"], "year": r["year"], "rank": r.get("rank"),
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


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)
    cov = reader.coverage()
    rows = [{"id": r["indicator_id"], "indicator": r["name_zh" if lang == "zh" else "name_en"] or r["indicator_id"],
             "unit": r["unit"] or "", "dimension": r["dimension"] or "", "n_cities": r["n_cities"],
             "share": r["share_cities"], "years": r["years"], "n_values": r["n_values"], "sources": r["sources"]}
            for r in cov.to_dict("records")]
    return render(request, "coverage.html", "coverage", rows=rows,
                  any_data=bool(cov["n_values"].sum()) if len(cov) else False)


# --- sign-in, import, audit ------------------------------------------------------------------

def _check_form_csrf(request: Request, token: str) -> None:
    from rbcity.outputs.web.app import WriteRefused

    if not request.app.state.sessions.check_csrf(request.state.session, token):
        raise WriteRefused("CSRF 校验失败，请刷新页面重试 CSRF token missing or wrong; reload the page", 403)


def _local(path: str) -> str:
    """``path`` if it is a path on this site, else '/' (no redirect to another host)."""
    ok = path.startswith("/") and not path.startswith("//") and "\\" not in path and "://" not in path
    return path if ok else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: Lang = "zh", next: str = "/"):
    return render(request, "login.html", "login", next=_local(next), failed=False)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], csrf: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/", lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web import audit
    from rbcity.outputs.web.api.common import checked_login
    from rbcity.outputs.web.auth import Sessions

    _check_form_csrf(request, csrf)
    user = checked_login(request, username, password)
    if user is None:
        return render(request, "login.html", "login", status=401, next=_local(next), failed=True)
    request.state.new_session = Sessions.new(user.username)  # new nonce: no session fixation
    audit.record(request.app.state.engine, user.username, "login")
    target = _local(next)
    return RedirectResponse(i18n.with_lang(target.split("?")[0], target.partition("?")[2], lang),
                            status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.auth import Sessions

    _check_form_csrf(request, csrf)
    request.state.new_session = Sessions.new()
    return RedirectResponse(i18n.with_lang("/", "", lang), status_code=303)


def _writer(request: Request):
    """The signed-in writing user of a page request, or a 401/403 error page."""
    from rbcity.outputs.web.app import WriteRefused

    user = _user(request)
    if user is None:
        raise WriteRefused(i18n.tr("need_login", _lang(request)), 401)
    if not user.can_write:
        raise WriteRefused(f"用户 {user.username} 无写权限 user {user.username} may not write", 403)
    return user


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)
    batches = reader.imports().head(20).to_dict("records")
    return render(request, "import.html", "import", report=None, batches=batches)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, file: Annotated[UploadFile, File()],
                        source: Annotated[str, Form(min_length=1, max_length=500)],
                        csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.importing import run_import, save_upload

    _check_form_csrf(request, csrf)
    user = _writer(request)
    app = request.app
    data = await file.read(app.state.upload_limit + 1)
    token, _ = save_upload(app.state.upload_dir, file.filename or "", data, app.state.upload_limit)
    report = run_import(app.state.engine, app.state.upload_dir, token, file.filename or token,
                        source=source, user=user.username, dry_run=True)
    return render(request, "import.html", "import", report=report, token=token, filename=file.filename,
                  source=source, committed=False, batches=[])


@router.post("/import/confirm", response_class=HTMLResponse)
def import_confirm(request: Request, token: Annotated[str, Form(max_length=80)],
                   filename: Annotated[str, Form(max_length=255)],
                   source: Annotated[str, Form(min_length=1, max_length=500)],
                   csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.importing import run_import

    _check_form_csrf(request, csrf)
    user = _writer(request)
    app = request.app
    report = run_import(app.state.engine, app.state.upload_dir, token, filename, source=source,
                        user=user.username, dry_run=False)
    app.state.reader.version(force=True)
    return render(request, "import.html", "import", report=report, token=token, filename=filename,
                  source=source, committed=True, batches=app.state.reader.imports().head(20).to_dict("records"))


@router.post("/rerun", response_class=HTMLResponse)
def rerun_page(request: Request, year: Annotated[int, Form(ge=2000, le=2100)], csrf: Annotated[str, Form()],
               engine: Annotated[str, Form(max_length=32)] = "", lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.runs import rerun

    _check_form_csrf(request, csrf)
    user = _writer(request)
    from rbcity.outputs.web.sources import check_engine

    res = rerun(request.app.state.engine, year, user.username,
                engine_name=check_engine(engine) if engine else None)
    request.app.state.reader.version(force=True)
    return render(request, "rerun.html", "", result=res)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, lang: Lang = "zh"):
    from rbcity.outputs.web.audit import audit_frame

    _writer(request)
    _, df = audit_frame(request.app.state.engine)
    rows: list[dict[str, Any]] = [{**r, "detail": json.dumps(r["detail"], ensure_ascii=False) if r["detail"] else ""}
                                  for r in df.to_dict("records")]
    return render(request, "audit.html", "audit", rows=rows)
