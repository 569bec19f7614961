"""TOPSIS and VIKOR: hand-computed, reference example, pymcdm differential tests, edge cases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rbcity.methods import mcda
from rbcity.methods import normalise as N

nan = np.nan


def test_topsis_hand():
    """r = [[1, 0], [0, 1], [.5, .5]], w = (.5, .5): v = r/2; V+ = (.5, .5), V- = (0, 0).
    Unit 1: D+ = .5, D- = .5 → .5; unit 3: D+ = D- = sqrt(2·.25²) → .5; all 0.5.
    With w = (.8, .2): unit 1 D+ = .2, D- = .8 → .8; unit 2 → .2; unit 3 → .5."""
    R = np.array([[1, 0], [0, 1], [0.5, 0.5]])
    np.testing.assert_allclose(mcda.topsis(R, [0.5, 0.5]), [0.5, 0.5, 0.5])
    np.testing.assert_allclose(mcda.topsis(R, [0.8, 0.2]), [0.8, 0.2, 0.5])


def test_topsis_reference_example_vector():
    """zhjx19/mathmodels ``topsis`` recorded example: X1 = (2, 5, 3) "+", X2 = (8, 1, 6) "-",
    w = (.6, .4) → (0, 1, 0.3111391): the classic vector normalisation."""
    X = np.array([[2, 8], [5, 1], [3, 6.0]])
    np.testing.assert_allclose(mcda.topsis(N.vector(X, [1, -1]), [0.6, 0.4]),
                               [0, 1, 0.3111391], atol=5e-8)


def test_topsis_matches_pymcdm_random():
    from pymcdm import normalizations as pn
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(11)
    for _ in range(25):
        m, n = rng.integers(3, 50), rng.integers(2, 9)
        X = rng.uniform(0.5, 100, (m, n))
        d = rng.choice([-1.0, 1.0], n)
        w = rng.dirichlet(np.ones(n))
        ours = mcda.topsis(N.minmax(X, d, pooled=False), w)
        np.testing.assert_allclose(ours, TOPSIS()(X, w, d), atol=1e-9)
        ours_v = mcda.topsis(N.vector(X, d), w)
        np.testing.assert_allclose(ours_v, TOPSIS(pn.vector_normalization)(X, w, d), atol=1e-9)
        # classic form: keep cost columns as x/||x|| and take the minimum as ideal → same
        Rv = X / np.sqrt((X**2).sum(0))
        np.testing.assert_allclose(mcda.topsis(Rv, w, d), ours_v, atol=1e-12)


def test_topsis_panel_per_year_and_pooled_ideal():
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(12)
    X = rng.uniform(1, 10, (3, 12, 4))
    w = rng.dirichlet(np.ones(4))
    C = mcda.topsis(N.minmax(X, pooled=False), w)
    for t in range(3):
        np.testing.assert_allclose(C[t], TOPSIS()(X[t], w, np.ones(4)), atol=1e-9)
    # pooled ideal = TOPSIS on all unit-years stacked
    Cp = mcda.topsis(N.minmax(X), w, pooled=True)
    np.testing.assert_allclose(Cp.ravel(), TOPSIS()(X.reshape(-1, 4), w, np.ones(4)), atol=1e-9)


def test_topsis_edge_cases():
    # a single unit, or every column constant: no information → NaN
    assert np.isnan(mcda.topsis(np.array([[0.3, 0.4]]), [1, 1])).all()
    assert np.isnan(mcda.topsis(np.ones((4, 2)), [1, 1])).all()
    # a constant column adds nothing to the distances
    R = np.array([[1, 0.7], [0, 0.7], [0.25, 0.7]])
    np.testing.assert_allclose(mcda.topsis(R, [0.5, 0.5]), [1, 0, 0.25])
    # missing cell skipped; all-missing row → NaN
    Rm = np.array([[1, 1], [0, 0], [nan, 1], [nan, nan]])
    c = mcda.topsis(Rm, [0.5, 0.5])
    np.testing.assert_allclose(c, [1, 0, 1, nan])
    c, dp, dm = mcda.topsis(R, [0.5, 0.5], return_distances=True)
    np.testing.assert_allclose(dp, [0, 0.5, 0.375])


def test_vikor_hand():
    """f = [[1, 0], [0, 1], [.5, .5]] (benefit), w = (.6, .4), v = .5:
    normalised gaps (f* - f)/(f* - f-): u1 (0, 1), u2 (1, 0), u3 (.5, .5);
    S = (.4, .6, .5), R = (.4, .6, .3); S* = .4, S- = .6, R* = .3, R- = .6;
    Q = .5(S - .4)/.2 + .5(R - .3)/.3 = (1/6, 1, 0.25)."""
    F = np.array([[1, 0], [0, 1], [0.5, 0.5]])
    Q, S, R = mcda.vikor(F, [0.6, 0.4], return_sr=True)
    np.testing.assert_allclose(S, [0.4, 0.6, 0.5])
    np.testing.assert_allclose(R, [0.4, 0.6, 0.3])
    np.testing.assert_allclose(Q, [1 / 6, 1, 0.25])


def test_vikor_matches_pymcdm():
    from pymcdm import normalizations as pn
    from pymcdm.methods import VIKOR

    # pymcdm's own docstring example (benefit only, no normalisation)
    M = np.array([[78, 56, 34, 6], [4, 45, 3, 97], [18, 2, 50, 63], [9, 14, 11, 92],
                  [85, 9, 100, 29.0]])
    np.testing.assert_allclose(mcda.vikor(M, np.full(4, 0.25)), [0.5679, 0.7667, 1, 0.7493, 0],
                               atol=5e-5)
    rng = np.random.default_rng(13)
    for _ in range(25):
        m, n = rng.integers(3, 40), rng.integers(2, 8)
        X = rng.uniform(1, 50, (m, n))
        d = rng.choice([-1.0, 1.0], n)
        w = rng.dirichlet(np.ones(n))
        v = rng.uniform()
        # classic linear VIKOR on raw data with direction = pymcdm with min–max normalisation
        np.testing.assert_allclose(mcda.vikor(X, w, d, v=v),
                                   VIKOR(pn.minmax_normalization, v=v)(X, w, d), atol=1e-9)
        np.testing.assert_allclose(mcda.vikor(N.minmax(X, d, pooled=False), w, v=v),
                                   VIKOR(pn.minmax_normalization, v=v)(X, w, d), atol=1e-9)
        # pymcdm's default (no normalisation) agrees on benefit-only data
        np.testing.assert_allclose(mcda.vikor(X, w, v=v), VIKOR(v=v)(X, w, np.ones(n)),
                                   atol=1e-9)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_vikor_edge_cases():
    from pymcdm.methods import VIKOR

    F = np.array([[1.0, 3.0], [2.0, 3.0], [3.0, 3.0]])
    with pytest.raises(ValueError):  # pymcdm refuses a constant column
        VIKOR()(F, np.array([0.5, 0.5]), np.ones(2))
    np.testing.assert_allclose(mcda.vikor(F, [0.5, 0.5]), [1, 0.5, 0])  # we let it contribute 0
    np.testing.assert_allclose(mcda.vikor(np.array([[1.0, 2.0]]), [1, 1]), [0.0])  # one unit
    with pytest.raises(ValueError):
        mcda.vikor(F, [1, 1], v=1.5)


def test_topsis_fused_equals_two_step_and_pymcdm():
    from pymcdm import normalizations as pn
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(14)
    X = rng.uniform(1, 30, (4, 25, 6))
    X[:, :, 5] = 7.0  # a constant column
    d = np.array([1, -1, 1, -1, 1, 1.0])
    w = rng.dirichlet(np.ones(6), size=4)  # per-year weights
    f = mcda.topsis_fused(X, w, d)
    np.testing.assert_allclose(f, mcda.topsis(N.minmax(X, d, pooled=False), w), atol=1e-12)
    for t in range(4):
        np.testing.assert_allclose(f[t], TOPSIS()(X[t], w[t], d), atol=1e-9)
        w5 = w[t, :5] / w[t, :5].sum()
        np.testing.assert_allclose(
            mcda.topsis_fused(X[t, :, :5], w5, d[:5], normalisation="vector"),
            TOPSIS(pn.vector_normalization)(X[t, :, :5], w5, d[:5]), atol=1e-9)
    fp = mcda.topsis_fused(X, w[0], d, pooled=True)
    np.testing.assert_allclose(fp, mcda.topsis(N.minmax(X, d), w[0], pooled=True), atol=1e-12)
    Xn = X.copy()
    Xn[0, 0, 0] = nan  # falls back to the two-step path
    np.testing.assert_allclose(mcda.topsis_fused(Xn, w, d),
                               mcda.topsis(N.minmax(Xn, d, pooled=False), w), atol=1e-12)


def test_one_indicator():
    """One benefit indicator (1, 2, 4): min–max (0, 1/3, 1); TOPSIS closeness = r itself;
    VIKOR Q = 1 - r."""
    X = np.array([[1.0], [2.0], [4.0]])
    R = N.minmax(X)
    np.testing.assert_allclose(mcda.topsis(R, [1.0]), [0, 1 / 3, 1])
    np.testing.assert_allclose(mcda.vikor(R, [1.0]), [1, 2 / 3, 0])



@settings(max_examples=40, deadline=None)
@given(arrays(float, (6, 3), elements=st.floats(0, 1)),
       arrays(float, 3, elements=st.floats(0.01, 1)))
def test_topsis_vikor_properties(R, w):
    """Closeness and Q lie in [0, 1] (or NaN when nothing differs); a unit that is best on every
    indicator gets C = 1 and Q = 0."""
    c = mcda.topsis(R, w)
    assert np.all(np.isnan(c) | ((c >= -1e-12) & (c <= 1 + 1e-12)))
    q = mcda.vikor(R, w)
    assert np.all((q >= -1e-12) & (q <= 1 + 1e-12))
    R2 = np.vstack([R, R.max(axis=0) + 0.5])
    c2 = mcda.topsis(R2, w)
    assert abs(c2[-1] - 1) < 1e-12
    assert abs(mcda.vikor(R2, w)[-1]) < 1e-12
