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
from rbcity.outputs.web.auth import SESSION_COOKIE, Sessions, secret_key
from rbcity.outputs.web.errors import FieldError, WriteRefused, status_of
from rbcity.outputs.web.sources import Reader
from rbcity.outputs.web.throttle import LoginThrottle

#: the largest upload accepted (bytes); bigger requests are refused with 413 before reading
UPLOAD_LIMIT = 10 * 1024 * 1024


#: sent with every response: no inline script anywhere (scripts are files under /static), no
#: framing, no MIME sniffing, no full URL in the Referer to other sites
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def trust_proxy() -> bool:
    """``RBCITY_TRUST_PROXY=1``: the server sits behind a reverse proxy whose ``X-Forwarded-Proto``
    and ``X-Forwarded-For`` headers are to be believed (never set it when clients reach the
    server directly: they could then claim any address)."""
    import os

    return os.environ.get("RBCITY_TRUST_PROXY", "") in ("1", "true", "yes")


def is_https(scope, headers) -> bool:
    """Served over HTTPS: directly, or behind a trusted proxy that says so."""
    if scope.get("scheme") == "https":
        return True
    return trust_proxy() and headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


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

        secure = "; Secure" if is_https(scope, request.headers) else ""

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    if k not in headers:
                        headers[k] = v
                if etag and message["status"] == 200:
                    headers["ETag"] = etag
                    headers["Cache-Control"] = "no-cache"
                elif not static and "cache-control" not in headers:
                    headers["Cache-Control"] = "private, no-cache"
                new_session = scope["state"].get("new_session")
                if new_session is not None or (fresh and not api):
                    cookie = sessions.dump(new_session if new_session is not None else session)
                    headers.append("Set-Cookie", f"{SESSION_COOKIE}={cookie}; HttpOnly; "
                                                 f"Max-Age={int(sessions.store.absolute.total_seconds())}; "
                                                 f"Path=/; SameSite=lax{secure}")
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
    from rbcity.outputs.web.sessions import SessionStore

    app.state.sessions = Sessions(secret or secret_key(), SessionStore(engine))
    app.state.throttle = LoginThrottle()
    app.state.upload_limit = upload_limit
    app.state.upload_dir = Path(upload_dir or tempfile.mkdtemp(prefix="rbcity-uploads-"))
    app.state.upload_dir.mkdir(parents=True, exist_ok=True)
    from rbcity.outputs.web.jobs import JobRunner

    app.state.jobs = JobRunner()

    @app.on_event("shutdown")
    def stop() -> None:
        """Stop the job workers; remove the upload folder when it is our own temp folder."""
        import shutil

        app.state.jobs.shutdown()
        if upload_dir is None:
            shutil.rmtree(app.state.upload_dir, ignore_errors=True)

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
            headers = {"WWW-Authenticate": 'Basic realm="rbcity"'} if status == 401 else {}
            if getattr(exc, "retry_after", None):
                headers["Retry-After"] = str(exc.retry_after)
            return JSONResponse(body, status_code=status, headers=headers or None)
        from rbcity.outputs.web.pages.common import error_page

        resp = error_page(request, exc, status)
        if getattr(exc, "retry_after", None):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
                  for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        from rbcity.outputs.web.pages.common import error_page

        msg = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return error_page(request, FieldError("", msg), 422)

    @app.get("/docs", include_in_schema=False)
    def docs():
        """Swagger UI from the package's static files (FastAPI's default loads it from a CDN and
        starts it with an inline script, which the Content-Security-Policy refuses)."""
        from fastapi.responses import HTMLResponse

        return HTMLResponse(
            '<!doctype html><html><head><meta charset="utf-8"><title>rbcity API</title>'
            '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>'
            '<body><div id="swagger-ui"></div>'
            '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
            '<script src="/static/js/swagger-init.js"></script></body></html>')

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/api/health", tags=["meta"], summary="存活检查 liveness (static, no store read)")
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    from rbcity.outputs.web.api import cities, imports, jobs, observations, results, runs

    for mod in (cities, observations, results, runs, imports, jobs):
        app.include_router(mod.router, prefix="/api")
    from rbcity.outputs.web import pages

    app.include_router(pages.router)
    return app
