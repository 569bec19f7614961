"""Aggregation, availability rule and imputation: hand-computed examples and edge cases."""

import numpy as np
import pytest

from rbcity.methods import aggregate as A

nan = np.nan


def test_arithmetic_hand():
    """w = (.5, .3, .2); unit 1 (1, .5, 0) → .65; unit 2 (0, 1, 1) → .5."""
    R = np.array([[1, 0.5, 0], [0, 1, 1.0]])
    np.testing.assert_allclose(A.arithmetic(R, [0.5, 0.3, 0.2]), [0.65, 0.5])


def test_arithmetic_missing_and_availability_rule():
    """5 indicators, equal weights.  Unit with 1 of 5 missing (80 % available) is scored over the
    4 available (mean of 1, 1, 0, 0 = 0.5); 2 of 5 missing (60 %) → NaN with the default 0.8;
    with min_availability = 0.6 it is scored (mean of 1, 0, 1 = 2/3).  All missing → NaN."""
    R = np.array([[1, 1, 0, 0, nan], [1, nan, 0, nan, 1], [nan] * 5])
    s = A.arithmetic(R, np.ones(5))
    np.testing.assert_allclose(s, [0.5, nan, nan])
    np.testing.assert_allclose(A.arithmetic(R, np.ones(5), min_availability=0.6),
                               [0.5, 2 / 3, nan])
    np.testing.assert_allclose(A.availability(R), [0.8, 0.6, 0.0])


def test_reference_linear_sum_example():
    """zhjx19/mathmodels ``linear_sum`` recorded example: w = (.5, .3, .2), rows
    (.85, .78, .65) → 0.789 and (.72, .85, .72) → 0.759 (rows with NaN give NA there; here
    the availability rule decides: 2 of 3 = 67 % < 80 % → NaN as well)."""
    R = np.array([[0.85, 0.78, 0.65], [0.72, 0.85, 0.72], [0.91, 0.67, nan], [nan, 0.73, 0.81]])
    np.testing.assert_allclose(A.arithmetic(R, [0.5, 0.3, 0.2]), [0.789, 0.759, nan, nan])


def test_geometric_hand_and_edges():
    """w = (.5, .5): (4, 1) → sqrt(4) = 2; (.25, 1) → .5; a zero → 0; negative → error."""
    R = np.array([[4.0, 1.0], [0.25, 1.0], [0.0, 1.0]])
    np.testing.assert_allclose(A.geometric(R, [1, 1]), [2.0, 0.5, 0.0])
    # zero weight ignores its indicator even when the value is 0
    np.testing.assert_allclose(A.geometric(np.array([[0.0, 0.5]]), [0, 1]), [0.5])
    with pytest.raises(ValueError, match="non-negative"):
        A.geometric(np.array([[-0.1, 1.0]]), [1, 1])
    # geometric ≤ arithmetic (AM–GM)
    rng = np.random.default_rng(1)
    X = rng.uniform(0.01, 1, (20, 5))
    w = rng.dirichlet(np.ones(5))
    assert np.all(A.geometric(X, w) <= A.arithmetic(X, w) + 1e-12)


def test_per_year_weights_shape():
    R = np.ones((3, 4, 2)) * np.array([1.0, 0.0])
    w = np.array([[1, 0], [0, 1], [0.5, 0.5]])
    np.testing.assert_allclose(A.arithmetic(R, w), [[1] * 4, [0] * 4, [0.5] * 4])


def test_interpolate_hand():
    """One unit, one indicator over 6 years: (nan, 1, nan, nan, 4, nan):
    interior gaps linear → 2, 3; edges stay NaN unless extrapolate (then 1 … 4)."""
    X = np.array([nan, 1, nan, nan, 4, nan]).reshape(6, 1, 1)
    np.testing.assert_allclose(A.impute(X, "interpolate").ravel(), [nan, 1, 2, 3, 4, nan])
    np.testing.assert_allclose(A.impute(X, "interpolate", extrapolate=True).ravel(),
                               [1, 1, 2, 3, 4, 4])
    # a unit never observed stays missing; other series untouched; input not modified
    Y = np.full((3, 2, 1), nan)
    Y[:, 1, 0] = [1.0, nan, 5.0]
    out = A.impute(Y, "interpolate")
    assert np.isnan(out[:, 0, 0]).all() and out[1, 1, 0] == 3.0 and np.isnan(Y[1, 1, 0])
    with pytest.raises(ValueError, match="panel"):
        A.impute(np.ones((2, 2)), "interpolate")


def test_group_median_hand():
    """Units in groups (a, a, a, b, b); indicator values (1, nan, 5, 10, nan): the a-gap gets
    median(1, 5) = 3, the b-gap median(10) = 10.  Without groups: median(1, 5, 10) = 5."""
    X = np.array([[[1.0], [nan], [5.0], [10.0], [nan]]])
    out = A.impute(X, "group_median", groups=["a", "a", "a", "b", "b"])
    np.testing.assert_allclose(out.ravel(), [1, 3, 5, 10, 10])
    np.testing.assert_allclose(A.impute(X, "group_median").ravel(), [1, 5, 5, 10, 5])
    with pytest.raises(ValueError, match="unknown imputation"):
        A.impute(X, "mean")


def test_hierarchical_aggregation_hand():
    """Indicators (1, 0 | 1) in dimensions (E, E | S), weights (1, 1 | 1), dimension weights
    E .25, S .75: E = .5, S = 1 → index .25·.5 + .75·1 = .875 (= flat with hierarchical w)."""
    R = np.array([[1.0, 0.0, 1.0]])
    idx, Dm, labels = A.aggregate_hierarchical(R, [1, 1, 1], ["E", "E", "S"], {"E": .25, "S": .75})
    np.testing.assert_allclose(idx, [0.875])
    np.testing.assert_allclose(Dm, [[0.5, 1.0]])
    assert labels == ["E", "S"]
