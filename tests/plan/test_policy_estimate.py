"""Estimators on simulated panels with a known effect; cross-check against linearmodels."""

import numpy as np
import pandas as pd
import pytest

from rbcity.plan.policy import estimate as E
from rbcity.plan.policy.placebo import placebo
from rbcity.plan.policy.pretrend import wald_pretrend
from rbcity.plan.policy.simulate import simulate_panel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                        "ignore:.*inplace.*")

STAGGERED = {2007: 0.25, 2009: 0.25, 2011: 0.25}


def _static(tab, est):
    return tab[(tab["estimator"] == est) & (tab["term"] == "ATT")].iloc[0]


@pytest.fixture(scope="module")
def homogeneous():
    return simulate_panel(n_units=150, cohorts=STAGGERED, effect=2.0, noise=0.5, missing=0.05, seed=0)


@pytest.fixture(scope="module")
def heterogeneous():
    # early cohort (2006) has effects growing by 1 per year; late cohort (2010) a flat effect of 1.
    # Already-treated early units act as controls for the late cohort in TWFE: the "forbidden
    # comparison" pulls TWFE far below the true ATT (about 1.1 against 3.1).
    return simulate_panel(n_units=150, cohorts={2006: 0.4, 2010: 0.4}, effect=1.0,
                          slope={2006: 1.0, 2010: 0.0}, noise=0.5, seed=0)


def test_homogeneous_both_recover(homogeneous):
    truth = homogeneous.truth["att"]
    assert truth == pytest.approx(2.0)
    tab, _ = E.estimate(homogeneous.wide, ("twfe", "did2s", "twfe_es", "did2s_es"))
    for est in ("twfe", "did2s"):
        r = _static(tab, est)
        assert r["ci_low"] <= truth <= r["ci_high"], est
        assert abs(r["estimate"] - truth) < 0.15
    # event study: post coefficients ≈ 2, leads ≈ 0 (each within 3 s.e.: with 16 coefficients a
    # 95% CI misses now and then by chance, so coverage per coefficient is not asserted)
    for est in ("twfe_es", "did2s_es"):
        es = tab[tab["estimator"] == est]
        target = np.where(es["rel_time"].astype(int) >= 0, 2.0, 0.0)
        assert (np.abs(es["estimate"] - target) < 3 * es["se"]).all(), est
        assert len(es) == 8  # k = -4..4 without the reference -1
    assert set(tab["n_units"]) == {homogeneous.wide["unit_id"].nunique()}


def test_staggered_heterogeneous_twfe_biased_did2s_not(heterogeneous):
    truth = heterogeneous.truth["att"]
    assert truth == pytest.approx(3.1)
    tab, _ = E.estimate(heterogeneous.wide, ("twfe", "did2s"))
    twfe, did2s = _static(tab, "twfe"), _static(tab, "did2s")
    # TWFE: truth far outside its 95% CI (the bias is > 10 standard errors here)
    assert twfe["ci_high"] < truth
    assert (truth - twfe["estimate"]) / twfe["se"] > 10
    # did2s: covers the truth
    assert did2s["ci_low"] <= truth <= did2s["ci_high"]
    assert abs(did2s["estimate"] - truth) < 0.3


def _exact_imputation_att(d, controls=()):
    """did2s ATT by dense least squares (unit + year dummies and X on untreated rows)."""
    import pandas as pd

    dummies = pd.get_dummies(d[["unit_id"]].assign(year=d["year"].astype(str))).astype(float)
    Z = np.column_stack([dummies.to_numpy(), d[list(controls)].to_numpy(float)])
    u = d["D"].to_numpy() == 0
    b = np.linalg.lstsq(Z[u], d["y"].to_numpy()[u], rcond=None)[0]
    return float(np.mean(d["y"].to_numpy()[~u] - Z[~u] @ b))


def test_point_estimates_match_fits(homogeneous):
    d = E.prepare(homogeneous.wide)
    tab, _ = E.estimate(homogeneous.wide, ("twfe", "did2s"))
    assert E.point_twfe(d) == pytest.approx(_static(tab, "twfe")["estimate"], rel=1e-10)
    # our numpy imputation equals the exact least-squares answer ...
    assert E.point_did2s(d) == pytest.approx(_exact_imputation_att(d), rel=1e-10)
    # ... and pyfixest's did2s to ~1e-6: pyfixest recovers the first-stage fixed effects
    # iteratively (fixef()), which leaves an error of a few 1e-6 on this panel
    assert E.point_did2s(d) == pytest.approx(_static(tab, "did2s")["estimate"], rel=1e-5)


def test_point_did2s_with_controls():
    sim = simulate_panel(n_units=80, cohorts=STAGGERED, effect=1.0, control_coef=2.0,
                         missing=0.05, seed=5)
    d = E.prepare(sim.wide)
    assert E.point_did2s(d, ["x"]) == pytest.approx(_exact_imputation_att(d, ["x"]), rel=1e-9)
    fit = E.fit_did2s(d, ["x"])
    assert E.point_did2s(d, ["x"]) == pytest.approx(fit.coef()["D"], rel=1e-5)


def test_controls_recovered():
    sim = simulate_panel(n_units=120, cohorts=STAGGERED, effect=1.0, control_coef=2.0, seed=3)
    tab, fits = E.estimate(sim.wide, ("twfe", "did2s"), controls=["x"])
    for est in ("twfe", "did2s"):
        r = _static(tab, est)
        assert r["ci_low"] <= 1.0 <= r["ci_high"], est
    assert fits["twfe"].coef()["x"] == pytest.approx(2.0, abs=0.1)


def test_twfe_matches_linearmodels(homogeneous):
    """TWFE point estimate and clustered SE against linearmodels PanelOLS.

    Conventions: rbcity reports pyfixest's CRV1 default, fixest's small-sample factor
    G/(G-1)·(n-1)/(n-k) with k excluding the unit FE nested in the clusters. linearmodels
    (debiased=True, group_debias=True) uses G/(G-1)·(n-1)/(n-k) with k counting all absorbed
    effects; pyfixest reproduces that with ssc(k_fixef="full"). Both are the same sandwich, so
    they must agree to rounding (rel 1e-8); our default then differs from linearmodels only by
    the factor sqrt((n - k_full)/(n - k_nested)), asserted exactly.
    """
    linearmodels = pytest.importorskip("linearmodels")
    import pyfixest as pf

    d = E.prepare(homogeneous.wide)
    ours = E.fit_twfe(d)
    p = d.set_index(["unit_id", "year"])
    lm = linearmodels.PanelOLS(p["y"], p[["D"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
    )
    assert ours.coef()["D"] == pytest.approx(lm.params["D"], rel=1e-10)
    full = pf.feols("y ~ D | unit_id + year", data=d, vcov={"CRV1": "unit_id"},
                    ssc=pf.ssc(k_adj=True, k_fixef="full", G_adj=True))
    assert full.se()["D"] == pytest.approx(lm.std_errors["D"], rel=1e-8)
    n = len(d)
    k_full = lm.df_model  # D + unit and year effects (as linearmodels counts them)
    n_units, n_years = d["unit_id"].nunique(), d["year"].nunique()
    k_nested = k_full - (n_units - 1)  # unit effects are nested in the cluster
    assert k_full == 1 + (n_units - 1) + (n_years - 1) + 1
    ratio = np.sqrt((n - k_full) / (n - k_nested))
    assert ours.se()["D"] == pytest.approx(lm.std_errors["D"] * ratio, rel=1e-8)


@pytest.mark.parametrize("pretrend, rejects", [(0.25, True), (0.0, False)])
def test_pretrend(pretrend, rejects):
    sim = simulate_panel(n_units=150, cohorts={2008: 0.25, 2009: 0.25, 2011: 0.25},
                         pretrend=pretrend, effect=1.0, noise=0.5, seed=0)
    d = E.prepare(sim.wide)
    _, fits = E.estimate(sim.wide, ("twfe_es", "did2s_es"))
    terms = E.event_terms(d, (-4, 4))
    for est in ("twfe_es", "did2s_es"):
        w = wald_pretrend(fits[est], terms, d["unit_id"].nunique())
        assert w["q"] == 3 and w["terms"] == [-4, -3, -2]
        if rejects:
            assert w["p"] < 0.001, est
        else:
            assert w["p"] > 0.05, est


def test_wald_by_hand(homogeneous):
    d = E.prepare(homogeneous.wide)
    fit, terms = E.fit_event_twfe(d, (-4, 4))
    w = wald_pretrend(fit, terms, 150)
    names = ["ev_m4", "ev_m3", "ev_m2"]
    b = fit.coef()[names].to_numpy()
    idx = [list(fit.coef().index).index(t) for t in names]
    V = np.asarray(fit._vcov)[np.ix_(idx, idx)]
    assert w["chi2"] == pytest.approx(float(b @ np.linalg.solve(V, b)), rel=1e-10)
    assert w["F"] == pytest.approx(w["chi2"] / 3)


def test_placebo_pvalues():
    sim = simulate_panel(n_units=100, cohorts=STAGGERED, effect=1.0, noise=0.5, seed=2)
    real = E.point_did2s(E.prepare(sim.wide))
    pl = placebo(sim.wide, real, n=19, mode="units", estimator="did2s", seed=7)
    assert pl["n"] == 19 and pl["p_value"] == pytest.approx(1 / 20)  # no draw as large
    assert abs(pl["mean"]) < 0.2
    again = placebo(sim.wide, real, n=19, mode="units", estimator="did2s", seed=7)
    np.testing.assert_array_equal(pl["draws"], again["draws"])  # seedable
    null = simulate_panel(n_units=100, cohorts=STAGGERED, effect=0.0, noise=0.5, seed=2)
    real0 = E.point_twfe(E.prepare(null.wide))
    for mode in ("units", "dates", "both"):
        p0 = placebo(null.wide, real0, n=19, mode=mode, estimator="twfe", seed=1)
        assert p0["n"] == 19
        assert abs(p0["mean"]) < 0.2, mode
    p_units = placebo(null.wide, real0, n=19, mode="units", estimator="twfe", seed=1)
    assert p_units["p_value"] > 0.1


def test_estimate_rejects_thin_treated():
    sim = simulate_panel(n_units=60, cohorts={2005: 0.3}, seed=0)  # 1 pre-year from 2004
    with pytest.raises(ValueError, match="fewer than 2 untreated"):
        E.estimate(sim.wide, ("did2s",))


def test_point_did2s_is_exact_least_squares_at_any_scale():
    """The placebo fast path equals a direct least-squares imputation (dense dummy design,
    fitted on untreated rows) to 1e-9, on an outcome in the tens of thousands (GDP per capita
    in 元) and with one unit treated in all its years (not imputable → left out, as in did2s)."""
    from rbcity.plan.policy.placebo import _with_cohort

    sim = simulate_panel(n_units=60, years=(2004, 2012), cohorts={2008: 0.1, 2011: 0.1},
                         effect=1.0, missing=0.05, seed=3)
    d = E.prepare(sim.wide)
    d["y"] = d["y"] * 30_000 + 20_000
    cm = d.groupby("unit_id")["cohort"].first().to_dict()
    always = sorted(cm)[0]
    cm[always] = 2004  # treated from the first year: no untreated row
    d = _with_cohort(d, cm)
    ui, uid = pd.factorize(d["unit_id"])
    ti, _ = pd.factorize(d["year"])
    M = np.zeros((len(d), len(uid) + ti.max() + 1))
    M[np.arange(len(d)), ui] = 1
    M[np.arange(len(d)), len(uid) + ti] = 1
    u = d["D"].to_numpy() == 0
    coef = np.linalg.lstsq(M[u], d["y"].to_numpy()[u], rcond=None)[0]
    ok = (~u) & (d["unit_id"] != always).to_numpy()
    expected = float(np.mean(d["y"].to_numpy()[ok] - M[ok] @ coef))
    assert E.point_did2s(d) == pytest.approx(expected, rel=1e-9)
