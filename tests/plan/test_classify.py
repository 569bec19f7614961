"""综合分类/动态调整 on a hand-made 2010/2020 census panel (scores worked out by hand)."""

from __future__ import annotations

import math

import numpy as np
from plan_helpers import make_panel, make_registry

from rbcity.plan.classify import agreement, apply_rules, run_classify
from rbcity.plan.runs import widen
from rbcity.plan.specs import load_spec

REG = make_registry([
    ("130200", "prefecture", "mature", "河北省", None, "130200"),
    ("130400", "prefecture", "declining", "河北省", None, "130400"),
    ("130521", "county", "growth", "河北省", None, "130521"),
    ("220181", "county_city", "regenerating", "吉林省", None, "220113"),
    ("X21140", "district", "declining", "辽宁省", None, ""),  # no data at all
])
#           mining  urban  tertiary   (2010, then 2020)
DATA = {
    "130200": [(10, 60, 40), (10, 60, 40)],
    "130400": [(2, 20, 20), (2, 20, 20)],
    "130521": [(10, 20, 20), (12, 60, 40)],
    "220181": [(2, 60, 40), (5, 20, 20)],
}


def _panel():
    rec = []
    for u, rows in DATA.items():
        for y, (m, ur, t) in zip((2010, 2020), rows, strict=True):
            rec += [(u, y, "mining_employment_share", m), (u, y, "urban_population_share", ur),
                    (u, y, "tertiary_employment_share", t)]
    return make_panel(rec)


def _spec(**cut):
    c = {"mode": "fixed", "resource": 0.5, "development": 0.5} | cut
    return load_spec("classify", {"cutoffs": c,
                                  "development": {"index": {"weighting": "equal"}}})


def _by_unit(out):
    w = widen(out.results).set_index("unit_id")
    return {u: {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in row.items()} for u, row in w.iterrows()}


def test_scores_types_and_moves_by_hand():
    out = run_classify(_panel(), REG, _spec(), 2020)
    u = _by_unit(out)
    # 2020 scored against the 2010 bounds (mining 2..10, censored): 10 → 1, 12 → 1, 5 → 0.375
    assert math.isclose(u["130200"]["resource_score"], 1.0)
    assert math.isclose(u["130521"]["resource_score"], 1.0)
    assert math.isclose(u["220181"]["resource_score"], 0.375)
    assert u["220181"]["development_score"] == 0.0
    assert u["130200"]["type"] == "mature" and u["130200"]["moved"] == 0
    assert u["130400"]["type"] == "declining"
    # 130521: R = 1 ≥ 0.5 and mining rose 10 → 12 (+20 % > 5 %): growth by the trend rule
    assert u["130521"]["type"] == "growth" and u["130521"]["trend"] == "rising"
    assert u["130521"]["moved"] == 0
    # 220181: regenerating in 2013, now R 0.375 < 0.5 and S 0 < 0.5 → declining
    assert u["220181"]["type"] == "declining" and u["220181"]["moved"] == 1
    reason = u["220181"]["reason"]
    assert "可持续发展能力得分 0.000 低于临界值 0.500（差 0.500）（2010年 1.000）" in reason
    assert "development score 0.000 below cut-off 0.500 by 0.500 (2010: 1.000)" in reason
    assert "resource" not in reason.split(" / ")[1].split(";", 1)[1]  # R side unchanged
    s = out.summary
    assert s["transition"]["regenerating"]["declining"] == 1
    assert s["transition"]["mature"]["mature"] == 1
    assert s["agreement"]["accuracy"] == 1.0  # base year 2010 reproduces 2013 exactly
    assert s["moved"] == 1 and s["classified"] == 4


def test_no_data_is_reported_not_classified():
    out = run_classify(_panel(), REG, _spec(), 2020)
    u = _by_unit(out)
    assert u["X21140"]["type"] is None
    assert "mining_employment_share" in u["X21140"]["missing"]
    assert any(x == "X21140" for x, _ in out.not_computed)


def test_calibration_finds_a_perfect_split():
    out = run_classify(_panel(), REG, load_spec(
        "classify", {"development": {"index": {"weighting": "equal"}}}), 2010)
    s = out.summary
    assert s["cutoffs"]["objective_value"] == 1.0
    assert s["agreement"]["balanced_accuracy"] == 1.0
    # R base-year values are {0, 0.8}: a perfect cut lies in (0, 0.8]
    assert 0 < s["cutoffs"]["resource"] <= 0.8


def test_rules_and_agreement_helpers():
    t = apply_rules([0.9, 0.9, 0.1, 0.1, np.nan], [0.1, 0.9, 0.9, 0.1, 0.5], None, 0.5, 0.5,
                    load_spec("classify"))
    assert list(t) == ["growth", "mature", "regenerating", "declining", ""]
    a = agreement(["growth", "mature", "mature", ""], ["growth", "mature", "declining", "mature"])
    assert a["n"] == 3 and math.isclose(a["accuracy"], 2 / 3)
    assert a["per_type_recall"]["declining"] == 0.0
    assert math.isclose(a["balanced_accuracy"], (1 + 1 + 0) / 3)


def test_base_year_results_do_not_depend_on_the_assessed_year():
    spec = load_spec("classify", {"development": {"index": {"weighting": "entropy"}}})
    a = run_classify(_panel(), REG, spec, 2010).summary
    b = run_classify(_panel(), REG, spec, 2020).summary
    assert a["cutoffs"] == b["cutoffs"] and a["agreement"] == b["agreement"]
