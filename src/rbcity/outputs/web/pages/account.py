"""Sign-in and sign-out and the audit log (re-running the engines is :mod:`.rerun`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import (
    Lang,
    check_form_csrf,
    page_lang,
    page_writer,
    render,
)

router = APIRouter(include_in_schema=False)


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

    check_form_csrf(request, csrf)
    user = checked_login(request, username, password)
    if user is None:
        return render(request, "login.html", "login", status=401, next=_local(next), failed=True)
    request.state.new_session = request.app.state.sessions.start(user.username)  # no session fixation
    audit.record(request.app.state.engine, user.username, "login")
    target = _local(next)
    return RedirectResponse(i18n.with_lang(target.split("?")[0], target.partition("?")[2], lang),
                            status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.auth import Sessions

    check_form_csrf(request, csrf)
    request.app.state.sessions.end(request.state.session, "logout")
    request.state.new_session = Sessions.new()
    if request.state.session.get("u"):
        from rbcity.outputs.web import audit

        audit.record(request.app.state.engine, request.state.session["u"], "logout")
    return RedirectResponse(i18n.with_lang("/", "", lang), status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, lang: Lang = "zh"):
    from rbcity.outputs.web.audit import audit_frame

    page_writer(request)
    _, df = audit_frame(request.app.state.engine)
    lang = page_lang(request)
    rows: list[dict[str, Any]] = [{**r, "detail": json.dumps(r["detail"], ensure_ascii=False) if r["detail"] else "",
                                   "action_label": i18n.pair(r["action"], i18n.AUDIT_ACTIONS, lang)}
                                  for r in df.to_dict("records")]
    return render(request, "audit.html", "audit", rows=rows)
