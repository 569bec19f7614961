"""Which engines the data feed (issue 13): every indicator a spec names is in the catalogue,
and the per-year readiness follows the stated rule on a hand-made store."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import yaml

from rbcity.data.catalogue import load_catalogue
from rbcity.plan.readiness import engine_parts, readiness, spec_indicators
from rbcity.plan.specs import ENGINES, load_spec


def test_every_indicator_named_by_any_spec_is_in_the_catalogue():
    known = set(load_catalogue()["indicator_id"])
    named = set()
    for e in ENGINES:
        named |= spec_indicators(load_spec(e))
    did = yaml.safe_load((resources.files("rbcity") / "config" / "policy_did.yaml").read_text(encoding="utf-8"))
    named |= spec_indicators(did) | set(did["derived"])
    assert {"depletion_ratio", "mining_fatalities_per_mt", "timber_output", "gdp_tertiary"} <= named
    assert named - known == set()


def test_spec_indicators_walks_lists_and_ids():
    spec = {"index": {"indicators": [{"name": "a"}, {"name": "b"}]}, "tests": {"t": {"indicator": "c"}},
            "derived": {"x": {"numerator": "d", "denominator": "e"}}}
    assert spec_indicators(spec) == {"a", "b", "c", "d", "e"}


def test_warning_parts_hard_trigger_optional():
    parts = engine_parts("warning")
    assert [(label, req) for label, _, req in parts] == [("index", True), ("hard trigger 1", False)]
    assert "depletion_ratio" in parts[1][1]


def test_readiness_follows_max_age_window(tmp_path):
    from rbcity.data.importer import ensure_ready, import_file
    from rbcity.data.store import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'r.sqlite'}")
    ensure_ready(engine)
    f = tmp_path / "g.csv"
    pd.DataFrame({"城市": ["大同市"], "年份": [2015], "人均地区生产总值（元/人）": [40000]}).to_csv(f, index=False)
    before = {r.engine: r for r in readiness(engine, [2015], engines=("warning",))}
    assert before["warning"].computable_years == [] and "gdp_per_capita" in before["warning"].blocking[2015]
    import_file(engine, f)
    r = readiness(engine, [2014, 2015, 2018, 2019], engines=("warning", "coordination"))
    warn, coord = r
    assert warn.computable_years == [2015, 2018]  # max_age_years 3: 2015 feeds 2015–2018
    assert warn.blocking[2019] and warn.blocking[2014]
    # coordination also needs the resource subsystem: still blocked, and it says by what
    assert coord.computable_years == []
    assert set(coord.blocking[2015]) == {"mining_employment_share", "resource_productivity"}
