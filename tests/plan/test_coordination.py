"""协调评价 on hand-made subsystem values (U, C, T, D, grade, lagging by hand)."""

from __future__ import annotations

import math

from plan_helpers import make_panel, make_registry

from rbcity.plan.coordination import run_coordination
from rbcity.plan.runs import widen
from rbcity.plan.specs import load_spec

REG = make_registry([
    ("A", "prefecture", "growth", "河北省", None, ""),
    ("B", "prefecture", "mature", "河北省", None, ""),
    ("C", "prefecture", "mature", "河北省", None, ""),
    ("D", "prefecture", "mature", "河北省", None, ""),
    ("E", "prefecture", "declining", "河北省", None, ""),  # outside the plan's focus
])
SPEC = {"subsystems": {
    "resource": {"indicators": [{"name": "mining_employment_share", "direction": 1}],
                 "weighting": "equal", "min_availability": 1.0},
    "urban": {"indicators": [{"name": "gdp_per_capita", "direction": 1}],
              "weighting": "equal", "min_availability": 1.0}}}


def test_coupling_by_hand():
    vals = {"A": (10, 100), "B": (6, 20), "C": (2, 60), "D": (6, 60), "E": (1, 1)}
    rec = [(u, 2012, "mining_employment_share", m) for u, (m, _) in vals.items()]
    rec += [(u, 2012, "gdp_per_capita", g) for u, (_, g) in vals.items()]
    out = run_coordination(make_panel(rec), REG, load_spec("coordination", SPEC), 2012)
    w = widen(out.results).set_index("unit_id")
    assert "E" not in w.index  # declining: not in the default focus
    # min–max over the 4 focus cities: mining 2..10, gdp 20..100
    assert w.loc["A", "D"] == 1.0 and w.loc["A", "grade"] == "优质协调"
    assert w.loc["D", "U_resource"] == 0.5 and w.loc["D", "C"] == 1.0
    assert math.isclose(w.loc["D", "D"], math.sqrt(0.5)) and w.loc["D", "grade"] == "中级协调"
    assert w.loc["D", "lagging"].startswith("同步")
    assert w.loc["B", "D"] == 0.0 and w.loc["B", "grade"] == "极度失调"
    assert w.loc["B", "lagging"].startswith("城市可持续发展滞后")
    assert w.loc["C", "lagging"].startswith("资源开发滞后")
    assert out.summary["evaluated"] == 4


def test_missing_subsystem_is_reported():
    rec = [("A", 2012, "mining_employment_share", 5.0), ("B", 2012, "mining_employment_share", 6.0),
           ("B", 2012, "gdp_per_capita", 10.0), ("C", 2012, "gdp_per_capita", 20.0)]
    out = run_coordination(make_panel(rec), REG, load_spec("coordination", SPEC), 2012)
    w = widen(out.results).set_index("unit_id")
    assert math.isnan(w.loc["A", "D"]) and w.loc["A", "grade"] is None
    assert any(u == "A" and "gdp_per_capita" in why for u, why in out.not_computed)


def test_three_subsystems_and_all_cities():
    spec = load_spec("coordination", {**SPEC, "focus_types": "all", "adjusted_c": False,
                                      "subsystems": {
        **SPEC["subsystems"],
        "environment": {"label": ["生态环境", "environment"],
                        "indicators": [{"name": "green_coverage", "direction": 1}],
                        "weighting": "equal", "min_availability": 1.0}}})
    vals = {"A": (10, 100, 30), "B": (2, 20, 30), "E": (6, 60, 50)}
    rec = []
    for u, (m, g, gc) in vals.items():
        rec += [(u, 2012, "mining_employment_share", m), (u, 2012, "gdp_per_capita", g),
                (u, 2012, "green_coverage", gc)]
    out = run_coordination(make_panel(rec), REG, spec, 2012)
    w = widen(out.results).set_index("unit_id")
    # E (declining) is evaluated with focus "all"; U = (0.5, 0.5, 1): C = 3·(0.25)^(1/3)/2
    assert math.isclose(w.loc["E", "U_environment"], 1.0)
    assert math.isclose(w.loc["E", "C"], 3 * 0.25 ** (1 / 3) / 2)
    assert math.isclose(w.loc["E", "T"], 2 / 3)
    # A = (1, 1, 0): environment lags by more than 0.1
    assert w.loc["A", "lagging"] == "生态环境滞后 / environment lagging"


def test_adjusted_coupling_is_the_default_by_hand():
    reg = make_registry([("P1", "prefecture", "mature", "河北省", None, ""),
                         ("P2", "prefecture", "mature", "河北省", None, ""),
                         ("P3", "prefecture", "growth", "河北省", None, "")])
    vals = {"P1": (10, 100), "P2": (6, 100), "P3": (2, 20)}
    rec = [(u, 2012, "mining_employment_share", m) for u, (m, _) in vals.items()]
    rec += [(u, 2012, "gdp_per_capita", g) for u, (_, g) in vals.items()]
    out = run_coordination(make_panel(rec), reg, load_spec("coordination", SPEC), 2012)
    w = widen(out.results).set_index("unit_id")
    # P2: U = (0.5, 1): adjusted C = sqrt((1 - |0.5 - 1|) · 0.5/1) = 0.5 (standard: 0.943)
    assert math.isclose(w.loc["P2", "C"], 0.5)
    assert math.isclose(w.loc["P2", "D"], math.sqrt(0.5 * 0.75))
    assert out.summary["model"] == "adjusted"
    card = out.summary["validity"]
    # C over (1, 0.5, 0): population SD 0.408 ≥ 0.05 → informative, but nothing official: indicative
    assert card["verdict"] == "indicative" and math.isclose(card["figure"], math.sqrt(1 / 6))
    std = run_coordination(make_panel(rec), reg,
                           load_spec("coordination", {**SPEC, "adjusted_c": False}), 2012)
    ws = widen(std.results).set_index("unit_id")
    assert math.isclose(ws.loc["P2", "C"], 2 * math.sqrt(0.5) / 1.5)


def test_default_resource_subsystem_excludes_total_industry():
    inds = [i["name"] for i in load_spec("coordination")["subsystems"]["resource"]["indicators"]]
    assert "industrial_output" not in inds and "mining_employment_share" in inds
