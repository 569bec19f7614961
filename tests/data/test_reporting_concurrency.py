"""Concurrency of the reporting workflow (meant for PostgreSQL; runs on SQLite too): two
reviewers acting on one form, two submitters on one city, a publication during an engine run —
exactly one writer wins each race, the loser is told (StaleForm), nothing waits forever."""

from __future__ import annotations

import threading

import pytest
from reporting_fill import fill

from rbcity.data.reporting import workflow as wf
from rbcity.data.reporting.forms import build_workbook
from rbcity.data.reporting.scope import Scope

HEGANG = "230400"
REPORTER = Scope("hg_rep", "reporter", HEGANG, "")
ADMIN = Scope("root_admin", "admin")
PROVINCE = Scope("hlj_rev", "province_reviewer", "", "黑龙江省")
NATION = Scope("nat_rev", "national_reviewer")


def race(*calls):
    """Run the calls at the same moment in threads; (results, errors) in call order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def go(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted on below
            errors[i] = exc

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer is still waiting (deadlock)"
    return results, errors


def _one_winner(results, errors):
    won = [r for r in results if r is not None]
    lost = [e for e in errors if e is not None]
    assert len(won) == 1 and len(lost) == 1, (results, errors)
    assert isinstance(lost[0], wf.StaleForm | wf.WrongState), lost[0]
    return won[0]


@pytest.fixture
def submitted(engine):
    blank = build_workbook(engine, HEGANG, 2019)
    v = wf.upload(engine, REPORTER, HEGANG, 2019, fill(blank, {"gdp_per_capita": 41000}))["version"]
    v = wf.act(engine, REPORTER, HEGANG, 2019, "submit", version=v)["version"]
    return engine, v


@pytest.mark.parametrize("attempt", range(3))
def test_two_reviewers_on_one_form(submitted, attempt):
    engine, v = submitted
    won = _one_winner(*race(
        lambda: wf.act(engine, PROVINCE, HEGANG, 2019, "accept", version=v),
        lambda: wf.act(engine, NATION, HEGANG, 2019, "return", version=v, comments={"gdp_per_capita": "核实"})))
    d = wf.detail(engine, NATION, HEGANG, 2019)
    assert d["version"] == v + 1 == won["version"] and d["status"] == won["status"]
    assert len(d["comments"]) == (1 if won["status"] == "returned" else 0)  # the loser left nothing


def test_two_submitters_on_one_city(engine):
    blank = build_workbook(engine, HEGANG, 2019)
    a, b = fill(blank, {"gdp_per_capita": 41000}), fill(blank, {"gdp_per_capita": 43000})
    won = _one_winner(*race(lambda: wf.upload(engine, REPORTER, HEGANG, 2019, a),
                            lambda: wf.upload(engine, ADMIN, HEGANG, 2019, b)))
    d = wf.detail(engine, NATION, HEGANG, 2019)
    assert d["version"] == won["version"] == 1
    assert [x["value"] for x in d["values"]] in ([41000.0], [43000.0])
    won = _one_winner(*race(lambda: wf.act(engine, REPORTER, HEGANG, 2019, "submit", version=1),
                            lambda: wf.act(engine, ADMIN, HEGANG, 2019, "submit", version=1)))
    assert wf.detail(engine, NATION, HEGANG, 2019)["version"] == 2


def test_publish_during_engine_run(submitted):
    import pandas as pd

    from rbcity.data.importer import import_frame
    from rbcity.data.panel import data_revision
    from rbcity.data.reader import RawTable
    from rbcity.plan.assess import assess

    engine, v = submitted
    seed = pd.DataFrame({"unit_id": [HEGANG, HEGANG], "year": ["2018", "2019"], "indicator": ["gdp", "gdp"],
                         "value": ["2400000", "2500000"], "unit": ["万元", "万元"]}, dtype=object)
    import_frame(engine, RawTable(seed, pd.Series([2, 3]), "seed.csv", ""), source="seed")
    v = wf.act(engine, PROVINCE, HEGANG, 2019, "accept", version=v)["version"]
    before = data_revision(engine)
    (run, pub), errors = race(lambda: assess(engine, 2019, engines=["targets"]),
                              lambda: wf.act(engine, NATION, HEGANG, 2019, "publish", version=v))
    assert errors == [None, None]
    assert pub["batch_id"] > before and data_revision(engine) == pub["batch_id"]
    # the run names the data it saw: before the publication (then it is stale) or including it
    assert run.data_revision in (before, pub["batch_id"])
