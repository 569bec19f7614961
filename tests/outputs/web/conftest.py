"""Fixtures for the web tests: a seeded store, an app on it, a test client, a writing user."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# the web tests share web_seed.py; make it importable under any pytest import mode
sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_seed import seeded_store  # noqa: E402


@pytest.fixture(scope="session")
def web_db(tmp_path_factory):
    """The read-only tests' store (tests that write use :func:`write_client`)."""
    return seeded_store(tmp_path_factory.mktemp("web") / "web.sqlite")


@pytest.fixture(scope="session")
def app(web_db, tmp_path_factory):
    from rbcity.outputs.web.app import create_app

    return create_app(web_db, secret="test-secret", upload_limit=200_000,
                      upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture()
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def write_client(tmp_path_factory):
    """A client on its own seeded store, for tests that import or re-run."""
    from fastapi.testclient import TestClient

    from rbcity.outputs.web.app import create_app

    url = seeded_store(tmp_path_factory.mktemp("webw") / "w.sqlite")
    app = create_app(url, secret="test-secret", upload_dir=str(tmp_path_factory.mktemp("upw")))
    with TestClient(app) as c:
        yield c
