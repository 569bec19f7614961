"""Monte Carlo uncertainty / Sobol sensitivity: consistency with composite_index, SALib
differential test of the Sobol estimators, declared-but-inert assumptions are errors."""

import numpy as np
import pytest

from rbcity.methods import IndexSpec, Indicator, composite_index
from rbcity.methods.uncertainty import batch_scores, monte_carlo, sobol_indices

nan = np.nan


def _data(seed=0, T=3, m=15, n=5, holes=True):
    rng = np.random.default_rng(seed)
    X = rng.lognormal(size=(T, m, n))
    if holes:
        X[1, 2, 1] = nan
        X[0, 4, 3] = nan
    spec = IndexSpec([Indicator(f"x{j}", 1 if j % 2 == 0 else -1) for j in range(n)],
                     aggregation="topsis", weighting="entropy")
    return X, spec


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric", "topsis", "vikor"])
@pytest.mark.parametrize("pooled_ideal", [False, True])
def test_batch_equals_composite_index(aggregation, pooled_ideal):
    X, spec = _data()
    spec = spec.with_(aggregation=aggregation, ideal_pooled=pooled_ideal,
                      normalisation_options={"scale": [0.002, 0.996]})
    res = composite_index(X, spec, details=True)
    rng = np.random.default_rng(1)
    W = rng.dirichlet(np.ones(5), size=7)
    B = batch_scores(res.normalised, W, aggregation, ideal_pooled=pooled_ideal)
    for k in range(7):
        mult = W[k] / res.weights
        ref = composite_index(X, spec, weight_multipliers=mult)
        np.testing.assert_allclose(B[k], ref, atol=1e-12)


def test_replications_are_recorded_and_reproducible():
    X, spec = _data()
    vary = {"weights": 0.3, "normalisation": ["minmax", "percentile"],
            "aggregation": ["topsis", "arithmetic"], "imputation": ["none", "interpolate"],
            "weighting": ["entropy", "equal"]}
    r = monte_carlo(X, spec, vary, n=40, seed=3, keep_scores=True)
    assert list(r.samples.columns) == ["weights", "normalisation", "weighting", "aggregation",
                                       "imputation"]
    assert len(r.samples) == 40 and r.ranks.shape == (40, 3, 15)
    for k in (0, 7, 39):
        sk, mult = r.spec_of(k)
        np.testing.assert_allclose(r.scores[k], composite_index(X, sk, weight_multipliers=mult),
                                   atol=1e-12)
    assert np.all(r.rank_lo <= r.median_rank + 1e-12) and np.all(r.median_rank <= r.rank_hi)
    assert np.nanmin(r.ranks) >= 1 and np.nanmax(r.ranks) <= 15


def test_per_year_weights_are_perturbed_consistently():
    """Weights per year (weighting_pooled=False) are perturbed year by year with one draw."""
    X, spec = _data(holes=False)
    spec = spec.with_(weighting_pooled=False, aggregation="arithmetic")
    r = monte_carlo(X, spec, {"weights": 0.2, "aggregation": ["arithmetic", "geometric"]}, n=10,
                    keep_scores=True)
    sk, mult = r.spec_of(4)
    np.testing.assert_allclose(r.scores[4], composite_index(X, sk, weight_multipliers=mult),
                               atol=1e-12)


def test_dominant_unit_always_first():
    X, spec = _data(holes=False)
    X[:, 0, [0, 2, 4]] = 100.0  # best on every benefit indicator
    X[:, 0, [1, 3]] = 1e-3  # best on every cost indicator
    r = monte_carlo(X, spec.with_(aggregation="arithmetic"), {"weights": 0.5}, n=50)
    assert np.all(r.ranks[:, :, 0] == 1) and np.all(r.rank_hi[:, 0] == 1)


def test_inert_assumptions_are_errors():
    X, spec = _data(holes=False)
    with pytest.raises(ValueError, match="'imputation' is declared as varied but none"):
        monte_carlo(X, spec, {"imputation": ["none", "interpolate"]}, n=5)
    with pytest.raises(ValueError, match="noise amplitude is 0"):
        monte_carlo(X, spec, {"weights": 0.0}, n=5)
    with pytest.raises(ValueError, match="fewer than two"):
        monte_carlo(X, spec, {"aggregation": ["topsis", "topsis"]}, n=5)
    with pytest.raises(ValueError, match="cannot vary"):
        monte_carlo(X, spec, {"winsorising": [1, 2]}, n=5)
    # weighting equal vs entropy on data where entropy gives equal weights → inert → error
    Xe = np.tile(np.array([[1.0, 2.0], [2.0, 1.0]]), (1, 1, 1))
    spec2 = IndexSpec([Indicator("a"), Indicator("b")], weighting="entropy")
    with pytest.raises(ValueError, match="'weighting'"):
        monte_carlo(Xe, spec2, {"weighting": ["entropy", "equal"]}, n=5)


def test_sobol_estimators_equal_salib():
    from SALib.analyze import sobol as sa
    from SALib.sample import sobol as ss
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-np.pi, np.pi]] * 3}
    P = ss.sample(problem, 256, calc_second_order=False, seed=1)
    Y = Ishigami.evaluate(P)
    ref = sa.analyze(problem, Y, calc_second_order=False, num_resamples=10, seed=1)
    S1, ST = sobol_indices(Y, 3)
    np.testing.assert_allclose(S1, ref["S1"], atol=1e-12)
    np.testing.assert_allclose(ST, ref["ST"], atol=1e-12)
    # many outputs at once = one call per output
    Y2 = np.c_[Y, Y**2]
    S1b, STb = sobol_indices(Y2, 3)
    np.testing.assert_allclose(S1b[:, 0], S1)
    ref2 = sa.analyze(problem, Y**2, calc_second_order=False, num_resamples=10, seed=1)
    np.testing.assert_allclose(STb[:, 1], ref2["ST"], atol=1e-12)


def test_sobol_design_ranks_influential_assumption():
    """Normalisation choice (min–max vs percentile) moves ranks far more than ±1 % weight noise."""
    X, spec = _data(holes=False, m=30)
    r = monte_carlo(X, spec.with_(aggregation="arithmetic"),
                    {"weights": 0.01, "normalisation": ["minmax", "percentile"]}, n=64,
                    design="sobol", seed=2)
    assert len(r.samples) == 64 * 4
    assert r.sobol.loc["normalisation", "ST_rank"] > 5 * r.sobol.loc["weights", "ST_rank"]
    assert r.sobol_units[0].shape == (2, 3, 30)
