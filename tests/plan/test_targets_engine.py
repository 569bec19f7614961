"""规划评估 on a hand-made panel: level, change and cumulative targets worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
from plan_helpers import make_panel, make_registry

from rbcity.plan.runs import widen
from rbcity.plan.specs import load_spec
from rbcity.plan.targets import run_targets

REG = make_registry([
    ("A00001", "prefecture", "mature", "河北省", None, ""),
    ("B00001", "prefecture", "growth", "河北省", None, ""),
    ("C00001", "county", "mature", "山西省", None, ""),
    ("D00001", "county", "declining", "山西省", None, ""),
])
TARGETS = pd.DataFrame([
    dict(indicator_id="solid_waste_utilisation", scope="national", baseline_year=None,
         baseline_value=None, target_year=2020, target_value=85.0, comparator=">=",
         mode="level", attribute="", source="t", status=""),
    dict(indicator_id="successor_industry_share", scope="national", baseline_year=2012,
         baseline_value=None, target_year=2020, target_value=6.0, comparator=">=",
         mode="change", attribute="", source="t", status=""),
    dict(indicator_id="reemployed_persons", scope="national", baseline_year=2012,
         baseline_value=0.0, target_year=2020, target_value=500.0, comparator=">=",
         mode="cumulative", attribute="", source="t", status=""),
])
PANEL = make_panel([
    ("A00001", 2013, "solid_waste_utilisation", 70), ("A00001", 2014, "solid_waste_utilisation", 75),
    ("A00001", 2015, "solid_waste_utilisation", 80), ("B00001", 2015, "solid_waste_utilisation", 90),
    ("C00001", 2013, "solid_waste_utilisation", 60), ("C00001", 2014, "solid_waste_utilisation", 59),
    ("C00001", 2015, "solid_waste_utilisation", 58),
    ("A00001", 2012, "successor_industry_share", 10), ("A00001", 2015, "successor_industry_share", 13),
    ("A00001", 2013, "reemployed_persons", 100), ("A00001", 2014, "reemployed_persons", 100),
    ("A00001", 2015, "reemployed_persons", 100), ("B00001", 2013, "reemployed_persons", 50),
    ("A00001", 2012, "reemployed_persons", 999),  # the baseline year's flow does not count
])


def _run():
    out = run_targets(PANEL, REG, TARGETS, load_spec("targets"), 2015)
    return out, widen(out.results).set_index("unit_id")


def test_level_target_statuses_and_arrows():
    _, w = _run()
    k = "solid_waste_utilisation"
    assert w.loc["A00001", f"{k}.value"] == 80 and w.loc["A00001", f"{k}.status"] == "on_track"
    assert math.isclose(w.loc["A00001", f"{k}.projection"], 105.0)  # +5 a year to 2020
    assert w.loc["A00001", f"{k}.arrow"] == "↑"  # 5/yr ≥ (85-80)/5 required
    assert w.loc["B00001", f"{k}.status"] == "achieved"
    assert w.loc["C00001", f"{k}.status"] == "off_track" and w.loc["C00001", f"{k}.arrow"] == "↓"
    assert w.loc["D00001", f"{k}.status"] == "no_data" and math.isnan(w.loc["D00001", f"{k}.value"])
    assert w.loc["D00001", f"{k}.arrow"] == "•"
    # national = mean of the cities reporting each year: 65, 67, 76 → OLS slope 5.5 → 102.33
    assert w.loc["national", f"{k}.value"] == 76
    assert math.isclose(w.loc["national", f"{k}.projection"], 69 + 1 / 3 + 6 * 5.5)
    assert w.loc["national", f"{k}.status"] == "on_track"
    # type:mature = A and C: 2015 mean (80 + 58)/2
    assert w.loc["type:mature", f"{k}.value"] == 69
    assert w.loc["province:山西省", f"{k}.value"] == 58


def test_change_target_from_own_baseline():
    _, w = _run()
    k = "successor_industry_share"
    assert w.loc["A00001", f"{k}.baseline"] == 10 and w.loc["A00001", f"{k}.target"] == 16
    assert w.loc["A00001", f"{k}.share_covered"] == 0.5
    # two observations: on track when 0.5 ≥ share of the period elapsed (3/8)
    assert w.loc["A00001", f"{k}.status"] == "on_track"
    assert w.loc["B00001", f"{k}.status"] == "no_data"


def test_cumulative_target_sums_flows_after_baseline():
    out, w = _run()
    k = "reemployed_persons"
    # national running total: A 100+100+100, B 50 (kept after its last report) = 350
    assert w.loc["national", f"{k}.value"] == 350
    assert math.isclose(w.loc["national", f"{k}.share_covered"], 0.7)
    assert w.loc["national", f"{k}.status"] == "on_track"  # 150, 250, 350 → 850 by 2020
    # a city's running total is its contribution (share of the national 500), not a status of its own
    assert w.loc["A00001", f"{k}.value"] == 300 and math.isnan(w.loc["A00001", f"{k}.target"])
    assert math.isclose(w.loc["A00001", f"{k}.share_covered"], 0.6)
    assert w.loc["A00001", f"{k}.status"] == "reported"
    assert w.loc["C00001", f"{k}.status"] == "no_data" and math.isnan(w.loc["C00001", f"{k}.value"])
    assert w.loc["province:河北省", f"{k}.value"] == 350
    assert w.loc["province:河北省", f"{k}.status"] == "reported"
    assert w.loc["province:山西省", f"{k}.status"] == "no_data"  # nothing reported: not zero
    nat = {r["indicator_id"]: r["national_status"] for r in out.summary["targets"]}
    assert nat == {"solid_waste_utilisation": "on_track", "successor_industry_share": "on_track",
                   "reemployed_persons": "on_track"}


def test_targets_without_data_are_listed():
    t = TARGETS.assign(indicator_id=["mining_water_reuse", "resource_productivity",
                                     "shantytown_renovation"])
    out = run_targets(PANEL, REG, t, load_spec("targets"), 2015)
    assert len(out.not_computed) == 3
    w = widen(out.results).set_index("unit_id")
    assert (w["mining_water_reuse.status"] == "no_data").all()


def test_national_sum_from_too_few_cities_is_incomplete_not_behind():
    """A cumulative national total from 1 of 4 cities (25 % < min_reporting_share 0.8) is a lower
    bound: 100 of 500 after 3 of 8 years would read 'off track', but the rule says incomplete;
    with all four reporting the same total is a finding (off track)."""
    one = make_panel([("A00001", 2015, "reemployed_persons", 100)])
    t = TARGETS.iloc[[2]]
    spec = load_spec("targets")
    out = run_targets(one, REG, t, spec, 2015)
    w = widen(out.results).set_index("unit_id")
    assert w.loc["national", "reemployed_persons.value"] == 100
    assert w.loc["national", "reemployed_persons.status"] == "incomplete"
    assert out.summary["targets"][0]["national_status"] == "incomplete"
    assert out.summary["validity"]["verdict"] == "not_valid"  # no target with a usable national value
    four = make_panel([(u, 2015, "reemployed_persons", 25) for u in ("A00001", "B00001", "C00001", "D00001")])
    w4 = widen(run_targets(four, REG, t, spec, 2015).results).set_index("unit_id")
    assert w4.loc["national", "reemployed_persons.value"] == 100
    assert w4.loc["national", "reemployed_persons.status"] == "off_track"  # 0.2 < 3/8 elapsed
    lenient = run_targets(one, REG, t, {**spec, "min_reporting_share": 0.25}, 2015)
    assert widen(lenient.results).set_index("unit_id").loc["national", "reemployed_persons.status"] == "off_track"
