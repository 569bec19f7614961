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
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.errors import UserError

SESSION_COOKIE = "rbcity_session"
SESSION_MAX_AGE = 12 * 3600
ROLES = ("analyst", "admin", "viewer")
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
    """The user when the name exists, is enabled and the password matches, else None (same cost
    either way)."""
    with engine.connect() as conn:
        row = conn.execute(select(s.app_user.c.password_hash, s.app_user.c.role, s.app_user.c.disabled_at)
                           .where(s.app_user.c.username == username)).first()
    if row is None:
        verify_password(_DUMMY_HASH, password)  # spend the same time as for a real account
        return None
    ok = verify_password(row.password_hash, password)
    return User(username, row.role) if ok and row.disabled_at is None else None


def get_user(engine: Engine, username: str) -> User | None:
    """The enabled account ``username``, else None."""
    with engine.connect() as conn:
        row = conn.execute(select(s.app_user.c.role, s.app_user.c.disabled_at)
                           .where(s.app_user.c.username == username)).first()
    return User(username, row.role) if row and row.disabled_at is None else None


def list_users(engine: Engine) -> list[dict]:
    """Every account: name, role, created, disabled (time or None), password changed (time or None)."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.app_user.c.username, s.app_user.c.role, s.app_user.c.created_at,
                                   s.app_user.c.disabled_at, s.app_user.c.password_changed_at)
                            .order_by(s.app_user.c.username)).mappings().all()
    return [dict(r) for r in rows]


def _must_exist(conn, username: str) -> None:
    if not conn.execute(select(s.app_user.c.id).where(s.app_user.c.username == username)).first():
        raise AccountError(f"无此用户 no such user: {username}")


def set_password(engine: Engine, username: str, password: str) -> int:
    """Change the password; every session of the user ends. Returns the sessions ended."""
    from rbcity.outputs.web.sessions import end_user_sessions

    if len(password or "") < 8:
        raise AccountError("密码至少8个字符 password must have at least 8 characters")
    with engine.begin() as conn:
        _must_exist(conn, username)
        conn.execute(update(s.app_user).where(s.app_user.c.username == username)
                     .values(password_hash=hash_password(password), password_changed_at=datetime.now(UTC)))
    return end_user_sessions(engine, username, "password_changed")


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> int:
    """Disable (or enable again) an account; disabling ends its sessions. Returns the sessions ended."""
    from rbcity.outputs.web.sessions import end_user_sessions

    with engine.begin() as conn:
        _must_exist(conn, username)
        conn.execute(update(s.app_user).where(s.app_user.c.username == username)
                     .values(disabled_at=datetime.now(UTC) if disabled else None))
    return end_user_sessions(engine, username, "disabled") if disabled else 0


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def secret_key() -> str:
    """``RBCITY_SECRET`` or a fresh random key (sessions then end when the server restarts)."""
    return os.environ.get("RBCITY_SECRET") or secrets.token_urlsafe(32)


class Sessions:
    """Signs and reads the session cookie: ``{"u": username, "n": nonce}`` (nonce also for anonymous
    visitors, so the sign-in form has a CSRF token too). A signed-in cookie also carries ``"s"``,
    the token of its server-side row (:class:`~rbcity.outputs.web.sessions.SessionStore`), and is
    honoured only while that row is live: sign-out and password change end it on the server."""

    def __init__(self, secret: str, store=None):
        self.secret = secret
        self.store = store
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
        if not isinstance(data, dict) or not isinstance(data.get("n"), str):
            return None
        if data.get("u"):  # signed in: only while the server-side session lives
            token = data.get("s")
            if self.store is None or not isinstance(token, str) or not self.store.check(token, data["u"]):
                return None
        return data

    @staticmethod
    def new() -> dict:
        """An anonymous session (a CSRF nonce, no row in the store)."""
        return {"u": None, "n": secrets.token_urlsafe(16)}

    def start(self, username: str) -> dict:
        """A signed-in session with a new nonce (no session fixation) and its server-side row."""
        return {"u": username, "n": secrets.token_urlsafe(16), "s": self.store.start(username)}

    def end(self, session: dict | None, reason: str = "logout") -> None:
        """End the server-side row of a signed-in session (its cookie is refused from now on)."""
        if session and isinstance(session.get("s"), str) and self.store is not None:
            self.store.end(session["s"], reason)

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
