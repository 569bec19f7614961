"""Callaway–Sant'Anna, the relative-magnitudes sensitivity bound and the diagnostics text:
hand-worked cases, a second implementation (OLS 2×2 with HC0, statsmodels) and simulated
staggered panels with heterogeneous effects where the truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rbcity.plan.policy import run_did, simulate_panel
from rbcity.plan.policy.cs import att_gt, callaway_santanna
from rbcity.plan.policy.sensitivity import relative_magnitudes

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")


def _frame(rows):
    return pd.DataFrame(rows, columns=["unit_id", "year", "y", "cohort"])


def test_two_period_hand_example():
    # cohort 2011 units a, b; never-treated c, d; years 2010 (base) and 2011
    df = _frame([("a", 2010, 1.0, 2011), ("a", 2011, 4.0, 2011),
                 ("b", 2010, 2.0, 2011), ("b", 2011, 7.0, 2011),
                 ("c", 2010, 0.0, 0), ("c", 2011, 1.0, 0),
                 ("d", 2010, 5.0, 0), ("d", 2011, 8.0, 0)])
    res = callaway_santanna(df, "never")
    # changes: treated 3, 5 (mean 4); controls 1, 3 (mean 2) -> ATT = 2
    assert res.simple["estimate"] == pytest.approx(2.0)
    # IF variance: sum_G (dy-mG)^2/nG^2 + sum_C (dy-mC)^2/nC^2 = (1+1)/4 + (1+1)/4 = 1
    assert res.simple["se"] == pytest.approx(1.0)
    assert res.att_gt.loc[0, ["g", "t", "e"]].tolist() == [2011, 2011, 0]


def test_att_gt_matches_ols_2x2_with_hc0():
    import statsmodels.api as sm

    sim = simulate_panel(n_units=60, cohorts={2008: 0.3, 2010: 0.3}, effect=1.0, seed=4)
    w = sim.wide
    tab, _, _ = att_gt(w, "never")
    row = tab[(tab["g"] == 2010) & (tab["t"] == 2012)].iloc[0]
    y = w.pivot(index="unit_id", columns="year", values="y")
    coh = w.groupby("unit_id")["cohort"].first()
    keep = coh.isin([0, 2010])
    dy = (y[2012] - y[2009])[keep]
    X = sm.add_constant((coh[keep] == 2010).astype(float).rename("treat"))
    fit = sm.OLS(dy, X).fit(cov_type="HC0")
    assert row["att"] == pytest.approx(fit.params["treat"], rel=1e-10)
    assert row["se"] == pytest.approx(fit.bse["treat"], rel=1e-10)


def test_not_yet_treated_controls_use_later_cohorts():
    sim = simulate_panel(n_units=60, cohorts={2008: 0.3, 2011: 0.3}, seed=5)
    nev, _, _ = att_gt(sim.wide, "never")
    nyt, _, _ = att_gt(sim.wide, "notyet")
    n_never = int((sim.wide.groupby("unit_id")["cohort"].first() == 0).sum())
    r08_09 = nyt[(nyt["g"] == 2008) & (nyt["t"] == 2009)].iloc[0]
    assert r08_09["n_control"] == n_never + 18  # 2011 cohort not yet treated in 2009
    r08_11 = nyt[(nyt["g"] == 2008) & (nyt["t"] == 2011)].iloc[0]
    assert r08_11["n_control"] == n_never  # 2011 cohort treated by then
    assert (nev["n_control"] == n_never).all()


@pytest.fixture(scope="module")
def heterogeneous():
    # early cohort: large, growing effect; late cohort: small. TWFE's forbidden comparisons
    # (early-treated units as controls for the late cohort) bias it downwards.
    sim = simulate_panel(n_units=300, years=(2004, 2012), cohorts={2006: 0.3, 2010: 0.3},
                         effect={2006: 1.0, 2010: 0.2}, slope={2006: 0.8, 2010: 0.0},
                         noise=0.3, seed=11)
    res = run_did(sim.panel, sim.registry, "y", treatment="exhausted", event_study=True,
                  window=(-4, 4))
    return sim, res


def test_cs_recovers_truth_and_twfe_does_not(heterogeneous):
    sim, res = heterogeneous
    e = res.estimates.set_index(["estimator", "term"])
    truth = sim.truth["att"]
    cs = e.loc[("cs", "ATT")]
    twfe = e.loc[("twfe", "ATT")]
    assert abs(cs["estimate"] - truth) < 2 * cs["se"] and abs(cs["estimate"] - truth) < 0.1
    assert abs(twfe["estimate"] - truth) > 0.5  # badly biased
    # CS by cohort: the truth per cohort
    grp = res.cs.group.set_index("g")["estimate"]
    for g, v in sim.truth["by_cohort"].items():
        assert grp[g] == pytest.approx(v, abs=0.1)
    # the dynamic effects: tau(e) = weighted mix of the cohorts' paths
    dyn = res.cs.dynamic.set_index("e")["estimate"]
    assert dyn[0] == pytest.approx((1.0 + 0.2) / 2, abs=0.1)
    assert dyn[4] == pytest.approx(1.0 + 0.8 * 4, abs=0.15)  # only the 2006 cohort reaches e=4


def test_diagnostics_say_which_to_believe(heterogeneous):
    _, res = heterogeneous
    d = {x["key"]: x for x in res.diagnostics}
    assert d["agreement"]["verdict"] == "caution"
    assert "believe CS / did2s, not TWFE" in d["agreement"]["en"]
    assert "应以 CS / did2s 为准" in d["agreement"]["zh"]
    assert d["pretrend"]["verdict"] == "ok"  # no pre-trend simulated
    assert d["conclusion"]["verdict"] == "ok"


def test_pretrend_violation_is_reported():
    sim = simulate_panel(n_units=200, cohorts={2008: 0.25, 2009: 0.25}, effect=0.5,
                         pretrend=0.4, noise=0.3, seed=2)
    res = run_did(sim.panel, sim.registry, "y", event_study=True, window=(-4, 3))
    d = {x["key"]: x for x in res.diagnostics}
    assert d["pretrend"]["verdict"] == "fail"
    assert "cannot support a causal claim" in d["conclusion"]["en"]


def test_rbc2013_runs_on_simulated_plan_period_panel():
    sim = simulate_panel(n_units=120, years=(2008, 2020), cohorts={2014: 0.4}, effect=0.7,
                         noise=0.3, seed=8)
    res = run_did(sim.panel, sim.registry, "y", treatment="rbc2013", event_study=True,
                  window=(-4, 4))
    assert res.spec["cohorts"] == [2014] and not res.spec["staggered"]
    e = res.estimates.set_index(["estimator", "term"])
    assert e.loc[("cs", "ATT"), "estimate"] == pytest.approx(0.7, abs=0.1)
    # one treatment date: CS (never/not-yet identical) equals TWFE only approximately
    assert e.loc[("twfe", "ATT"), "estimate"] == pytest.approx(0.7, abs=0.1)
    assert res.sensitivity is not None and res.sensitivity["breakdown"] > 1


def test_relative_magnitudes_hand_case():
    coefs = pd.DataFrame({"e": [-3, -2, 0, 1], "estimate": [0.2, 0.5, 2.0, 3.0],
                          "se": [0.1, 0.1, 0.5, 0.5]})
    r = relative_magnitudes(coefs, mbars=(0, 1), target="average")
    # pre path -3: 0.2, -2: 0.5, -1: 0 -> moves 0.3 and 0.5 -> D_pre = 0.5
    assert r["d_pre"] == pytest.approx(0.5)
    assert r["theta"] == pytest.approx(2.5) and r["c"] == pytest.approx(1.5)
    se = np.sqrt(0.25 ** 2 + 0.25 ** 2)  # independent post coefficients
    assert r["se"] == pytest.approx(se)
    row = r["rows"].set_index("mbar").loc[1.0]
    assert row["bias_bound"] == pytest.approx(0.75)
    assert row["ci_low"] == pytest.approx(2.5 - 0.75 - 1.959964 * se, rel=1e-5)
    # breakdown: (2.5 - 1.96 se) / (0.5 * 1.5)
    assert r["breakdown"] == pytest.approx((2.5 - 1.959964 * se) / 0.75, rel=1e-5)
    first = relative_magnitudes(coefs, mbars=(1,), target="first")
    assert first["c"] == 1.0 and first["theta"] == 2.0


def test_not_yet_controls_exclude_the_cohort_itself_in_pre_periods():
    sim = simulate_panel(n_units=60, cohorts={2008: 0.3, 2011: 0.3}, seed=5)
    nyt, _, _ = att_gt(sim.wide, "notyet")
    n_never = int((sim.wide.groupby("unit_id")["cohort"].first() == 0).sum())
    pre = nyt[(nyt["g"] == 2011) & (nyt["t"] == 2006)].iloc[0]
    assert pre["n_control"] == n_never  # not the 2011 cohort itself
    pre08 = nyt[(nyt["g"] == 2008) & (nyt["t"] == 2005)].iloc[0]
    assert pre08["n_control"] == n_never + 18  # the 2011 cohort, not 2008


def test_smoothness_hand_case():
    from rbcity.plan.policy.sensitivity import smoothness

    coefs = pd.DataFrame({"e": [-3, -2, 0, 1], "estimate": [1.0, 0.5, -0.5, -1.0],
                          "se": [0.1, 0.1, 0.3, 0.4]})
    r = smoothness(coefs, ms=(0, 0.1))
    # pre slope s = -β_{-2} = -0.5; linear extrapolation: δ_0 = -0.5, δ_1 = -1.0 -> mean -0.75
    assert r["pre_slope"] == pytest.approx(-0.5)
    assert r["theta"] == pytest.approx(-0.75)
    assert r["adjusted_m0"] == pytest.approx(0.0)  # the whole effect is the extrapolated trend
    row = r["rows"].set_index("M").loc[0.1]
    se = np.sqrt(0.15 ** 2 + 0.2 ** 2)
    # curvature term mean((e+1)(e+2)/2) over e = 0, 1 = (1 + 3) / 2 = 2
    assert row["ci_high"] == pytest.approx(0.0 + 0.1 * 2 + 1.959964 * se, rel=1e-5)
