"""The web dashboard and REST API of rbcity: ``create_app(db_url)`` → a FastAPI app.

* ``/api/...`` — JSON (and CSV downloads) for researchers; the OpenAPI schema is at
  ``/openapi.json`` and the interactive docs at ``/docs``. Read endpoints are open and carry an
  ETag derived from the store's data version (``If-None-Match`` → 304).
* ``/`` and the other pages — server-rendered Chinese-first pages (``?lang=en`` for English)
  with HTMX fragments and locally served ECharts.
* Writes (import a file, re-run an engine) need a signed-in user with a writing role; forms
  carry a CSRF token; uploads are limited in size; each write leaves a row in the audit log.
"""

from __future__ import annotations

import hashlib
import tempfile
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from rbcity import __version__
from rbcity.errors import UserError
from rbcity.outputs.web.auth import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    LoginThrottle,
    Sessions,
    secret_key,
)
from rbcity.outputs.web.sources import NotFound, Reader

#: the largest upload accepted (bytes); bigger requests are refused with 413 before reading
UPLOAD_LIMIT = 10 * 1024 * 1024


class FieldError(UserError, ValueError):
    """A bad request parameter; answered as 422 naming the field, like FastAPI's own checks."""

    def __init__(self, field: str, message: str, where: str = "query"):
        super().__init__(message)
        self.field = field
        self.where = where


class WriteRefused(UserError, PermissionError):
    """A write without a user (401) or by a user who may not write / without a CSRF token (403)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class TooManyAttempts(UserError, PermissionError):
    """Too many wrong passwords for one user name in a short time (HTTP 429)."""

    status = 429


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def status_of(exc: UserError) -> int:
    """The HTTP status of a user error: 404 unknown thing, 409 ambiguous name, 422 bad input."""
    from rbcity.registry.resolve import AmbiguousCity, UnknownCity

    if isinstance(exc, UnknownCity | NotFound):
        return 404
    if isinstance(exc, AmbiguousCity):
        return 409
    if isinstance(exc, WriteRefused | TooManyAttempts):
        return exc.status
    from rbcity.outputs.web.importing import Unavailable

    if isinstance(exc, Unavailable):
        return 503
    return getattr(exc, "status", 422)  # errors that carry their own (reporting: 403 scope, 409 stale)


class SessionAndCache:
    """Pure ASGI middleware (no per-request task group): refuses oversized POSTs with 413, loads
    or starts the signed session (``request.state.session``), answers ``If-None-Match`` on API
    reads with 304 from the data version, and sets ETag / Cache-Control / the session cookie."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.datastructures import MutableHeaders

        request = Request(scope)
        fastapi_app = scope["app"]
        st = fastapi_app.state
        path = scope["path"]
        if scope["method"] == "POST":
            n = request.headers.get("content-length")
            if n is not None and n.isdigit() and int(n) > st.upload_limit:
                msg = f"上传过大 upload too large: {int(n)} bytes > limit {st.upload_limit}"
                return await JSONResponse({"detail": msg}, status_code=413)(scope, receive, send)
        static = path.startswith("/static")
        api = path.startswith("/api/")
        sessions: Sessions = st.sessions
        session = None if static else sessions.load(request.cookies.get(SESSION_COOKIE))
        fresh = session is None and not static
        if fresh:
            session = Sessions.new()
        scope.setdefault("state", {})["session"] = session
        etag = None
        if not static and path != "/api/health":
            version = st.reader.version()
            if scope["method"] == "GET" and api:
                key = f"{version}|{path}?{scope.get('query_string', b'').decode('latin-1')}"
                etag = '"' + hashlib.sha1(key.encode()).hexdigest()[:20] + '"'
                if request.headers.get("if-none-match") == etag:
                    resp = Response(status_code=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
                    return await resp(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if etag and message["status"] == 200:
                    headers["ETag"] = etag
                    headers["Cache-Control"] = "no-cache"
                elif not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "private, no-cache"
                new_session = scope["state"].get("new_session")
                if new_session is not None or (fresh and not api):
                    cookie = sessions.dump(new_session if new_session is not None else session)
                    headers.append("Set-Cookie", f"{SESSION_COOKIE}={cookie}; HttpOnly; Max-Age={SESSION_MAX_AGE}; "
                                                 "Path=/; SameSite=lax")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(db_url: str | None = None, *, secret: str | None = None,
               upload_limit: int = UPLOAD_LIMIT, upload_dir: str | None = None) -> FastAPI:
    """The app on the store at ``db_url`` (default ``$RBCITY_DB`` / the user's SQLite file).

    The store is migrated, the registry loaded and the indicator catalogue synced. ``secret`` signs session
    cookies (default ``$RBCITY_SECRET`` or a random key); ``upload_dir`` keeps uploaded files
    between validation and confirmation (default: a temp dir).
    """
    from rbcity.data.importer import ensure_ready
    from rbcity.data.store import open_store

    app = FastAPI(title="rbcity", version=__version__, docs_url=None, redoc_url=None,
                  description="资源型城市可持续发展规划（2013–2020）数据与评估接口 / "
                              "API of China's 2013–2020 plan for resource-based cities. "
                              "Reads are open; writes need HTTP Basic credentials of an account "
                              "made with `rbcity user add`.")
    engine = open_store(db_url)
    ensure_ready(engine)  # registry and indicator catalogue in the store
    app.state.engine = engine
    app.state.reader = Reader(engine)
    app.state.sessions = Sessions(secret or secret_key())
    app.state.throttle = LoginThrottle()
    app.state.upload_limit = upload_limit
    app.state.upload_dir = Path(upload_dir or tempfile.mkdtemp(prefix="rbcity-uploads-"))
    app.state.upload_dir.mkdir(parents=True, exist_ok=True)

    static = resources.files("rbcity.outputs") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    app.add_middleware(SessionAndCache)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        status = status_of(exc)
        if _is_api(request) or isinstance(exc, WriteRefused) and status == 401 and request.method != "GET":
            if isinstance(exc, FieldError):
                body = {"detail": [{"loc": [exc.where, exc.field], "msg": str(exc), "type": "value_error"}]}
            else:
                body = {"detail": str(exc)}
            headers = {"WWW-Authenticate": 'Basic realm="rbcity"'} if status == 401 else None
            return JSONResponse(body, status_code=status, headers=headers)
        from rbcity.outputs.web.pages import error_page

        return error_page(request, exc, status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
                  for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        from rbcity.outputs.web.pages import error_page

        msg = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return error_page(request, FieldError("", msg), 422)

    @app.get("/docs", include_in_schema=False)
    def docs():
        """Swagger UI from the package's static files (FastAPI's default loads it from a CDN)."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="rbcity API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/api/health", tags=["meta"], summary="存活检查 liveness (static, no store read)")
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    from rbcity.outputs.web.api import cities, forms, imports, observations, results, runs

    for mod in (cities, observations, results, runs, imports, forms):
        app.include_router(mod.router, prefix="/api")
    from rbcity.outputs.web import pages

    app.include_router(pages.router)
    return app
