"""The statistics reporting system's pages (统计报表): the completion dashboard ``/forms`` and one
city's form ``/forms/{city}/{year}`` with its upload form and the review actions.

These pages are per user: what they list depends on the account's place scope (a reporter's
city, a province reviewer's province), not only on its role, so they are rendered fresh on every
request — never through ``read_page_cached``. Every write goes through the API's
:func:`~rbcity.outputs.web.api.forms.upload_as` / :func:`~rbcity.outputs.web.api.forms.act_as`:
the same workflow checks, the same 403 with its ``scope_violation`` audit row outside the scope,
the same ``form_*`` audit rows. A write answers with a redirect to the form (post/redirect/get);
a stale version or a status that no longer allows the action re-renders the form as it is now,
with a 409 that says what changed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from rbcity.data.reporting.scope import Scope, ScopeRefused, scope_of
from rbcity.errors import UserError
from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import (
    Lang,
    check_form_csrf,
    page_lang,
    reader_of,
    render,
    signed_in_user,
    year_arg,
)

router = APIRouter(include_in_schema=False)

Year = Annotated[int, Path(ge=2000, le=2100)]
Action = Annotated[str, Path(pattern="^(submit|return|accept|publish)$")]
#: the comment fields of the return form: ``comment:<item>``; ``_form`` is the whole form's
COMMENT = "comment:"
WHOLE_FORM = "_form"
MAX_COMMENT = 2000
DIMENSIONS = {"economy": ("经济", "economy"), "society": ("社会", "society"), "environment": ("环境", "environment"),
              "resource": ("资源", "resources"), "programme": ("规划专项", "the plan's programmes")}


#: where a catalogue definition's English begins: "… / English", or "…。English" (a capital)
_EN_START = re.compile(r"\s*/\s+(?=[A-Za-z])|(?<=[。）])\s*(?=[A-Z])")


def definition_text(text: str, lang: str) -> str:
    """The ``lang`` part of a catalogue definition (口径), which runs Chinese then English in
    either of two ways; a definition with no English part is kept whole."""
    m = _EN_START.search(text or "")
    if m is None:
        return text or ""
    return text[:m.start()].strip() if lang == "zh" else text[m.end():].strip()


def page_scope(request: Request) -> Scope:
    """The signed-in user's place scope; a 401 page (sign-in prompt) without a user."""
    from rbcity.outputs.web.errors import WriteRefused

    user = signed_in_user(request)
    if user is None:
        raise WriteRefused(i18n.tr("sign_in_required", page_lang(request)), 401)
    return scope_of(request.app.state.engine, user.username) or Scope(user.username, user.role)


def _scope_label(reader, scope: Scope, lang: str) -> str:
    from rbcity.registry.labels import province_label

    role = i18n.pair(scope.role, i18n.ROLES, lang)
    if scope.role == "reporter" and scope.unit_id:
        names = dict(zip(reader.cities()["unit_id"], reader.cities()["name"], strict=True))
        return f"{role} · {_city(names.get(scope.unit_id, scope.unit_id), lang)}"
    if scope.role == "province_reviewer" and scope.province:
        return f"{role} · {province_label(scope.province, lang)}"
    if scope.role in ("national_reviewer", "admin"):
        return f"{role} · {i18n.tr('all_cities', lang)}"
    return role


def _city(name: str, lang: str) -> str:
    from rbcity.outputs.web.pages.engines import city_label

    return city_label(name, lang)


def _status(key: str | None, lang: str) -> str:
    return i18n.pair(key or "missing", i18n.FORM_STATUSES, lang)


# -- the dashboard ---------------------------------------------------------------------------
@router.get("/forms", response_class=HTMLResponse)
def forms_page(request: Request, lang: Lang = "zh", year: str | None = None, status: str = "",
               province: str = ""):
    """Counts by province first (all of the user's scope), then the cities — optionally only
    those of one ``status`` (or ``overdue``) and one ``province``."""
    from rbcity.data.reporting.scope import REPORTING_ROLES
    from rbcity.data.reporting.workflow import (
        STATUSES,
        dashboard,
        dashboard_by_province,
        deadline,
        form_years,
        reporting_year,
    )
    from rbcity.outputs.web.errors import FieldError
    from rbcity.registry.labels import PROVINCES_EN, province_label
    from rbcity.registry.query import parse_province

    scope = page_scope(request)
    engine, reader, lang = request.app.state.engine, reader_of(request), page_lang(request)
    keys = ["missing", *STATUSES]
    if status and status not in (*keys, "overdue"):
        raise FieldError("status", f"无效的状态 invalid status {status!r}; allowed: {', '.join((*keys, 'overdue'))}")
    prov = parse_province(province) if province else ""
    current = reporting_year(engine)
    y = year_arg(year) or current
    df = dashboard(engine, scope, y)
    order = {p: i for i, p in enumerate(PROVINCES_EN)}  # provinces in the usual (code) order
    df = df.assign(_o=df["province"].map(lambda p: order.get(p, 99))).sort_values(
        ["_o", "unit_id"], kind="stable").drop(columns="_o")
    prov_rows = []
    if len(df):
        counts = dashboard_by_province(df)
        counts = counts.iloc[sorted(range(len(counts)), key=lambda i: order.get(counts["province"].iloc[i], 99))]
        prov_rows = [{"province": province_label(r["province"], lang), "key": r["province"], "cities": int(r["cities"]),
                      "overdue": int(r["overdue"]), **{k: int(r[k]) for k in keys}}
                     for r in counts.to_dict("records")]
        if len(prov_rows) > 1:  # the total first: findings before detail
            prov_rows.insert(0, {"province": i18n.tr("total", lang), "total": True, "key": "",
                                 **{k: sum(p[k] for p in prov_rows) for k in ("cities", "overdue", *keys)}})
    shown = df
    if status == "overdue":
        shown = shown[shown["overdue"]]
    elif status:
        shown = shown[shown["status"] == status]
    if prov:
        shown = shown[shown["province"] == prov]
    city_rows = [{"unit_id": r["unit_id"], "name": _city(r["name"], lang), "province": province_label(r["province"], lang),
                  "status": r["status"], "status_label": _status(r["status"], lang), "version": int(r["version"]),
                  "updated_at": r["updated_at"] if pd.notna(r["updated_at"]) else None,
                  "updated_by": r["updated_by"] if isinstance(r["updated_by"], str) else "",
                  "overdue": bool(r["overdue"]), "deadline": r["deadline"],
                  "href": i18n.with_lang(f"/forms/{r['unit_id']}/{y}", "", lang)} for r in shown.to_dict("records")]
    status_keys = [(k, _status(k, lang)) for k in ("submitted", "accepted", "returned", "published", "draft", "missing")]
    cards = [("", i18n.tr("n_city_col", lang), len(df))] + [
        (k, w, int((df["status"] == k).sum()) if len(df) else 0) for k, w in status_keys] + [
        ("overdue", i18n.tr("overdue", lang), int(df["overdue"].sum()) if len(df) else 0)]
    return render(request, "forms.html", "forms", year=y, years=sorted({*form_years(engine), current, y}),
                  deadline=deadline(y).isoformat(), scope_label=_scope_label(reader, scope, lang),
                  has_role=scope.role in (*REPORTING_ROLES, "admin"), prov_rows=prov_rows, city_rows=city_rows,
                  status_keys=status_keys, cards=cards, status_arg=status, province_arg=prov,
                  province_arg_label=province_label(prov, lang) if prov else "", n_cities=len(df))


# -- one form --------------------------------------------------------------------------------
def _unit(city: str) -> str:
    from rbcity.outputs.web.api.forms import unit_of

    return unit_of(city)


@router.get("/forms/{city}/{year}", response_class=HTMLResponse)
def form_page(request: Request, city: str, year: Year, lang: Lang = "zh", done: str = "", v: int | None = None):
    scope = page_scope(request)
    lang = page_lang(request)
    notice = None
    if done in ("upload", "submit", "return", "accept", "publish") and v is not None:
        notice = i18n.tr(f"done_{done}", lang).format(v=v)
    return _form_response(request, scope, _unit(city), year, notice=notice)


def _form_response(request: Request, scope: Scope, unit: str, year: int, *, status: int = 200,
                   error: str | None = None, notice: str | None = None) -> HTMLResponse:
    """The form page as ``scope`` may see it (403 + audit row outside the scope)."""
    from rbcity.data.reporting.workflow import detail
    from rbcity.outputs.web.api.forms import guarded

    engine = request.app.state.engine
    d = guarded(request, scope, "read", unit, year, lambda: detail(engine, scope, unit, year))
    ctx = _form_ctx(request, scope, d, page_lang(request))
    return render(request, "form.html", "forms", status=status, error=error, notice=notice, **ctx)


def _form_ctx(request: Request, scope: Scope, d: dict, lang: str) -> dict:
    from rbcity.data.reporting.forms import NOTE_PREFIX, items, sheet_rows
    from rbcity.data.reporting.workflow import city_of, deadline
    from rbcity.outputs.web.audit import form_history
    from rbcity.registry.labels import province_label

    engine = request.app.state.engine
    unit, year = d["unit_id"], d["year"]
    name, province = city_of(engine, unit)
    cat = items(engine, unit, year)
    rows_of = sheet_rows(cat)
    item_at = {r: i for i, r in rows_of.items()}
    names = dict(zip(cat["indicator_id"], cat["name_zh" if lang == "zh" else "name_en"], strict=True))
    reported = {v["item"]: v for v in d["values"] if not str(v["item"]).startswith(NOTE_PREFIX)}
    notes = [(v["item"][len(NOTE_PREFIX):], v["text"]) for v in d["values"] if str(v["item"]).startswith(NOTE_PREFIX)]
    rejects = []
    for r in d["rejects"]:
        cell = str(r["cell"] or "")
        item = item_at.get(r["row"]) if r["row"] else None
        rejects.append({"cell": cell, "column": cell.rstrip("0123456789") or cell, "row": r["row"],
                        "item": item, "name": names.get(item, "") if item else "", "raw_value": r["raw_value"],
                        "reason_code": r["reason_code"], "reason": i18n.half(r["reason"], lang)})
    rejected = {r["item"] for r in rejects if r["item"]}
    comments = defaultdict(list)
    for c in d["comments"]:
        comments[c["item"]].append(c)
    value_rows, blank_rows = [], []
    for r in cat.itertuples(index=False):
        stored = None if pd.isna(r.stored) else float(r.stored)
        rep = reported.get(r.indicator_id)
        if stored is not None:
            state, value = "stored", stored
        elif rep is not None:
            state, value = "reported", rep["value"]
        elif r.indicator_id in rejected:
            state, value = "rejected", None
        else:
            state, value = "blank", None
        row = {"id": r.indicator_id, "name": names[r.indicator_id], "unit": r.unit,
               "definition": definition_text(str(r.definition or ""), lang), "section": r.section,
               "section_label": i18n.pair(r.section, DIMENSIONS, lang), "value": value, "state": state,
               "state_label": i18n.tr(f"v_{state}", lang), "cell": f"H{rows_of[r.indicator_id]}",
               "comments": comments.get(r.indicator_id, [])}
        (blank_rows if state == "blank" and not row["comments"] else value_rows).append(row)
    history = []
    last_file = ""
    for h in form_history(engine, unit, year):
        det = h["detail"]
        if h["action"] == "form_upload":
            last_file = det.get("file") or last_file
        history.append({"at": h["at"], "username": h["username"], "action": h["action"],
                        "label": i18n.pair(h["action"], i18n.AUDIT_ACTIONS, lang), "version": det.get("version"),
                        "file": det.get("file") or "", "n_values": det.get("n_values"),
                        "n_rejected": det.get("n_rejected"), "n_comments": len(det.get("comments") or {}),
                        "batch_id": det.get("batch_id")})
    actions = scope.actions_now(d["status"], unit, province)
    return {"unit_id": unit, "city": _city(name, lang), "province": province_label(province, lang), "year": year,
            "form_status": d["status"] or "missing", "status_label": _status(d["status"], lang),
            "version": d["version"], "form_deadline": d.get("deadline") or deadline(year).isoformat(),
            "updated_by": d.get("updated_by") or "", "batch_id": d.get("batch_id"),
            "value_rows": value_rows, "blank_rows": blank_rows, "rejects": rejects, "last_file": last_file,
            "notes": notes, "comments": [{**c, "name": names.get(c["item"], i18n.tr("whole_form", lang)
                                                                   if c["item"] == WHOLE_FORM else c["item"])}
                                         for c in d["comments"]],
            "history": history, "can_upload": "upload" in actions,
            "buttons": [(a, i18n.tr(f"act_{a}", lang)) for a in actions if a != "upload"],
            "can_return": "return" in actions, "scope_label": _scope_label(reader_of(request), scope, lang),
            "xlsx": f"/api/forms/{unit}/{year}/xlsx", "sections": DIMENSIONS}


def _redirect(unit: str, year: int, action: str, version: int, lang: str) -> RedirectResponse:
    return RedirectResponse(i18n.with_lang(f"/forms/{unit}/{year}", f"done={action}&v={version}", lang),
                            status_code=303)


def _refused_now(request: Request, scope: Scope, unit: str, year: int, exc: UserError, seen: int | None,
                 action: str, lang: str) -> HTMLResponse:
    """The form as it is now, with what went wrong: 409 (stale version / status) in words, or
    the error's own status (a file that is not a form, a return without a comment: 422)."""
    from rbcity.data.reporting.workflow import StaleForm, WrongState, detail
    from rbcity.outputs.web.errors import status_of

    status = status_of(exc)
    if isinstance(exc, StaleForm | WrongState):
        now = detail(request.app.state.engine, scope, unit, year)
        label = _status(now["status"], lang)
        if isinstance(exc, StaleForm):
            msg = i18n.tr("stale", lang).format(seen=seen if seen is not None else "—", now=now["version"], status=label)
        else:
            msg = i18n.tr("wrong_state", lang).format(status=label, action=i18n.tr(f"act_{action}", lang))
    else:
        msg = i18n.half(str(exc), lang)
    return _form_response(request, scope, unit, year, status=status, error=msg)


@router.post("/forms/{city}/{year}/upload", response_class=HTMLResponse)
async def form_upload(request: Request, city: str, year: Year, file: Annotated[UploadFile, File()],
                      csrf: Annotated[str, Form()], version: Annotated[str, Form(max_length=12)] = "",
                      lang: Annotated[str, Form()] = "zh"):
    """The reporter's upload from the form page: lands as the draft, rejects listed per cell."""
    from rbcity.outputs.web.api.forms import upload_as

    scope = page_scope(request)  # signed out: 401 before the CSRF check
    check_form_csrf(request, csrf)
    unit = _unit(city)
    lang = "en" if lang == "en" or page_lang(request) == "en" else "zh"
    seen = int(version) if version.strip().isdigit() else None
    data = await file.read(request.app.state.upload_limit + 1)
    try:
        out = upload_as(request, scope, unit, year, data, file.filename or "form.xlsx", seen)
    except ScopeRefused:
        raise
    except UserError as exc:
        return _refused_now(request, scope, unit, year, exc, seen, "upload", lang)
    return _redirect(unit, year, "upload", out["version"], lang)


@router.post("/forms/{city}/{year}/{action}", response_class=HTMLResponse)
async def form_action(request: Request, city: str, year: Year, action: Action):
    """submit / return (comments per cell) / accept / publish from the form page, with the
    version the user saw (a hidden field) and the page's CSRF token."""
    from rbcity.outputs.web.api.forms import act_as
    from rbcity.outputs.web.errors import FieldError

    scope = page_scope(request)
    form = await request.form()
    check_form_csrf(request, str(form.get("csrf") or ""))
    unit = _unit(city)
    lang = "en" if form.get("lang") == "en" or page_lang(request) == "en" else "zh"
    raw = str(form.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 10:
        raise FieldError("version", "缺少所见版本 the version you saw is missing", where="body")
    seen = int(raw)
    comments = None
    if action == "return":
        comments = {k[len(COMMENT):][:64]: str(v).strip()[:MAX_COMMENT] for k, v in form.multi_items()
                    if k.startswith(COMMENT) and isinstance(v, str) and v.strip()}
    try:
        out = act_as(request, scope, unit, year, action, seen, comments)
    except ScopeRefused:
        raise
    except UserError as exc:
        return _refused_now(request, scope, unit, year, exc, seen, action, lang)
    return _redirect(unit, year, action, out["version"], lang)
