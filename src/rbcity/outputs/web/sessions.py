"""Server-side sessions of signed-in users (table ``web_session``), so that a session can end.

The cookie stays a signed ``{"u", "n"}`` dict (``n`` is the CSRF nonce; anonymous visitors get
one too, without any row in the store). A signed-in session adds ``"s"``: a random token whose
SHA-256 is the row's id. A signed-in cookie is honoured only while its row exists and has not
ended, and the account is enabled and its password unchanged since sign-in; the row ends on
sign-out, password change, account disable, and after the idle or absolute timeout
(``config/web.yaml``). A copied cookie is therefore worthless after any of these.

A live check is remembered for ``recheck`` seconds (``config/web.yaml``, 1 s) so that a signed-in
page read costs no store query; an end made in this process (sign-out, a password change or
disable through :func:`end_user_sessions`) forgets every remembered check at once, and one made
by another process (``rbcity user passwd`` on the command line) takes effect within ``recheck``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
import threading
import time
from functools import lru_cache

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s


@lru_cache(maxsize=1)
def web_config() -> dict:
    """``config/web.yaml`` (the web server's engineering defaults)."""
    from importlib import resources

    import yaml

    return yaml.safe_load((resources.files("rbcity.config") / "web.yaml").read_text(encoding="utf-8"))


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


#: bumped by every session end in this process; remembered checks older than it are void
_ENDS = [0]
_ENDS_LOCK = threading.Lock()


def _ended() -> None:
    with _ENDS_LOCK:
        _ENDS[0] += 1


def _sid(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Start, check and end the ``web_session`` rows of one store."""

    def __init__(self, engine: Engine, idle: float | None = None, absolute: float | None = None):
        cfg = web_config()["session"]
        self.engine = engine
        self.idle = timedelta(seconds=idle if idle is not None else cfg["idle_timeout"])
        self.absolute = timedelta(seconds=absolute if absolute is not None else cfg["absolute_timeout"])
        self.touch_every = timedelta(seconds=cfg["touch_every"])
        self.recheck = float(cfg.get("recheck", 1.0))
        self._live: dict[str, tuple[str, float, int]] = {}  # sid → (username, checked at, ends seen)

    def start(self, username: str) -> str:
        """A new session for ``username``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(insert(s.web_session).values(id=_sid(token), username=username, created_at=now,
                                                      last_seen=now))
        return token

    def check(self, token: str, username: str, now: datetime | None = None) -> bool:
        """True while the session of ``token`` is live for ``username``; ends it when it has
        timed out, and records activity (at most every ``touch_every``)."""
        sid = _sid(token)
        hit = self._live.get(sid) if now is None else None
        if hit is not None and hit[0] == username and hit[2] == _ENDS[0] \
                and time.monotonic() - hit[1] < self.recheck:
            return True
        now = now or _now()
        ends_seen = _ENDS[0]  # taken before the read: an end committed meanwhile voids this check
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.web_session.c.username, s.web_session.c.created_at, s.web_session.c.last_seen,
                       s.web_session.c.ended_at, s.app_user.c.disabled_at, s.app_user.c.password_changed_at)
                .select_from(s.web_session.outerjoin(s.app_user, s.app_user.c.username == s.web_session.c.username))
                .where(s.web_session.c.id == sid)).first()
        if row is None or row.ended_at is not None or row.username != username:
            return False
        created, seen = _aware(row.created_at), _aware(row.last_seen)
        changed = _aware(row.password_changed_at)
        if row.disabled_at is not None:
            self._end(sid, "disabled", now)
            return False
        if changed is not None and changed > created:
            self._end(sid, "password_changed", now)
            return False
        if now - seen > self.idle:
            self._end(sid, "idle_timeout", now)
            return False
        if now - created > self.absolute:
            self._end(sid, "absolute_timeout", now)
            return False
        if now - seen > self.touch_every:
            with self.engine.begin() as conn:
                conn.execute(update(s.web_session).where(s.web_session.c.id == sid).values(last_seen=now))
        if len(self._live) > 10_000:  # bounded: forget everything rather than grow
            self._live.clear()
        self._live[sid] = (username, time.monotonic(), ends_seen)
        return True

    def _end(self, sid: str, reason: str, now: datetime | None = None) -> None:
        self._live.pop(sid, None)
        with self.engine.begin() as conn:
            conn.execute(update(s.web_session)
                         .where(and_(s.web_session.c.id == sid, s.web_session.c.ended_at.is_(None)))
                         .values(ended_at=now or _now(), end_reason=reason))
        _ended()

    def end(self, token: str, reason: str = "logout") -> None:
        """End one session (sign-out)."""
        self._end(_sid(token), reason)


def end_user_sessions(engine: Engine, username: str, reason: str) -> int:
    """End every live session of ``username`` (password change, disable); returns how many."""
    with engine.begin() as conn:
        res = conn.execute(update(s.web_session)
                           .where(and_(s.web_session.c.username == username, s.web_session.c.ended_at.is_(None)))
                           .values(ended_at=_now(), end_reason=reason))
    _ended()
    return int(res.rowcount or 0)
