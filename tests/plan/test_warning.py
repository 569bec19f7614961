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
    "weighting": "equal", "min_availability": 1.0}}


def _panel():
    rec = [(u, y, "gdp_per_capita", v) for u, vs in GDP.items()
           for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    rec += [(u, y, "so2_industrial", v) for u, vs in SO2.items()
            for y, v in zip((2010, 2011, 2012), vs, strict=True)]
    rec.append(("U1", 2012, "depletion_ratio", 0.8))
    return make_panel(rec)


def _run():
    out = run_warning(_panel(), REG, load_spec("warning", SPEC), 2012)
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
    spec = load_spec("warning", {**SPEC, "band_mode": "relative", "relative_k": [0.0],
                                 "hard_triggers": []})
    out = run_warning(_panel(), REG, spec, 2012)
    w = widen(out.results).set_index("unit_id")
    # base year 2010 scores: U1 100, U2 87.5, U3 0 → μ = 62.5; one edge: ≥ 62.5 level 0, else 1
    assert out.summary["bands"] == [62.5]
    assert w.loc["U1", "level"] == 0 and w.loc["U3", "level"] == 1
    # U2 37.5 < 62.5 → level 1, raised by the trend trigger to 2
    assert w.loc["U2", "level"] == 2
