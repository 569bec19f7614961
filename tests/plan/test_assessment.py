"""年度绩效考核 of resource-exhausted cities on a hand-made panel (scores, ranks, actions)."""

from __future__ import annotations

import math

from plan_helpers import make_panel, make_registry

from rbcity.plan.assessment import run_assessment
from rbcity.plan.runs import widen
from rbcity.plan.specs import load_spec

REG = make_registry([
    ("E1", "prefecture", "declining", "辽宁省", 2008, ""),
    ("E2", "prefecture", "declining", "辽宁省", 2009, ""),
    ("E3", "prefecture", "declining", "辽宁省", 2011, ""),
    ("E4", "county", "declining", "辽宁省", 2011, ""),  # no data
    ("N1", "prefecture", "mature", "辽宁省", None, ""),  # not exhausted
])
TER = {"E1": (40, 50), "E2": (30, 30), "E3": (20, 20), "N1": (90, 90)}
SO2 = {"E1": (10, 10), "E2": (20, 30), "E3": (30, 30), "N1": (1, 1)}
GRADES = {"grading": "rank", "grades": [{"grade": "优秀", "en": "excellent", "top_share": 0.34},
                     {"grade": "良好", "en": "good", "top_share": 0.5},
                     {"grade": "合格", "en": "pass", "top_share": 0.85},
                     {"grade": "较差", "en": "poor", "top_share": 1.0}]}


def _run():
    rec = [(u, y, "tertiary_share", v) for u, vs in TER.items()
           for y, v in zip((2011, 2012), vs, strict=True)]
    rec += [(u, y, "so2_industrial", v) for u, vs in SO2.items()
            for y, v in zip((2011, 2012), vs, strict=True)]
    out = run_assessment(make_panel(rec), REG, load_spec("exhausted_assessment", GRADES), 2012)
    return out, widen(out.results).set_index("unit_id")


def test_scores_ranks_grades_actions_by_hand():
    out, w = _run()
    assert "N1" not in w.index
    # min–max among E1–E3 over 2011–2012: tertiary 20..50, so2 (cost) 10..30
    assert w.loc["E1", "score"] == 100 and w.loc["E1", "content.successor_industry"] == 100
    assert math.isclose(w.loc["E2", "score"], (100 / 3 + 0) / 2)
    assert w.loc["E3", "score"] == 0
    assert list(w.loc[["E1", "E2", "E3"], "rank"]) == [1, 2, 3]
    assert list(w.loc[["E1", "E2", "E3"], "grade"]) == ["优秀", "合格", "较差"]
    # E3 was also last in 2011 (score 0): bottom grade two years running → exit
    assert list(w.loc[["E1", "E2", "E3"], "action"]) == ["reward", "keep", "exit"]
    assert out.summary["previous_year"] == 2011


def test_missing_contents_are_reported_not_zero():
    out, w = _run()
    assert math.isnan(w.loc["E4", "score"]) and w.loc["E4", "grade"] is None
    assert math.isnan(w.loc["E1", "content.work_safety"])
    assert set(out.summary["contents_without_data"]) == {
        "resource_order", "work_safety", "unemployment", "shantytown", "forest_protection"}
    assert any(u == "E4" for u, _ in out.not_computed)
    assert sum(1 for u, _ in out.not_computed if u == "*") == 5


# --- progress against each city's own baseline, criterion-referenced grades (issue 15) -----
#          tertiary_share by year            so2_industrial (cost) by year
PROG_TER = {"E1": {2008: 40, 2011: 45, 2012: 50}, "E2": {2009: 30, 2011: 30, 2012: 30.9},
            "E3": {2011: 20, 2012: 18}}
PROG_SO2 = {"E1": {2008: 10, 2011: 9.5, 2012: 9}, "E2": {2009: 20, 2011: 20, 2012: 20},
            "E3": {2011: 30, 2012: 30}}


def _run_progress():
    rec = [(u, y, "tertiary_share", v) for u, d in PROG_TER.items() for y, v in d.items()]
    rec += [(u, y, "so2_industrial", v) for u, d in PROG_SO2.items() for y, v in d.items()]
    spec = load_spec("exhausted_assessment", {"max_age_years": 0})
    out = run_assessment(make_panel(rec), REG, spec, 2012)
    return out, widen(out.results).set_index("unit_id")


def test_progress_since_designation_and_criterion_grades_by_hand():
    out, w = _run_progress()
    # E1 (designated 2008): tertiary 40 → 50 = +25 %, so2 10 → 9 = +10 % (cost): mean of the two
    # contents (successor industry, mine environment) = 0.175; level 100 ≥ 40 → 优秀 → reward
    assert math.isclose(w.loc["E1", "progress"], 0.175)
    assert w.loc["E1", "baseline_year"] == 2008
    assert w.loc["E1", "grade"] == "优秀" and w.loc["E1", "action"] == "reward"
    # E2 (2009): 30 → 30.9 = +3 %, so2 unchanged: (0.03 + 0)/2 = 0.015 → 合格 (< 0.03) → keep
    assert math.isclose(w.loc["E2", "progress"], 0.015)
    assert w.loc["E2", "grade"] == "合格" and w.loc["E2", "action"] == "keep"
    # E3 (2011): 20 → 18 = −10 %: −0.05 → 较差; in 2011 it had no baseline before 2011, so it
    # was not graded then — one poor year: exit_watch, not exit
    assert math.isclose(w.loc["E3", "progress"], -0.05)
    assert w.loc["E3", "grade"] == "较差" and w.loc["E3", "action"] == "exit_watch"
    # every action carries the notice, in the results and on the card
    assert all("非官方考核方法" in n for n in w["action_notice"].dropna())
    assert w["action_notice"].notna().sum() == 3
    card = out.summary["validity"]
    assert card["verdict"] == "indicative" and "not the official method" in card["text"][1]
    assert out.summary["grading"] == "criterion"
