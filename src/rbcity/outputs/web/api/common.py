"""What every router shares: the reader, paging, frame → JSON page or CSV download, the writer."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel

from rbcity.outputs.web.auth import User, authenticate, basic_credentials, get_user
from rbcity.outputs.web.sources import Reader


class Fmt(StrEnum):
    json = "json"
    csv = "csv"


class Page(BaseModel):
    """One page of rows: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


def reader(request: Request) -> Reader:
    return request.app.state.reader


ReaderDep = Annotated[Reader, Depends(reader)]
Limit = Annotated[int, Query(ge=1, le=1000, description="每页行数 rows per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="起始行 first row (0-based)")]
FmtQ = Annotated[Fmt, Query(alias="format", description="json (default) or csv (download)")]


def records(df: pd.DataFrame) -> list[dict]:
    """JSON-safe records: NaN/NA → null, timestamps → ISO strings."""
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))


def page_or_csv(df: pd.DataFrame, limit: int, offset: int, fmt: Fmt, filename: str):
    """A :class:`Page` (JSON) or the whole frame as a CSV attachment (UTF-8 with BOM for Excel)."""
    if fmt == Fmt.csv:
        from rbcity.data.export import neutralise_formulas

        body = "\ufeff" + neutralise_formulas(df).to_csv(index=False)
        return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})
    part = df.iloc[offset: offset + limit]
    return Page(total=len(df), limit=limit, offset=offset, items=records(part))


def current_user(request: Request) -> tuple[User | None, str]:
    """(user, how): from HTTP Basic credentials, else from the session cookie."""
    engine = request.app.state.engine
    creds = basic_credentials(request.headers.get("authorization"))
    if creds is not None:
        return checked_login(request, *creds), "basic"
    name = request.state.session.get("u")
    if not name:
        return None, "session"
    # the account's role, looked up at most once a second per name (as the data version is)
    import time

    cache = request.app.state.__dict__.setdefault("_users", {})
    hit = cache.get(name)
    if hit is None or time.monotonic() - hit[1] > 1.0:
        hit = (get_user(engine, name), time.monotonic())
        cache[name] = hit
    return hit[0], "session"


#: documents HTTP Basic in the OpenAPI schema; the check itself is :func:`require_writer`'s
basic_scheme = HTTPBasic(auto_error=False, realm="rbcity",
                         description="an account made with `rbcity user add NAME`")


def client_address(request: Request) -> str:
    """The client's address: the socket peer, or — with ``RBCITY_TRUST_PROXY=1`` behind a reverse
    proxy — the last address the proxy appended to ``X-Forwarded-For``."""
    from rbcity.outputs.web.app import trust_proxy

    peer = request.client.host if request.client else ""
    if trust_proxy():
        fwd = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
        if fwd:
            return fwd[-1][:64]
    return peer[:64]


def checked_login(request: Request, username: str, password: str) -> User | None:
    """:func:`authenticate` behind the app's :class:`~rbcity.outputs.web.throttle.LoginThrottle`:
    429 with ``Retry-After`` while the name or the address must wait; every wrong password and
    every back-off it starts goes to the audit log."""
    import math

    from rbcity.outputs.web import audit
    from rbcity.outputs.web.errors import TooManyAttempts

    throttle = request.app.state.throttle
    engine = request.app.state.engine
    address = client_address(request)
    name = (username or "")[:64] or "?"
    wait = throttle.wait(name, address)
    if wait > 0:
        raise TooManyAttempts(f"尝试过于频繁，请 {math.ceil(wait)} 秒后再试 too many wrong passwords; "
                              f"try again in {math.ceil(wait)} s", retry_after=math.ceil(wait))
    user = authenticate(engine, username, password)
    if user is None:
        imposed = throttle.failed(name, address)
        audit.record(engine, name, "login_failed", address=address, path=request.url.path)
        if imposed > 0:
            audit.record(engine, name, "login_throttled", address=address, retry_after=math.ceil(imposed))
    else:
        throttle.succeeded(name, address)
    return user


def require_writer(request: Request,
                   _creds: Annotated[HTTPBasicCredentials | None, Depends(basic_scheme)] = None) -> User:
    """The signed-in user allowed to write: 401 without one, 403 for a read-only account or a
    cookie session whose request lacks the CSRF token (header ``X-CSRF-Token`` or form field)."""
    from rbcity.outputs.web.errors import WriteRefused

    user, how = current_user(request)
    if user is None:
        raise WriteRefused("需要登录 sign-in required: send HTTP Basic credentials of an rbcity account", 401)
    if not user.can_write:
        raise WriteRefused(f"用户 {user.username} 无写权限 user {user.username} may not write (role {user.role})", 403)
    if how == "session":
        token = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
        if not request.app.state.sessions.check_csrf(request.state.session, token):
            raise WriteRefused("CSRF 校验失败 CSRF token missing or wrong", 403)
    return user


WriterDep = Annotated[User, Depends(require_writer)]
