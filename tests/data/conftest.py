"""Fixtures for the statistics tests: a fresh store per test, copied from one template that
already holds the registry and the catalogue (building it once is the slow part)."""

from __future__ import annotations

import pytest

from store_urls import copy_url, fresh_url


@pytest.fixture(scope="session")
def store_template(tmp_path_factory):
    from rbcity.data.importer import ensure_ready
    from rbcity.data.store import open_store

    url = fresh_url(tmp_path_factory.mktemp("tpl") / "template.sqlite")
    engine = open_store(url)
    ensure_ready(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(store_template, tmp_path):
    from rbcity.data.store import open_store

    e = open_store(copy_url(store_template, tmp_path / "store.sqlite"))
    yield e
    e.dispose()


@pytest.fixture(scope="session")
def bundled_engine(tmp_path_factory):
    """A store after the main job's data step (all bundled sources loaded once)."""
    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.store import open_store

    engine = open_store(fresh_url(tmp_path_factory.mktemp('bundled') / 'b.sqlite'))
    reports = ensure_bundled(engine)
    engine.reports = reports
    return engine
