"""预警 on a hand-made 3-year panel: bands, trend trigger, hard trigger and obstacles by hand."""

from __future__ import annotations

import json
import math

from plan_helpers import make_panel, make_registry

from rbcity.plan.runs import widen
from rbcity.plan.specs import load_spec
from rbcity.plan.warning import band_level, run_warning

REG = make_registry([
    ("U1", "prefecture", "mature", "河北省", None, ""),
    ("U2", "prefecture", "growth", "河北省", None, ""),
    ("U3", "prefecture", "declining", "河北省", None, ""),
    ("U4", "county", "declining", "河北省", None, ""),  # no data
])
GDP = {"U1": (100, 100, 100), "U2": (80, 60, 40), "U3": (20, 20, 20)}
SO2 = {"U1": (10, 10, 10), "U2": (10, 20, 30), "U3": (50, 50, 50)}
SPEC = {"max_age_years": 0, "index": {"indicators": [
    {"name": "gdp_per_capita", "direction": 1}, {"name": "so2_industrial", "direction": -1}],
    "weighting": "equal", "min_availability": 1.0}, "band_mode": "fixed",
    "reference_year": None}  # legacy scoring: min–max over the evaluated years
CATALOGUE = {"gdp_per_capita", "so2_industrial", "depletion_ratio"}


def _panel():
    rec = [(u, y, "gdp_per_capita", v) for u, vs in GDP.items()
           for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    rec += [(u, y, "so2_industrial", v) for u, vs in SO2.items()
            for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    rec.append(("U1", 2012, "depletion_ratio", 0.8))
    return make_panel(rec)


def _run():
    out = run_warning(_panel(), REG, load_spec("warning", SPEC), 2012, catalogue=CATALOGUE)
    return out, widen(out.results).set_index("unit_id")


def test_levels_by_hand():
    out, w = _run()
    # pooled min–max: gdp 20..100, so2 (cost) 10..50; U2 2012 = (0.25 + 0.5)/2 = 37.5
    assert math.isclose(w.loc["U2", "safety_score"], 37.5)
    assert w.loc["U3", "safety_score"] == 0 and w.loc["U3", "level_label"] == "巨警"
    # U2: 37.5 → 重警 by band, fell 87.5 → 62.5 → 37.5: raised one level to 巨警 (red)
    assert w.loc["U2", "level"] == 4 and w.loc["U2", "color"] == "red"
    reasons = json.loads(w.loc["U2", "reasons"])
    assert any("连续2年下降" in r and "2011 62.5" in r for r in reasons)
    # U1: 100 → 无警 by band, but depletion 0.8 ≥ 0.70 forces at least 重警
    assert w.loc["U1", "level"] == 3 and w.loc["U1", "level_label"] == "重警"
    assert any("0.80" in r for r in json.loads(w.loc["U1", "reasons"]))
    assert out.summary["trend_raised"] == 1


def test_obstacles_and_missing():
    out, w = _run()
    top = json.loads(w.loc["U2", "top_obstacles"])
    # deviations 0.75 and 0.5 with equal weights → shares 0.6 and 0.4
    assert top == [{"indicator_id": "gdp_per_capita", "share": 0.6},
                   {"indicator_id": "so2_industrial", "share": 0.4}]
    assert json.loads(w.loc["U1", "top_obstacles"]) == []
    assert math.isnan(w.loc["U4", "safety_score"]) and w.loc["U4", "level_label"] is None
    assert any(u == "U4" for u, _ in out.not_computed)


def test_band_edges():
    assert list(band_level([100, 80, 79.9, 60, 40, 20, 19.9, float("nan")], [80, 60, 40, 20])) \
        == [0, 0, 1, 1, 2, 3, 4, -1]


def test_relative_bands_by_hand():
    spec = load_spec("warning", {**SPEC, "band_mode": "relative", "relative_k": [0.0], "relative_base_year": None,
                                 "hard_triggers": []})
    out = run_warning(_panel(), REG, spec, 2012, catalogue=CATALOGUE)
    w = widen(out.results).set_index("unit_id")
    # base year 2010 scores: U1 100, U2 87.5, U3 0 → μ = 62.5; one edge: ≥ 62.5 level 0, else 1
    assert out.summary["bands"] == [62.5]
    assert w.loc["U1", "level"] == 0 and w.loc["U3", "level"] == 1
    # U2 37.5 < 62.5 → level 1, raised by the trend trigger to 2
    assert w.loc["U2", "level"] == 2


# --- fixed 2012 reference (issue 15) -------------------------------------------------------
REF_SPEC = {"max_age_years": 0, "index": {"indicators": [
    {"name": "gdp_per_capita", "direction": 1, "dimension": "economy"},
    {"name": "tertiary_share", "direction": 1, "dimension": "economy"},
    {"name": "so2_industrial", "direction": -1, "dimension": "environment"}],
    "min_availability": 0.3}, "dimension_weights": {"economy": 0.5, "environment": 0.5},
    "band_mode": "relative", "relative_k": [0.0], "reference_year": 2012,
    "trend_trigger": {}, "hard_triggers": []}


def _ref_panel():
    rec = [(u, y, "gdp_per_capita", v) for u, vs in GDP.items()
           for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    rec += [(u, y, "so2_industrial", v) for u, vs in SO2.items()
            for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    # tertiary share only in 2012, and not for U3
    rec += [("U1", 2012, "tertiary_share", 50.0), ("U2", 2012, "tertiary_share", 30.0)]
    return make_panel(rec)


def test_bands_identical_across_runs_and_reference_scores_by_hand():
    spec = load_spec("warning", REF_SPEC)
    a = run_warning(_ref_panel(), REG, spec, 2010, catalogue=CATALOGUE)
    b = run_warning(_ref_panel(), REG, spec, 2012, catalogue=CATALOGUE)
    # 2012 goalposts: gdp 20..100, tertiary 30..50, so2 (cost) 50..10.
    # 2012 scores: U1 econ (1 + 1)/2 = 1, env 1 → 100; U2 econ (0.25 + 0)/2 = 0.125, env
    # (50 - 30)/40 = 0.5 → (0.125 + 0.5)/2 = 31.25; U3 econ 0 (tertiary missing), env 0 → 0.
    wb = widen(b.results).set_index("unit_id")
    assert math.isclose(wb.loc["U2", "safety_score"], 31.25)
    assert wb.loc["U1", "safety_score"] == 100 and wb.loc["U3", "safety_score"] == 0
    # the band is μ of the 2012 reference scores (100 + 31.25 + 0)/3 in both runs
    assert a.summary["bands"] == b.summary["bands"]
    assert math.isclose(b.summary["bands"][0], 43.75)
    # the 2010 run scores 2010 against the same 2012 goalposts: U2 gdp 80 → 0.75 (tertiary
    # missing in 2010, so economy = 0.75), so2 10 → 1 → 87.5
    wa = widen(a.results).set_index("unit_id")
    assert math.isclose(wa.loc["U2", "safety_score"], 87.5)
    # coverage per city: U1 3 of 3 indicators in 2012, U3 2 of 3
    assert wb.loc["U1", "coverage"] == 1 and math.isclose(wb.loc["U3", "coverage"], 2 / 3)
    assert b.summary["reference"] == {"year": 2012, "n": 3}
    assert b.summary["validity"]["engine"] == "warning"


def test_no_fallback_when_the_reference_year_has_no_scores():
    spec = load_spec("warning", dict(REF_SPEC, reference_year=2015))
    out = run_warning(_ref_panel(), REG, spec, 2012, catalogue=CATALOGUE)
    w = widen(out.results).set_index("unit_id")
    assert w["level"].isna().all()
    assert any(u == "*" and "2015" in why and "no fallback" in why for u, why in out.not_computed)
    assert out.summary["validity"]["verdict"] == "not_valid"


def test_hard_trigger_needs_a_catalogue_indicator():
    spec = load_spec("warning", SPEC)
    out = run_warning(_panel(), REG, spec, 2012, catalogue={"gdp_per_capita", "so2_industrial"})
    w = widen(out.results).set_index("unit_id")
    assert w.loc["U1", "level"] == 0  # depletion 0.8 present but not importable: no trigger
    assert any("depletion_ratio" in why and "not computed" in why for _, why in out.not_computed)
