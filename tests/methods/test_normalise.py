"""Normalisation: hand-computed examples, pymcdm differential tests, edge cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rbcity.methods import normalise as N

nan = np.nan


def test_minmax_by_direction_hand():
    """Columns benefit (1, 2, 4) and cost (10, 20, 30):
    benefit (x - 1)/3 → 0, 1/3, 1;  cost (30 - x)/20 → 1, 0.5, 0."""
    X = np.array([[1, 10], [2, 20], [4, 30.0]])
    R = N.minmax(X, [1, -1])
    np.testing.assert_allclose(R, [[0, 1], [1 / 3, 0.5], [1, 0]])


def test_minmax_pooled_vs_per_year_hand():
    """Panel, one benefit indicator, 2 years × 2 units: year 0 = (0, 2), year 1 = (4, 8).
    Pooled: min 0, max 8 → (0, .25), (.5, 1).  Per year: (0, 1), (0, 1)."""
    X = np.array([[[0.0], [2.0]], [[4.0], [8.0]]])
    np.testing.assert_allclose(N.minmax(X, pooled=True)[..., 0], [[0, 0.25], [0.5, 1]])
    np.testing.assert_allclose(N.minmax(X, pooled=False)[..., 0], [[0, 1], [0, 1]])


def test_minmax_scale_and_shift_hand():
    """The reference code's [0.002, 0.996]: r = (0, .5, 1) → .002, .499, .996; shift adds 1e-4."""
    X = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_allclose(N.minmax(X, scale=(0.002, 0.996))[:, 0], [0.002, 0.499, 0.996])
    np.testing.assert_allclose(N.minmax(X, shift=1e-4)[:, 0], [1e-4, 0.5001, 1.0001])


def test_minmax_edge_cases():
    X = np.array([[5.0, nan, 1.0], [5.0, nan, nan], [5.0, nan, 3.0]])
    R = N.minmax(X)
    np.testing.assert_array_equal(R[:, 0], [1.0, 1.0, 1.0])  # constant column → constant=1
    assert np.isnan(R[:, 1]).all()  # all-missing column stays missing
    np.testing.assert_allclose(R[:, 2], [0.0, nan, 1.0])  # NaN propagates, ignored in min/max
    assert (N.minmax(X, constant=0.5)[:, 0] == 0.5).all()
    # one unit: every column is constant
    np.testing.assert_array_equal(N.minmax(np.array([[3.0, -2.0]])), [[1.0, 1.0]])


def test_minmax_matches_pymcdm():
    from pymcdm import normalizations as pn

    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 5))
    R = N.minmax(X, [1, -1, 1, -1, 1], pooled=False)
    for j, cost in enumerate([False, True, False, True, False]):
        np.testing.assert_allclose(R[:, j], pn.minmax_normalization(X[:, j], cost), atol=1e-12)
    # constant column: pymcdm returns ones, so do we (default constant=1.0)
    np.testing.assert_array_equal(N.minmax(np.ones((4, 1))), pn.minmax_normalization(np.ones(4))[:, None])


def test_vector_matches_pymcdm():
    from pymcdm import normalizations as pn

    rng = np.random.default_rng(4)
    X = rng.uniform(1, 5, size=(12, 3))
    R = N.vector(X, [1, -1, 1])
    for j, cost in enumerate([False, True, False]):
        np.testing.assert_allclose(R[:, j], pn.vector_normalization(X[:, j], cost), atol=1e-12)


def test_zscore_hand():
    """(1, 2, 3): mean 2, population sd sqrt(2/3) → ±1.2247; cost flips the sign; constant → 0."""
    X = np.array([[1.0, 7.0], [2.0, 7.0], [3.0, 7.0]])
    Z = N.zscore(X, [-1, 1])
    np.testing.assert_allclose(Z[:, 0], [1.224744871, 0.0, -1.224744871])
    np.testing.assert_array_equal(Z[:, 1], [0, 0, 0])


def test_goalposts_hand():
    """Benefit (1..6), top_k=2: best = mean(5, 6) = 5.5; worst = 2.5th percentile
    = 1 + 0.025·5 = 1.125; x = 3 → (3 - 1.125)/(5.5 - 1.125) = 0.428571.
    Cost (10, 20, 40, 30, 20): best = mean(10, 20) = 15, worst = 97.5th pct = 30 + 0.9·10 = 39;
    x = 20 → (20 - 39)/(15 - 39) = 0.791667; x = 10 beyond best → censored to 1."""
    X = np.array([[1, 10], [2, 20], [3, nan], [5, 40], [4, 30], [6, 20.0]])
    best, worst = N.goalpost_bounds(X, [1, -1], top_k=2)
    np.testing.assert_allclose(best.ravel(), [5.5, 15.0])
    np.testing.assert_allclose(worst.ravel(), [1.125, 39.0])
    S = N.goalposts(X, [1, -1], top_k=2)
    np.testing.assert_allclose(S[2, 0], 1.875 / 4.375)  # = 0.428571
    np.testing.assert_allclose(S[1, 1], 19 / 24)
    assert S[0, 1] == 1.0 and S[0, 0] == 0.0 and np.isnan(S[2, 1])


def test_goalposts_target_and_scale():
    """Target overrides the top-5 mean: benefit target 10, worst given 0 → x/10·100."""
    X = np.array([[2.0], [5.0], [12.0]])
    S = N.goalposts(X, target=[10.0], worst=[0.0], scale=100)
    np.testing.assert_allclose(S[:, 0], [20, 50, 100])
    S2 = N.goalposts(X, target=[10.0], worst=[0.0], censor=False)
    np.testing.assert_allclose(S2[:, 0], [0.2, 0.5, 1.2])


def test_rank_hand_and_ties():
    """(10, 30, 20, 20): ranks 1, 4, 2.5, 2.5 → percentile (r - 1)/3 = 0, 1, .5, .5; cost flips."""
    X = np.array([[10.0], [30.0], [20.0], [20.0]])
    np.testing.assert_allclose(N.rank(X, percentile=False)[:, 0], [1, 4, 2.5, 2.5])
    np.testing.assert_allclose(N.rank(X)[:, 0], [0, 1, 0.5, 0.5])
    np.testing.assert_allclose(N.rank(X, -1)[:, 0], [1, 0, 0.5, 0.5])
    P = N.rank(np.array([[[1.0], [nan]], [[2.0], [3.0]]]))  # per year; a lone value → 1
    np.testing.assert_allclose(P[..., 0], [[1.0, nan], [0.0, 1.0]])


def test_dispatch_and_errors():
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(N.normalise(X, "none", [1, -1]), [[1, -2], [3, -5]])
    with pytest.raises(ValueError, match="unknown normalisation"):
        N.normalise(X, "bogus")
    with pytest.raises(ValueError, match="direction"):
        N.minmax(X, [1, 0])


@settings(max_examples=30, deadline=None)
@given(arrays(float, (3, 5, 3), elements=st.floats(-1e6, 1e6)))
def test_minmax_properties(X):
    """Output in [0, 1]; cost = 1 - benefit on non-constant columns; best value maps to 1."""
    Rb = N.minmax(X)
    assert np.all((Rb >= 0) & (Rb <= 1))
    Rc = N.minmax(X, -1)
    rng = X.max(axis=(0, 1)) - X.min(axis=(0, 1))
    nc = rng > 1e-9 * (1 + np.abs(X).max())
    np.testing.assert_allclose(Rc[..., nc], 1 - Rb[..., nc], atol=1e-9)


def test_nan_propagation_all_methods():
    """A missing cell stays missing and does not change the other cells' statistics beyond
    dropping that value: minmax/zscore/goalposts/rank/vector on a column with a NaN equal the
    same method on the column without it."""
    X = np.array([[1.0], [nan], [4.0], [2.0], [8.0], [3.0]])
    Xd = X[~np.isnan(X[:, 0])]
    for method in ("minmax", "zscore", "goalposts", "percentile", "rank", "vector"):
        out = N.normalise(X, method)
        assert np.isnan(out[1, 0]), method
        np.testing.assert_allclose(out[~np.isnan(X[:, 0])], N.normalise(Xd, method), err_msg=method)
