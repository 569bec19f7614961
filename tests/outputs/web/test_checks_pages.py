"""The coverage page counts findings by rule and lists flagged values; the city page shows the
city's own (a store of its own with one held-out value)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "data"))

from checks_seed import seeded_checks_store  # noqa: E402


@pytest.fixture(scope="module")
def checks_client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from rbcity.data.checks import run_checks
    from rbcity.outputs.web.app import create_app

    d = tmp_path_factory.mktemp("webchk")
    engine = seeded_checks_store(d / "c.sqlite")
    run_checks(engine)
    app = create_app(engine.url.render_as_string(hide_password=False), secret="test-secret",
                     upload_dir=str(d / "up"))
    with TestClient(app) as c:
        yield c


def test_coverage_page_counts_findings_by_rule_and_shows_held_out_values(checks_client):
    t = checks_client.get("/coverage").text
    counts = t[t.index('id="checks-counts"'):t.index('id="checks-values"')]
    assert '<tr data-rule="yoy_break"><td>yoy_break</td><td>error</td><td class="num">1</td>' in counts
    assert "⚠" in counts   # 1 of 48 judged changes = 2.08 % > max_share
    values = t[t.index('id="checks-values"'):]
    assert "呼伦贝尔市" in values and "暂不参与计算" in values and values.count("data-finding=") == 1
    en = checks_client.get("/coverage?lang=en").text
    assert "held out of the engines" in en and "Plausibility checks" in en


def test_city_page_shows_its_flagged_values_only(checks_client):
    t = checks_client.get("/cities/150700").text
    assert 'id="checks-values"' in t and "gdp_per_capita" in t[t.index('id="checks-values"'):]
    assert 'id="checks"' not in checks_client.get("/cities/130700").text
