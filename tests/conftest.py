"""Shared fixtures: every test that touches a store gets its own store.

A SQLite file by default; with ``RBCITY_TEST_DB=postgresql`` (or ``--store=postgresql``) a
fresh PostgreSQL database per store, dropped at the end of the session (see ``store_urls``).
"""

from __future__ import annotations

import os

import pytest

from store_urls import ENV_BACKEND, drop_created, fresh_url


def pytest_addoption(parser):
    parser.addoption("--store", choices=("sqlite", "postgresql"), default=None,
                     help="the store the tests run against (default: $RBCITY_TEST_DB or sqlite)")


def pytest_configure(config):
    if config.getoption("--store"):
        os.environ[ENV_BACKEND] = config.getoption("--store")
    from store_urls import drop_stale, is_postgres

    if is_postgres():
        drop_stale()


def pytest_report_header(config):
    from store_urls import backend, server_url

    return f"rbcity test store: {backend()}" + (f" at {server_url()}" if backend() == "postgresql" else "")


def pytest_sessionfinish(session, exitstatus):
    drop_created()


@pytest.fixture(autouse=True, scope="session")
def _isolated_store(tmp_path_factory):
    """Point the default store at a temp file so no test writes to the user's data dir."""
    path = tmp_path_factory.mktemp("store") / "session.sqlite"
    old = os.environ.get("RBCITY_DB")
    os.environ["RBCITY_DB"] = fresh_url(path)
    yield
    if old is None:
        os.environ.pop("RBCITY_DB", None)
    else:
        os.environ["RBCITY_DB"] = old


@pytest.fixture(scope="session")
def registry_engine(tmp_path_factory):
    """A migrated store with the registry loaded (shared by read-only tests)."""
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    engine = open_store(fresh_url(tmp_path_factory.mktemp('reg') / 'reg.sqlite'))
    load_registry_into(engine)
    return engine


@pytest.fixture(scope="session")
def bundled_engine(tmp_path_factory):
    """A store with the registry and all bundled real data loaded, once per test session.

    Read-only for tests: a test that writes must make its own store.
    """
    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    engine = open_store(fresh_url(tmp_path_factory.mktemp('bundled') / 'bundled.sqlite'))
    load_registry_into(engine)
    ensure_bundled(engine)
    return engine
