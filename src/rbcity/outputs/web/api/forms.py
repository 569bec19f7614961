"""``/api/forms``: the statistics reporting system (统计报表) — a city's annual form as XLSX,
uploads that land as drafts, review actions, and the completion dashboard.

Nothing here is public: every route needs a signed-in user, and every route checks the user's
place scope (:mod:`rbcity.data.reporting.scope`) — a reporter sees and acts on its own city, a
province reviewer on its province's cities, a national reviewer or admin on all. A request
outside the scope answers 403 and leaves an ``audit_log`` row (``scope_violation``); every
upload and transition leaves one too. Stale versions answer 409 (optimistic locking).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from fastapi.security import HTTPBasicCredentials

from rbcity.data.reporting.scope import Scope, ScopeRefused, scope_of
from rbcity.outputs.web.api.common import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    basic_scheme,
    current_user,
    records,
)

router = APIRouter(tags=["forms"], responses=READ_RESPONSES)

Year = Annotated[int, Path(ge=2000, le=2100, description="报告年份 reporting year")]
YearQ = Annotated[int, Query(ge=2000, le=2100, description="报告年份 reporting year")]
City = Annotated[str, Path(min_length=1, max_length=64, description="城市代码或名称 city code or name")]
Action = Annotated[str, Path(pattern="^(submit|return|accept|publish)$")]
FORBIDDEN = {401: {"description": "no user"}, 403: {"description": "outside the user's scope"},
             404: {"description": "unknown city"}, 409: {"description": "stale version or wrong status"},
             422: {"description": "bad parameter"},
             429: {"description": "too many wrong passwords: wait Retry-After seconds"}}


def reporting_user(request: Request,
                   _creds: Annotated[HTTPBasicCredentials | None, Depends(basic_scheme)] = None) -> Scope:
    """The signed-in user's scope: 401 without a user; a cookie session's POST needs CSRF."""
    from rbcity.outputs.web.errors import WriteRefused

    user, how = current_user(request)
    if user is None:
        raise WriteRefused("需要登录 sign-in required: send HTTP Basic credentials of an rbcity account", 401)
    if how == "session" and request.method == "POST":
        token = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
        if not request.app.state.sessions.check_csrf(request.state.session, token):
            raise WriteRefused("CSRF 校验失败 CSRF token missing or wrong", 403)
    return scope_of(request.app.state.engine, user.username) or Scope(user.username, user.role)


ScopeDep = Annotated[Scope, Depends(reporting_user)]


def unit_of(city: str) -> str:
    """A city's code from its code or name (UnknownCity / AmbiguousCity otherwise)."""
    from rbcity.registry.resolve import resolve_city

    return city if city.isdigit() and len(city) == 6 else resolve_city(city).unit_id


def guarded(request: Request, scope: Scope, what: str, unit_id: str, year: int, fn):
    """Run ``fn``; a :class:`ScopeRefused` leaves an audit row before it becomes the 403."""
    from rbcity.outputs.web.audit import record

    try:
        return fn()
    except ScopeRefused:
        record(request.app.state.engine, scope.username, "scope_violation", what=what, unit_id=unit_id,
               year=year, role=scope.role, path=request.url.path)
        raise


def upload_as(request: Request, scope: Scope, unit: str, year: int, data: bytes, file: str,
              version: int | None) -> dict[str, Any]:
    """An upload by ``scope`` (the API's and the form page's): the workflow's checks, a 403 with
    its audit row outside the scope, a ``form_upload`` audit row when it lands."""
    from rbcity.data.reporting.workflow import upload
    from rbcity.outputs.web.audit import record

    engine = request.app.state.engine
    out = guarded(request, scope, "upload", unit, year, lambda: upload(
        engine, scope, unit, year, data, file=file, version=version))
    record(engine, scope.username, "form_upload", unit_id=unit, year=year, version=out["version"],
           n_values=out["n_values"], n_rejected=out["n_rejected"], file=file)
    return out


def act_as(request: Request, scope: Scope, unit: str, year: int, action: str, version: int,
           comments: dict[str, str] | None) -> dict[str, Any]:
    """submit / return / accept / publish by ``scope`` through :func:`workflow.act` (the API's
    and the form page's): 403 + audit row outside the scope, 409 on a stale version, a
    ``form_<action>`` audit row when it happens; a publication refreshes the data version."""
    from rbcity.data.reporting.workflow import act
    from rbcity.outputs.web.audit import record

    engine = request.app.state.engine
    out = guarded(request, scope, action, unit, year, lambda: act(
        engine, scope, unit, year, action, version=version, comments=comments))
    record(engine, scope.username, f"form_{action}", unit_id=unit, year=year, version=out["version"],
           comments=comments or None, batch_id=out["batch_id"])
    if action == "publish":
        request.app.state.reader.version(force=True)
    return out


@router.get("/forms", summary="报表完成情况（按城市） completion of the year's forms, by city in the user's scope",
            responses={401: {"description": "no user"}})
def list_forms(request: Request, scope: ScopeDep, year: YearQ) -> dict[str, Any]:
    from rbcity.data.reporting.workflow import dashboard, dashboard_by_province

    df = dashboard(request.app.state.engine, scope, year)
    return {"year": year, "scope": {"role": scope.role, "unit_id": scope.unit_id, "province": scope.province},
            "provinces": records(dashboard_by_province(df)) if len(df) else [], "cities": records(df)}


@router.get("/forms/{city}/{year}", summary="一张报表 one city's form: status, values, rejects per cell, comments",
            responses=FORBIDDEN)
def get_form(request: Request, scope: ScopeDep, city: City, year: Year) -> dict[str, Any]:
    from rbcity.data.reporting.workflow import detail

    unit = unit_of(city)
    return guarded(request, scope, "read", unit, year, lambda: detail(request.app.state.engine, scope, unit, year))


@router.get("/forms/{city}/{year}/xlsx", summary="下载报表 the form as an Excel workbook (stored values locked)",
            responses={**FORBIDDEN, 200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def download_form(request: Request, scope: ScopeDep, city: City, year: Year):
    from rbcity.data.reporting.forms import build_workbook
    from rbcity.data.reporting.workflow import check_read, city_of

    engine = request.app.state.engine
    unit = unit_of(city)

    def build():
        check_read(scope, unit, city_of(engine, unit)[1])
        return build_workbook(engine, unit, year)

    body = guarded(request, scope, "download", unit, year, build)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="form_{unit}_{year}.xlsx"'})


@router.post("/forms/{city}/{year}", summary="上传报表 upload a filled form: lands as a draft, rejects per cell",
             responses={**WRITE_RESPONSES, **FORBIDDEN, 422: {"description": "not a form"}})
async def upload_form(request: Request, scope: ScopeDep, city: City, year: Year,
                      file: Annotated[UploadFile, File()],
                      version: Annotated[int | None, Form(ge=0, le=2**31 - 1)] = None) -> dict[str, Any]:
    data = await file.read(request.app.state.upload_limit + 1)
    return upload_as(request, scope, unit_of(city), year, data, file.filename or "form.xlsx", version)


@router.post("/forms/{city}/{year}/{action}", summary="报表流转 submit / return (comments per cell) / accept / publish",
             responses={**WRITE_RESPONSES, **FORBIDDEN})
def act_on_form(request: Request, scope: ScopeDep, city: City, year: Year, action: Action,
                version: Annotated[int, Body(ge=0, le=2**31 - 1, description="the version the user saw")],
                comments: Annotated[dict[str, str] | None, Body(description="item → comment (return)")] = None,
                ) -> dict[str, Any]:
    return act_as(request, scope, unit_of(city), year, action, version, comments)
