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
        body = "\ufeff" + df.to_csv(index=False)
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


def checked_login(request: Request, username: str, password: str) -> User | None:
    """:func:`authenticate` behind the app's :class:`LoginThrottle` (429 when a name is locked)."""
    from rbcity.outputs.web.errors import TooManyAttempts

    throttle = request.app.state.throttle
    if throttle.blocked(username):
        raise TooManyAttempts(f"密码错误次数过多，请稍后再试 too many wrong passwords for {username!r}; "
                              "try again in a few minutes")
    user = authenticate(request.app.state.engine, username, password)
    if user is None:
        throttle.failed(username)
    else:
        throttle.succeeded(username)
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
