"""Who may write: accounts (argon2 hashes in ``app_user``), the signed session cookie and CSRF.

Reading is open to everyone; importing data or re-running an engine needs a signed-in user.
Accounts are created from the command line only (``rbcity user add NAME``) — the web has no
sign-up. The session cookie is signed with itsdangerous (``RBCITY_SECRET``, or a random key per
process when unset, which signs everyone out on restart). Forms carry a CSRF token that is an
HMAC of the session's random nonce, so a page from another site cannot post on a user's behalf;
API clients may instead send HTTP Basic credentials, which a browser never adds to a
cross-site form post without the user having typed them for this site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.errors import UserError

SESSION_COOKIE = "rbcity_session"
SESSION_MAX_AGE = 12 * 3600
#: reporter / province_reviewer / national_reviewer: the reporting system's place-scoped roles
#: (``rbcity.data.reporting.scope``); they read and act on forms only, never import directly
ROLES = ("analyst", "admin", "viewer", "reporter", "province_reviewer", "national_reviewer")
#: roles allowed to write (import, re-run an engine); a ``viewer`` is signed in but read-only
WRITE_ROLES = ("analyst", "admin")
_NAME = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}$")
_hasher = PasswordHasher()


class AccountError(UserError, ValueError):
    """A bad user name, a too-short password, or a name that already exists."""


@dataclass(frozen=True)
class User:
    username: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters inside the string)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a mismatch or a broken hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(engine: Engine, username: str, password: str, role: str = "analyst") -> User:
    """Create an account; the name must be new, the password at least 8 characters."""
    if not _NAME.match(username or ""):
        raise AccountError(f"无效的用户名 invalid user name {username!r}: 2–64 letters, digits, _ . - or 汉字")
    if len(password or "") < 8:
        raise AccountError("密码至少8个字符 password must have at least 8 characters")
    if role not in ROLES:
        raise AccountError(f"无效的角色 invalid role {role!r}; allowed: {', '.join(ROLES)}")
    with engine.begin() as conn:
        if conn.execute(select(s.app_user.c.id).where(s.app_user.c.username == username)).first():
            raise AccountError(f"用户已存在 user already exists: {username}")
        conn.execute(insert(s.app_user).values(username=username, password_hash=hash_password(password),
                                               role=role, created_at=datetime.now(UTC)))
    return User(username, role)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user when the name exists and the password matches, else None (same cost either way)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.app_user.c.password_hash, s.app_user.c.role)
                           .where(s.app_user.c.username == username)).first()
    if row is None:
        verify_password(_DUMMY_HASH, password)  # spend the same time as for a real account
        return None
    return User(username, row.role) if verify_password(row.password_hash, password) else None


def get_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(s.app_user.c.role).where(s.app_user.c.username == username)).first()
    return User(username, row.role) if row else None


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def secret_key() -> str:
    """``RBCITY_SECRET`` or a fresh random key (sessions then end when the server restarts)."""
    return os.environ.get("RBCITY_SECRET") or secrets.token_urlsafe(32)


class Sessions:
    """Signs and reads the session cookie: ``{"u": username, "n": nonce}`` (nonce also for anonymous
    visitors, so the sign-in form has a CSRF token too)."""

    def __init__(self, secret: str):
        self.secret = secret
        self._signer = URLSafeTimedSerializer(secret, salt="rbcity-session")

    def dump(self, data: dict) -> str:
        return self._signer.dumps(data)

    def load(self, cookie: str | None) -> dict | None:
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and isinstance(data.get("n"), str) else None

    @staticmethod
    def new(username: str | None = None) -> dict:
        return {"u": username, "n": secrets.token_urlsafe(16)}

    def csrf_token(self, session: dict) -> str:
        """The token a form of this session must send back."""
        mac = hmac.new(self.secret.encode(), f"csrf:{session['n']}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def check_csrf(self, session: dict | None, token: str | None) -> bool:
        return bool(session and token) and hmac.compare_digest(self.csrf_token(session), token)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(name, password) from an ``Authorization: Basic …`` header, else None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    name, sep, password = raw.partition(":")
    return (name, password) if sep else None


class LoginThrottle:
    """At most ``limit`` wrong passwords per user name within ``window`` seconds; then that name
    is refused (HTTP 429) until the window has passed — against password guessing, per process."""

    def __init__(self, limit: int = 5, window: float = 300.0):
        import threading

        self.limit, self.window = limit, window
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> list[float]:
        return [t for t in self._fails.get(name, []) if now - t < self.window]

    def blocked(self, name: str) -> bool:
        import time

        with self._lock:
            return len(self._recent(name, time.monotonic())) >= self.limit

    def failed(self, name: str) -> None:
        import time

        now = time.monotonic()
        with self._lock:
            if len(self._fails) > 10_000:  # bounded memory under a flood of made-up names
                self._fails.clear()
            self._fails[name] = self._recent(name, now) + [now]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(name, None)
