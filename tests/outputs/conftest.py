"""Fixtures for report/map tests: a store with the registry and the hand-written engine runs."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from store_urls import fresh_url

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def fx_engine(tmp_path_factory):
    """Registry + one run per engine from ``engine_rows`` (year 2020)."""
    from engine_rows import write_fixture_observations, write_fixture_runs

    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    engine = open_store(fresh_url(tmp_path_factory.mktemp('fx') / 'fx.sqlite'))
    load_registry_into(engine)
    write_fixture_runs(engine)
    write_fixture_observations(engine)
    return engine


@pytest.fixture(scope="session")
def fx_data(fx_engine):
    from rbcity.outputs.report.context import build_report_data

    return build_report_data(fx_engine, 2020, "zh")


@pytest.fixture(scope="session")
def fx_html(fx_data):
    from rbcity.outputs.report.national import render_national

    return render_national(fx_data, "html")


@pytest.fixture(scope="session")
def fx_html_file(fx_html, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(fx_html, encoding="utf-8")
    return path


class _Tables(HTMLParser):
    """Collects every ``<table data-table=…>`` as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._name = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-table" in a:
            self._name = a["data-table"]
            self.tables[self._name] = []
        elif self._name and tag == "tr":
            self._row = []
        elif self._name and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._name = None
        elif self._name and tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif self._name and tag == "tr" and self._row is not None:
            self.tables[self._name].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    p = _Tables()
    p.feed(html)
    return p.tables


@pytest.fixture(scope="session")
def tables():
    return html_tables
