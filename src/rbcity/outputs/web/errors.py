"""The web layer's error types and their HTTP statuses, in one module that the app, the API routers
and the pages all import (no import circle through ``app.py``)."""

from __future__ import annotations

from rbcity.errors import UserError


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
    """Too many wrong passwords for a user name or from an address: wait ``retry_after`` seconds
    (HTTP 429 with ``Retry-After``)."""

    status = 429

    def __init__(self, message: str, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Busy(UserError, RuntimeError):
    """The job queue is full: try again in ``retry_after`` seconds (HTTP 503 with ``Retry-After``)."""

    status = 503

    def __init__(self, message: str, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(UserError, RuntimeError):
    """A feature whose lower layer is not installed in this build (answered as 503)."""


def status_of(exc: UserError) -> int:
    """The HTTP status of a user error: 404 unknown thing, 409 ambiguous name, 422 bad input."""
    from rbcity.outputs.web.sources import NotFound
    from rbcity.registry.resolve import AmbiguousCity, UnknownCity

    if isinstance(exc, UnknownCity | NotFound):
        return 404
    if isinstance(exc, AmbiguousCity):
        return 409
    if isinstance(exc, WriteRefused | TooManyAttempts):
        return exc.status
    if isinstance(exc, Unavailable | Busy):
        return 503
    return 422
