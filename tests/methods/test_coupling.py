"""Coupling coordination: hand-computed, reference implementation example, grades, lagging."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rbcity.methods import coupling as cc

nan = np.nan

#: zhjx19/mathmodels ``coupling_degree`` recorded example (three subsystems)
U3 = np.array([[0.0162, 0.2720, 0.2655], [0.1782, 0.6824, 0.3721], [0.5490, 0.0593, 0.5729],
               [0.6730, 0.4812, 0.9082], [0.0207, 0.8891, 0.2017], [0.9875, 0.5573, 0.8984]])


def test_two_systems_hand():
    """U = (.4, .9): C = 2·sqrt(.36)/1.3 = 1.2/1.3 = 0.923077; T = .65; D = sqrt(.6) = 0.774597
    → 中级协调 (0.7, 0.8]; C in (0.8, 1] → 高水平耦合; .9 - .4 > .1 → U1 lags."""
    r = cc.coupling_coordination(np.array([0.4, 0.9]))
    np.testing.assert_allclose([r.C, r.T, r.D], [1.2 / 1.3, 0.65, np.sqrt(1.2 / 1.3 * 0.65)])
    assert cc.d_grade(r.D, lang="zh") == "中级协调"
    assert cc.c_stage(r.C, lang="zh") == "高水平耦合"
    code, label = cc.lagging(np.array([0.4, 0.9]))
    assert code == 0 and label == "U1滞后 / U1 lagging"


def test_reference_implementation_example_standard():
    """Recorded output of the reference implementation of methodology.md §4.3
    (zhjx19/mathmodels ``coupling_degree(df)``, ``..Rcheck/mathmodels-Ex.Rout``), rounded to 3
    decimals.  No journal table with U, C, D numbers could be retrieved (methodology.md §0), so
    this is the reference code's worked example, not a published table."""
    r = cc.coupling_coordination(U3)
    np.testing.assert_allclose(r.C, [0.571, 0.867, 0.674, 0.967, 0.418, 0.971], atol=5e-4)
    np.testing.assert_allclose(r.T, [0.185, 0.411, 0.394, 0.687, 0.370, 0.814], atol=5e-4)
    np.testing.assert_allclose(r.D, [0.325, 0.597, 0.515, 0.815, 0.393, 0.889], atol=5e-4)


def test_reference_implementation_example_adjusted():
    """Same source, ``type = "adjusted"`` with α = (.4, .3, .3): C = (.447, .501, .455, .669,
    .175, .715), T = (.168, .388, .409, .686, .336, .832), D = (.274, .440, .432, .678, .242,
    .771).  Hand check of row A: mean |ΔU| = (.2558 + .2493 + .0065)/3 = .17053;
    Π U/max = (.0162/.272)(.2655/.272) = .058133, ^(1/2) = .24111; C = sqrt(.82947·.24111)
    = .44721."""
    r = cc.coupling_coordination(U3, [0.4, 0.3, 0.3], adjusted=True)
    np.testing.assert_allclose(r.C, [0.447, 0.501, 0.455, 0.669, 0.175, 0.715], atol=5e-4)
    np.testing.assert_allclose(r.T, [0.168, 0.388, 0.409, 0.686, 0.336, 0.832], atol=5e-4)
    np.testing.assert_allclose(r.D, [0.274, 0.440, 0.432, 0.678, 0.242, 0.771], atol=5e-4)


def test_adjusted_two_systems_formula():
    """k = 2: C = sqrt((1 - |U1 - U2|)·min/max); U = (.4, .8) → sqrt(.6·.5) = 0.547723."""
    r = cc.coupling_coordination(np.array([0.4, 0.8]), adjusted=True)
    np.testing.assert_allclose(r.C, np.sqrt(0.3))


def test_properties_and_edges():
    # C = 1 when all equal; → 0 when one subsystem → 0; all zero → 0
    r = cc.coupling_coordination(np.array([[0.3, 0.3, 0.3], [0.5, 0.0, 0.5], [0, 0, 0.0]]))
    np.testing.assert_allclose(r.C, [1, 0, 0])
    np.testing.assert_allclose(r.D, [np.sqrt(0.3), 0, 0])
    # NaN propagates
    r = cc.coupling_coordination(np.array([[0.3, nan]]))
    assert np.isnan(r.C[0]) and np.isnan(r.D[0])
    with pytest.raises(ValueError):
        cc.coupling_coordination(np.array([[-0.1, 0.3]]))
    with pytest.raises(ValueError):
        cc.coupling_coordination(np.array([0.3]))
    # panel shape (T, m, k) → (T, m)
    assert cc.coupling_coordination(np.random.default_rng(0).random((4, 5, 2))).D.shape == (4, 5)


def test_grades_boundaries_and_labels():
    D = np.array([0.0, 0.1, 0.1000001, 0.3 + 1e-16, 0.5, 0.50001, 0.6, 0.9, 0.95, 1.0, nan])
    np.testing.assert_array_equal(cc.d_grade(D), [0, 0, 1, 2, 4, 5, 5, 8, 9, 9, -1])
    labels = cc.d_grade(np.arange(0.05, 1.0, 0.1), lang="zh")
    assert list(labels) == ["极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调", "勉强协调",
                            "初级协调", "中级协调", "良好协调", "优质协调"]
    assert cc.D_GRADES[5] == ("勉强协调", "barely coordinated")
    np.testing.assert_array_equal(cc.c_stage([0.1, 0.3, 0.31, 0.5, 0.8, 0.81, 1.0]),
                                  [0, 0, 1, 1, 2, 3, 3])
    assert list(cc.c_stage([0.2, 0.4, 0.6, 0.9], lang="zh")) == ["低水平耦合", "拮抗阶段",
                                                                   "磨合阶段", "高水平耦合"]


def test_lagging_tolerance():
    """±0.1: (.5, .3) → U2 lags; (.3, .5) → U1 lags; (.5, .4) exactly 0.1 → synchronous."""
    U = np.array([[0.5, 0.3], [0.3, 0.5], [0.5, 0.45], [0.5, 0.4], [nan, 0.2]])
    code, lab = cc.lagging(U, names=["资源", "城市"])
    np.testing.assert_array_equal(code, [1, 0, -1, -1, -2])
    assert lab[0] == "城市滞后 / 城市 lagging" and lab[2] == "同步 / synchronous"
    code3, _ = cc.lagging(np.array([[0.9, 0.5, 0.85], [0.5, 0.55, 0.58]]))
    np.testing.assert_array_equal(code3, [1, -1])



@settings(max_examples=50, deadline=None)
@given(arrays(float, (5, 3), elements=st.floats(0, 1)))
def test_coupling_properties(U):
    """C, T, D in [0, 1]; D ≤ sqrt(T); the adjusted C is never above the standard C·… bound 1;
    permuting subsystems (equal α) changes nothing."""
    for adj in (False, True):
        r = cc.coupling_coordination(U, adjusted=adj)
        for a in (r.C, r.T, r.D):
            assert np.all((a >= 0) & (a <= 1 + 1e-12))
        assert np.all(r.D <= np.sqrt(r.T) + 1e-12)
        rp = cc.coupling_coordination(U[:, ::-1], adjusted=adj)
        np.testing.assert_allclose(rp.D, r.D, atol=1e-12)
