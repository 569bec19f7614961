"""界定: a hand-made census panel whose confusion matrix is worked out by hand."""

from __future__ import annotations

import math

from plan_helpers import make_panel

from rbcity.plan.identify import confusion, run_identify
from rbcity.plan.specs import load_spec


def _panel():
    return make_panel([
        ("130200", 2010, "mining_employment_share", 12.0),  # registry → tp at 5 %
        ("130300", 2010, "mining_employment_share", 6.0),   # not listed → fp at 5 %
        ("130400", 2010, "mining_employment_share", 2.0),   # registry → fn
        ("130500", 2010, "mining_employment_share", 1.0),   # tn
        ("220113", 2010, "mining_employment_share", 8.0),   # 九台区 = registry 220181 → tp
        ("130000", 2010, "mining_employment_share", 3.0),   # a province: never a unit
    ])


def _spec(threshold=5.0):
    return load_spec("identify", {"tests": {"employment_structure": {"threshold": threshold}},
                                  "sweep": {"thresholds": {"start": 5.0, "stop": 9.0,
                                                           "step": 2.0}}})


def test_confusion_matrix_by_hand(registry_small):
    out = run_identify(_panel(), registry_small, _spec(), 2013)
    s = out.summary
    assert s["confusion"] == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}
    assert math.isclose(s["precision"], 2 / 3) and math.isclose(s["recall"], 2 / 3)
    assert math.isclose(s["f1"], 2 / 3)
    assert s["data_years"] == [2010]
    # prefecture level: 130200 tp, 130300 fp, 130400 fn, 130500 tn; county: 220181 tp
    assert s["by_level"]["prefecture"]["tp"] == 1 and s["by_level"]["county"]["tp"] == 1


def test_sweep_by_hand(registry_small):
    s = run_identify(_panel(), registry_small, _spec(), 2013).summary
    by = {r["threshold"]: r for r in s["sweep"]}
    assert sorted(by) == [5.0, 7.0, 9.0]
    # at 7 %: predicted {130200 (12), 220181 (8)} → tp 2, fp 0, fn 1 (130400)
    assert by[7.0]["precision"] == 1.0 and math.isclose(by[7.0]["recall"], 2 / 3)
    assert math.isclose(by[7.0]["f1"], 0.8)
    # at 9 %: predicted {130200} → precision 1, recall 1/3, f1 0.5
    assert math.isclose(by[9.0]["f1"], 0.5)
    assert s["best_sweep_threshold"]["threshold"] == 7.0


def test_missing_is_not_zero(registry_small):
    out = run_identify(_panel(), registry_small, _spec(), 2013)
    r = out.results
    # 130521 (registry county) has no data: no prediction, reported per unit
    pred = r[(r.unit_id == "130521") & (r.key == "predicted")]["value"]
    assert pred.isna().all()
    assert any(u == "130521" and "no data" in why for u, why in out.not_computed)
    unavailable = {u["test"] for u in out.summary["unavailable"]}
    assert unavailable == {"industry_structure", "market_share", "forest_potential",
                           "forest_capacity"}
    assert "130000" not in set(r.unit_id)
    # a 2007 run sees no census yet: nothing predicted
    assert run_identify(_panel(), registry_small, _spec(), 2007).summary["n"] == 0


def test_2002_rule_set_uses_its_own_threshold(registry_small):
    spec = load_spec("identify", {"rule_set": "2002"})
    s = run_identify(_panel(), registry_small, spec, 2010).summary
    # rule C ≥ 5 % is the only test with data (A, B, D unavailable): same as above
    assert s["confusion"] == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}
    assert {u["test"] for u in s["unavailable"]} == {
        "output_share_2002", "output_scale_2002", "employment_scale_2002"}


def test_confusion_edge_cases():
    import numpy as np
    c = confusion(np.array([np.nan, 0.0]), np.array([1.0, 0.0]))
    assert c["n"] == 1 and c["tn"] == 1 and math.isnan(c["precision"])
