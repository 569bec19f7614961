"""Opening the store: the database URL, migrations to the current schema, transactions.

The embedded default is a SQLite file in the user's data directory
(``platformdirs.user_data_dir('rbcity')/rbcity.sqlite``); ``RBCITY_DB`` or ``--db`` takes
any SQLAlchemy URL (``postgresql+psycopg://user@host/db`` for a shared server). Migrations
are Alembic's, run programmatically so a user never calls ``alembic`` by hand.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

ENV_VAR = "RBCITY_DB"
#: seconds a SQLite connection waits for another writer before "store busy" (engineering default)
BUSY_TIMEOUT_VAR = "RBCITY_DB_BUSY_TIMEOUT"
BUSY_TIMEOUT = 60.0
SETUP_LOCK_KEY = 0x72626373  # 'rbcs': PostgreSQL advisory lock around migrations and first loads


def default_url() -> str:
    """``$RBCITY_DB`` if set, else a SQLite file in the user's data directory."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    from platformdirs import user_data_dir

    path = Path(user_data_dir("rbcity", appauthor=False)) / "rbcity.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`default_url`), with SQLite's foreign keys on."""
    url = url or default_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    args = {}
    if url.startswith("sqlite"):
        args["timeout"] = float(os.environ.get(BUSY_TIMEOUT_VAR) or BUSY_TIMEOUT)
    engine = create_engine(url, future=True, connect_args=args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("rbcity.data") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version of rbcity."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def setup_lock(engine: Engine) -> Iterator[None]:
    """Hold the store's setup lock: migrations and first loads run once even when several
    processes open a new store at once (a file lock beside a SQLite file, a session advisory
    lock on PostgreSQL; an in-memory database needs none)."""
    if engine.dialect.name == "sqlite":
        db = engine.url.database
        if not db or db == ":memory:":
            yield
            return
        import fcntl

        with open(f"{db}.setup.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SETUP_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SETUP_LOCK_KEY})
                conn.commit()
        return
    yield  # pragma: no cover - other databases: no lock


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (no-op when it is already there); safe when
    several processes do it at once (:func:`setup_lock`)."""
    if current_revision(engine) == head_revision():
        return
    with setup_lock(engine):
        if current_revision(engine) == head_revision():  # another process did it meanwhile
            return
        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def open_store(url: str | None = None) -> Engine:
    """An engine on a migrated store: what every command starts with."""
    engine = get_engine(url)
    upgrade(engine)
    return engine
