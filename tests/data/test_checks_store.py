"""Findings in the store: held out of the engines' panel, kept in step with a rerun, confirmed
(audited) or corrected through a new revision that is checked afresh."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks_seed import import_values as _import  # noqa: E402
from checks_seed import seeded_checks_store  # noqa: E402


@pytest.fixture
def store(tmp_path):
    return seeded_checks_store(tmp_path / "checks.sqlite")


def test_a_flagged_value_is_held_out_of_the_engine_panel_until_confirmed(store):
    from rbcity.data import schema as s
    from rbcity.data.checks import confirm, held_out, list_findings, run_checks
    from rbcity.data.panel import load_engine_panel, load_panel

    run = run_checks(store)
    assert run.changes == {"new": 1, "kept": 0, "dropped": 0, "superseded": 0}
    f = list_findings(store)
    assert list(zip(f["rule"], f["unit_id"], f["year"], f["indicator_id"], f["status"], strict=True)) == [
        ("yoy_break", "150700", 2012, "gdp_per_capita", "open")]
    assert f["detail"][0]["ratio"] == pytest.approx(0.2, rel=1e-3)
    held = held_out(store)
    assert list(held["name"]) == ["呼伦贝尔市"] and "yoy_break" in held["reason"][0]
    panel, dropped = load_engine_panel(store)
    assert len(panel) == len(load_panel(store)) - 1 == 6 * 9 - 1
    assert not ((panel.unit_id == "150700") & (panel.year == 2012)).any()
    assert list(dropped["year"]) == [2012]
    # a filter that excludes the value also excludes it from "held"
    _, none = load_engine_panel(store, years=[2011])
    assert none.empty

    # a second run keeps the finding (no duplicate)
    assert run_checks(store).changes == {"new": 0, "kept": 1, "dropped": 0, "superseded": 0}

    confirm(store, int(f["id"][0]), "analyst", "checked against the 2013 yearbook")
    assert held_out(store).empty
    assert len(load_engine_panel(store)[0]) == 6 * 9
    with store.connect() as conn:
        a = conn.execute(select(s.audit_log.c.username, s.audit_log.c.action, s.audit_log.c.detail)
                         .where(s.audit_log.c.action == "checks.confirm")).one()
    assert a.username == "analyst" and a.detail["finding"] == int(f["id"][0]) and a.detail["value"] > 0
    # a confirmed finding is not reopened by the next run
    run_checks(store)
    assert list(list_findings(store)["status"]) == ["confirmed"]


def test_confirm_needs_a_note_and_an_existing_finding(store):
    from rbcity.data.checks import confirm, run_checks
    from rbcity.data.checks.findings import FindingNotFound
    from rbcity.errors import UserError

    run_checks(store)
    with pytest.raises(UserError, match="note"):
        confirm(store, 1, "a", "  ")
    with pytest.raises(FindingNotFound):
        confirm(store, 999, "a", "x")


def test_a_corrected_value_is_a_new_revision_and_is_checked_afresh(store):
    from rbcity.data.audit import history
    from rbcity.data.checks import held_out, list_findings, run_checks
    from rbcity.data.checks.correct import correct

    run_checks(store)
    fid = int(list_findings(store)["id"][0])
    finding, rep, run = correct(store, fid, 60000.0, "analyst", "2013 yearbook p. 42")
    assert rep.n_revised == 1 and run.changes["new"] == 0
    h = history(store, "150700", "gdp_per_capita")
    h12 = h[h.year == 2012]
    assert list(h12["revision"]) == [1, 2] and list(h12["current"]) == [False, True]
    assert h12["value"].iloc[1] == 60000.0
    f = list_findings(store)
    assert list(f["status"]) == ["corrected"] and "2013 yearbook" in f["note"][0]
    assert held_out(store).empty


def test_a_value_replaced_by_an_import_supersedes_its_open_finding(store):
    from rbcity.data.checks import list_findings, run_checks

    run_checks(store)
    _import(store, {("150700", 2012): 400000.0})   # a new value, tenfold too high this time
    run = run_checks(store)
    assert run.changes["superseded"] == 1 and run.changes["new"] == 1
    f = list_findings(store)
    assert list(zip(f["revision"], f["status"], strict=True)) == [(1, "corrected"), (2, "open")]


def test_assess_lists_held_out_values_as_not_computed(store):
    from rbcity.data.checks import run_checks
    from rbcity.plan.assess import assess

    run_checks(store)
    res = assess(store, 2012, engines=["warning"])
    held = [(u, why) for e, u, why in res.not_computed if "held out" in why]
    # 呼伦贝尔 (k = 5): 15000 · 1.15^7 = 39900.3 in 2011, a fifth of it in 2012 = 7980.06
    assert held == [("150700", "warning: held out: 呼伦贝尔市 2012 gdp_per_capita = 7980.06 flagged by "
                                "yoy_break (finding #1; rbcity checks confirm/correct)")]


# ---------------------------------------------------------------- the command line
def _cli(*args):
    from typer.testing import CliRunner

    from rbcity.outputs.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_checks_run_list_confirm(store):
    url = store.url.render_as_string(hide_password=False)
    r = _cli("checks", "run", "--db", url)
    assert r.exit_code == 0, r.output
    # 6 cities × 8 changes judged, 1 flagged: 2.08 % > max_share 2 % → marked as firing too often
    line = next(ln for ln in r.output.splitlines() if "yoy_break" in ln)
    assert "1 / 48" in line and "(2.08%)" in line and "⚠" in line
    r = _cli("checks", "--city", "呼伦贝尔", "--year", "2012", "--db", url, "--lang", "en", "-f", "json")
    rows = __import__("json").loads(r.output[r.output.index("["):])
    assert [(x["rule"], x["unit_id"], x["status"]) for x in rows] == [("yoy_break", "150700", "open")]
    r = _cli("checks", "--city", "张家口", "--db", url)
    assert "0 条" in r.output
    r = _cli("checks", "confirm", str(rows[0]["id"]), "--note", "yearbook checked", "--user", "ana", "--db", url)
    assert r.exit_code == 0 and "confirmed #" in r.output
    r = _cli("checks", "--status", "confirmed", "--db", url, "--lang", "en")
    assert "ana" in r.output and "yoy_break: fires on more than max_share" in r.output
