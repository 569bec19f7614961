"""Stored runs: spec hash, round trip through the run/result tables, and assess() on a store."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from plan_helpers import make_panel

from rbcity.plan import runs
from rbcity.plan.assess import assess
from rbcity.plan.specs import ENGINES, load_spec


def test_spec_hash_is_sha256_of_canonical_json():
    spec = {"b": [1, 2], "a": "资源"}
    canon = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert runs.spec_hash(spec) == hashlib.sha256(canon.encode()).hexdigest()
    assert runs.spec_hash({"a": "资源", "b": [1, 2]}) == runs.spec_hash(spec)


def test_store_and_read_back(registry_engine):
    res = pd.DataFrame({"unit_id": ["130200", "130200", "national"], "year": 2015,
                        "key": ["score", "grade", "x.value"], "value": [1.5, float("nan"), None],
                        "text": [None, "优秀", None]})
    rid = runs.store_run(registry_engine, "warning", 2015, {"k": float("nan")},
                         {"n": 1, "f": float("nan")}, res, revision=7)
    run = runs.latest_run(registry_engine, "warning", 2015)
    assert run["id"] == rid and run["data_revision"] == 7 and run["spec"] == {"k": None}
    assert run["summary"] == {"n": 1, "f": None}
    w = runs.latest_results(registry_engine, "warning", 2015).set_index("unit_id")
    assert w.loc["130200", "score"] == 1.5 and w.loc["130200", "grade"] == "优秀"
    assert "x.value" not in w.columns  # a row with neither value nor text is not stored
    assert "national" not in w.index  # its only row was empty
    assert runs.latest_run(registry_engine, "warning", 1999) is None
    assert runs.latest_results(registry_engine, "coordination").empty


def test_assess_runs_every_engine_and_says_what_it_could_not_compute(registry_engine):
    panel = make_panel([
        ("130200", 2010, "mining_employment_share", 8.0),  # 唐山市, on the list
        ("130100", 2010, "mining_employment_share", 0.5),  # 石家庄市, not on the list
        ("130300", 2010, "mining_employment_share", 6.0),  # 秦皇岛市, not on the list
    ])
    out = assess(registry_engine, 2010, panel=panel)
    assert set(out.runs) == set(ENGINES)
    s = out.summaries["identify"]
    assert s["confusion"]["tp"] == 1 and s["confusion"]["fp"] == 1 and s["confusion"]["tn"] == 1
    run = runs.latest_run(registry_engine, "identify", 2010)
    assert run["id"] == out.runs["identify"]
    assert run["spec_hash"] == runs.spec_hash(load_spec("identify"))
    stored = runs.latest_run(registry_engine, "targets", 2010)["summary"]["not_computed"]
    assert {"unit_id": "*", "reason": next(w for e, u, w in out.not_computed
                                           if e == "targets")} in stored
    reasons = [why for eng, _, why in out.not_computed if eng == "targets"]
    assert any("resource_productivity" in r for r in reasons)
    w = runs.latest_results(registry_engine, "classify", 2010).set_index("unit_id")
    assert len(w) == 262 and w["type"].isna().sum() == 262  # no development data → no type
    assert w.loc["130200", "missing"].startswith("no data")


def test_group_keys_fit_the_result_table():
    from rbcity.data import schema
    from rbcity.data.store import head_revision
    from rbcity.registry.load import load_registry

    reg = load_registry()
    keys = [f"province:{p}" for p in reg["province"].unique()] + [
        f"type:{t}" for t in reg["type_2013"].unique()]
    longest = max(len(k) for k in keys)
    assert longest > 16  # why migration 0003 widened result.unit_id
    assert schema.result.c.unit_id.type.length >= longest
    # the widening migration is in the chain the store is migrated along (head is newer)
    from alembic.script import ScriptDirectory

    from rbcity.data.store import _alembic_config

    chain = [r.revision for r in ScriptDirectory.from_config(_alembic_config()).walk_revisions("base", "heads")]
    assert "0003" in chain and chain[0] == head_revision()


def test_every_engine_on_an_empty_panel_computes_nothing_and_says_so():
    from rbcity.data.catalogue import load_targets
    from rbcity.plan.assess import run_engine
    from rbcity.registry.load import load_registry

    empty = make_panel([]).astype({"year": "int64", "value": float})
    reg = load_registry()
    for name in ENGINES:
        out = run_engine(name, empty, reg, load_targets(), load_spec(name), 2015)
        numbers = pd.to_numeric(out.results["value"], errors="coerce")
        # known without data: list membership, a designation (progress baseline) year, and a
        # target's own baseline/target values
        informative = (out.results["key"].isin(["in_2013_list", "type_2013", "baseline_year"])
                       | out.results["key"].str.endswith((".baseline", ".target")))
        assert numbers[~informative].isna().all(), name  # nothing computed, nothing zero
        assert out.not_computed, name


def test_degenerate_data_is_reported_not_crashed():
    """Two cities with one of the warning index's indicators and no data in the reference
    year: no score exists. The run says so instead of raising (the web returned 500)."""
    from plan_helpers import make_panel

    from rbcity.plan.assess import run_engine
    from rbcity.plan.specs import load_spec
    from rbcity.registry.load import load_registry

    recs = [("230400", y, "gdp_per_capita", 30000.0 + 1000 * (y - 2013)) for y in range(2013, 2019)]
    recs += [("220181", y, "gdp_per_capita", 50000.0 + 500 * (y - 2013)) for y in range(2013, 2016)]
    # the default spec scores against the fixed 2012 reference, which has no data here: the run
    # says so and sets no level (issue 15: no fallback to another year)
    out = run_engine("warning", make_panel(recs), load_registry(), None, load_spec("warning"), 2018)
    assert pd.to_numeric(out.results["value"], errors="coerce").isna().all()
    assert any(u == "*" and "reference year 2012 has no scores" in why for u, why in out.not_computed)
