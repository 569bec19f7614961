"""What every page shares: the templates, the rendering with language/user/CSRF context, the
per-version cache for visitors, number and time filters, and the engine-result helpers.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rbcity.data.reporting.scope import REPORTING_ROLES
from rbcity.outputs.web import i18n
from rbcity.outputs.web.sources import Reader

templates = Jinja2Templates(directory=str(resources.files("rbcity.outputs") / "templates" / "web"))

NAV = ["overview", "cities", "transitions", "targets", "programmes", "warnings", "exhausted", "coverage", "import"]
NAV_PATHS = {"overview": "/", "cities": "/cities", "transitions": "/transitions", "targets": "/targets",
             "programmes": "/programmes", "warnings": "/warnings", "exhausted": "/exhausted",
             "coverage": "/coverage", "import": "/import", "forms": "/forms"}
#: roles that see the ``forms`` link (the reporting roles and admin; the link depends on the role
#: only, so pages served by :func:`read_page_cached` stay per-role)
FORMS_NAV_ROLES = (*REPORTING_ROLES, "admin")

Lang = Annotated[str, Query(pattern="^(zh|en)$")]


def page_lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def signed_in_user(request: Request):
    from rbcity.outputs.web.api.common import current_user

    if getattr(request.state, "session", None) is None:
        return None
    return current_user(request)[0] if request.state.session.get("u") else None


#: stand-ins rendered into a cached signed-in page, replaced per request by the user's own name
#: and CSRF token (a token is 64 hex digits; the name is HTML-escaped when put in)
_USER_MARK = "rbcity-user-mark-5f0c"
_CSRF_MARK = "rbcity-csrf-mark-" + "0" * 47


def render(request: Request, template: str, page: str, status: int = 200, **ctx) -> HTMLResponse:
    """Render ``template`` with the shared context: language, words, links, user, CSRF token."""
    lang = page_lang(request)
    session = getattr(request.state, "new_session", None) or getattr(request.state, "session", None)
    user = signed_in_user(request)
    csrf = request.app.state.sessions.csrf_token(session) if session else ""
    if user is not None and getattr(request.state, "render_marks", False):
        from rbcity.outputs.web.auth import User

        user, csrf = User(_USER_MARK, user.role), _CSRF_MARK
    base = {
        "lang": lang, "page": page,
        "t": lambda key: i18n.tr(key, lang),
        "u": lambda path, **q: i18n.with_lang(path, "&".join(f"{k}={v}" for k, v in q.items() if v not in (None, "")), lang),
        "switch_url": i18n.with_lang(request.url.path, request.url.query, "zh" if lang == "en" else "en"),
        "nav": [(k, NAV_PATHS[k]) for k in NAV] + (
            [("forms", NAV_PATHS["forms"])] if user is not None and user.role in FORMS_NAV_ROLES else []),
        "user": user, "csrf": csrf,
        "import_fields": i18n.IMPORT_FIELDS,
        "batch_status": lambda k: i18n.pair(k, i18n.BATCH_STATUSES, lang),
    }
    return templates.TemplateResponse(request, template, base | ctx, status_code=status)


def read_page_cached(request: Request, make) -> HTMLResponse:
    """A read page rendered once per data version, URL, kind (full page or HTMX fragment) and
    role, then served from the reader's cache.

    For a visitor the page holds nothing personal. For a signed-in user it is rendered with
    stand-ins for the name and the CSRF token, which each request replaces with its own, so a
    page read costs a dictionary lookup and two replacements instead of a template render (the
    200-user load test of issue 12). Pages served this way must depend on the user only through
    the role — never list what one account may see and another of the same role may not."""
    import html

    user = signed_in_user(request) if request.state.session.get("u") else None
    key = ("html", request.url.path, request.url.query, request.headers.get("hx-request") == "true",
           user.role if user else None)

    def build():
        request.state.render_marks = user is not None
        try:
            resp = make()
        finally:
            request.state.render_marks = False
        return resp.body, resp.status_code

    body, status = reader_of(request).cached(key, build)
    if user is not None:
        session = request.state.session
        body = (body.replace(_USER_MARK.encode(), html.escape(user.username).encode())
                .replace(_CSRF_MARK.encode(), request.app.state.sessions.csrf_token(session).encode()))
    return HTMLResponse(body, status_code=status)


def error_page(request: Request, exc: Exception, status: int) -> HTMLResponse:
    return render(request, "error.html", "", status=status, message=str(exc), status_code=status)


def reader_of(request: Request) -> Reader:
    return request.app.state.reader


def _num(v, digits: int = 2, fixed: bool = False) -> str:
    """A number for a table cell: ``digits`` decimals, trailing zeros dropped unless ``fixed``
    (a column of scores reads 54.0 beside 54.1, not 54)."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "—"
    if isinstance(v, float):
        s = f"{v:.{digits}f}"
        return s if fixed else (s.rstrip("0").rstrip(".") if "." in s else s)
    return f"{v:.{digits}f}" if fixed and isinstance(v, int) else str(v)


def _when(v) -> str:
    """A stored time (UTC) in China's local time, labelled: 'YYYY-MM-DD HH:MM (UTC+8)'."""
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError):
        return str(v or "")
    if ts is pd.NaT:
        return ""
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M") + " (UTC+8)"


templates.env.filters["num"] = _num
templates.env.filters["when"] = _when


def year_arg(year: str | None) -> int | None:
    from rbcity.outputs.web.errors import FieldError

    if year in (None, ""):
        return None
    if not str(year).isdigit() or not 1949 <= int(year) <= 2100:
        raise FieldError("year", f"无效的年份 invalid year {year!r}")
    return int(year)


def engine_results(reader: Reader, engine: str, year: int | None) -> tuple[pd.DataFrame, dict | None]:
    """The engine's results for ``year``; for no year, those of the newest year whose run has
    results (an engine run for a year without data stores an empty run)."""
    if year is None:
        years = reader.result_years(engine)
        from rbcity.outputs.report.results import has_results

        for y in reversed(years):  # rows with empty values are no results (e.g. data end earlier)
            if has_results(engine, reader.results(engine, y)):
                year = y
                break
        else:
            year = years[-1] if years else None
    run = reader.latest_run(engine, year)
    if run is None:
        return pd.DataFrame(columns=["unit_id", "year"]), None
    return reader.results(engine, year), run


def with_names(reader: Reader, df: pd.DataFrame) -> pd.DataFrame:
    names = reader.cities()[["unit_id", "name", "province", "type_2013"]].rename(
        columns={"type_2013": "registry_type_2013"})
    return df.merge(names, on="unit_id", how="left")


def check_form_csrf(request: Request, token: str) -> None:
    from rbcity.outputs.web.errors import WriteRefused

    if not request.app.state.sessions.check_csrf(request.state.session, token):
        raise WriteRefused("CSRF 校验失败，请刷新页面重试 CSRF token missing or wrong; reload the page", 403)


def page_writer(request: Request):
    """The signed-in writing user of a page request, or a 401/403 error page."""
    from rbcity.outputs.web.errors import WriteRefused

    user = signed_in_user(request)
    if user is None:
        raise WriteRefused(i18n.tr("sign_in_required", page_lang(request)), 401)
    if not user.can_write:
        raise WriteRefused(f"用户 {user.username} 无写权限 user {user.username} may not write", 403)
    return user


def lang_part(text: str, lang: str) -> str:
    """The Chinese or English half of an engine's "中文 / English" text (the report's rule)."""
    from rbcity.outputs.terms import lang_part as _part

    return _part(text, lang)


def json_list(text) -> list:
    if not isinstance(text, str) or not text:
        return []
    try:
        v = json.loads(text)
    except ValueError:
        return [text]
    return v if isinstance(v, list) else [v]
