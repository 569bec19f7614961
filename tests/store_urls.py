"""Store URLs for tests: a SQLite file by default, a fresh PostgreSQL database on request.

``RBCITY_TEST_DB=postgresql`` (or ``pytest --store=postgresql``) makes every store a test
builds a new database on the server named by ``RBCITY_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432``), named ``rbcity_test_<pid>_<n>`` and
dropped when the session ends (``drop_created``, called from ``tests/conftest.py``). Tests
ask for a store through :func:`fresh_url` instead of writing ``sqlite:///…`` so the same test
runs on both stores.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

ENV_BACKEND = "RBCITY_TEST_DB"
ENV_SERVER = "RBCITY_TEST_PG"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PREFIX = "rbcity_test_"

_counter = itertools.count(1)
_created: list[str] = []


def backend() -> str:
    """``postgresql`` or ``sqlite`` (the default)."""
    value = os.environ.get(ENV_BACKEND, "sqlite").strip().lower()
    if value in ("pg", "postgres", "postgresql"):
        return "postgresql"
    return "sqlite"


def is_postgres() -> bool:
    return backend() == "postgresql"


def server_url() -> str:
    return os.environ.get(ENV_SERVER, DEFAULT_SERVER).rstrip("/")


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(f"{server_url()}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            conn.execute(text(sql))
    finally:
        eng.dispose()


def _new_name() -> str:
    name = f"{PREFIX}{os.getpid()}_{next(_counter)}"
    _created.append(name)
    return name


def fresh_url(path: str | Path) -> str:
    """URL of a new, empty store: ``sqlite:///path``, or a new PostgreSQL database."""
    if not is_postgres():
        return f"sqlite:///{path}"
    name = _new_name()
    _admin(f'CREATE DATABASE "{name}"')
    return f"{server_url()}/{name}"


def copy_url(template_url: str, path: str | Path) -> str:
    """URL of a copy of the store at ``template_url`` (whose engines must be disposed)."""
    if not template_url.startswith("postgresql"):
        shutil.copy(template_url.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    name = _new_name()
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_url.rsplit("/", 1)[1]}"')
    return f"{server_url()}/{name}"


def drop_stale() -> None:
    """Drop test databases left by sessions that were killed (their process is gone)."""
    from sqlalchemy import create_engine, text

    eng = create_engine(f"{server_url()}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with eng.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": PREFIX + "%"}).scalars().all()
    finally:
        eng.dispose()
    for name in names:
        pid = name.removeprefix(PREFIX).split("_")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_created() -> None:
    """Drop every database this process created (FORCE closes leftover connections)."""
    while _created:
        name = _created.pop()
        try:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # pragma: no cover - reported, never hides a test result
            print(f"store_urls: could not drop {name}: {exc}")
