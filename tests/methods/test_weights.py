"""Weights: hand-computed, reference-implementation example, pymcdm differential tests."""

import numpy as np
import pytest

from rbcity.methods import aggregate as A
from rbcity.methods import normalise as N
from rbcity.methods import weights as W

nan = np.nan


def test_entropy_hand():
    """Columns a = (1, 1, 2), b = (1, 2, 3) (shares, no normalisation), N = 3:
    a: p = (1/4, 1/4, 1/2), H = 2·(1/4)ln4 + (1/2)ln2 = 1.039721, e = H/ln3 = 0.946395,
       d = 0.053605;
    b: p = (1/6, 1/3, 1/2), H = 1.011404, e = 0.920620, d = 0.079380;
    w = d/Σd = (0.403090, 0.596910)."""
    X = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 3.0]])
    np.testing.assert_allclose(W.entropy(X), [0.403090, 0.596910], atol=5e-6)


def test_entropy_reference_implementation_example():
    """Worked example of the reference implementation named in methodology.md §4.1
    (zhjx19/mathmodels ``entropy_weight``; its recorded R CMD check output
    ``..Rcheck/mathmodels-Ex.Rout``): x1 = (3, 5, 2, 7) "+", x2 = (10, 20, 15, 25) "-" →
    w = (0.5452618, 0.4547382), s = (56.35354, 47.88215, 30.39461, 54.50808).
    NOT a journal table — no published table with numbers was found (see methodology.md §0).
    The recorded scores correspond to x' = 0.002 + 0.996·r, i.e. ``scale=(0.002, 0.998)``;
    the current reference source maps to [0.002, 0.996] instead, which leaves the weights equal
    to 7 digits and gives s = 56.24078… (also asserted)."""
    X = np.array([[3, 10], [5, 20], [2, 15], [7, 25.0]])
    R = N.minmax(X, [1, -1], scale=(0.002, 0.998))
    w = W.entropy(R)
    np.testing.assert_allclose(w, [0.5452618, 0.4547382], atol=5e-8)
    np.testing.assert_allclose(100 * A.arithmetic(R, w),
                               [56.35354, 47.88215, 30.39461, 54.50808], atol=5e-6)
    R2 = N.minmax(X, [1, -1], scale=(0.002, 0.996))
    w2 = W.entropy(R2)
    np.testing.assert_allclose(w2, [0.5452618, 0.4547382], atol=5e-8)
    np.testing.assert_allclose(100 * A.arithmetic(R2, w2)[0], 56.2407768, atol=1e-6)


def test_entropy_matches_pymcdm_random():
    from pymcdm.weights import entropy_weights

    rng = np.random.default_rng(7)
    for _ in range(20):
        m, n = rng.integers(3, 40), rng.integers(2, 10)
        X = rng.uniform(0.01, 100, size=(m, n))
        np.testing.assert_allclose(W.entropy(X), entropy_weights(X), atol=1e-9)


def test_entropy_per_year_equals_loop_of_pymcdm():
    from pymcdm.weights import entropy_weights

    rng = np.random.default_rng(8)
    X = rng.uniform(0.1, 5, size=(4, 15, 6))
    Wy = W.entropy(X, pooled=False)
    assert Wy.shape == (4, 6)
    for t in range(4):
        np.testing.assert_allclose(Wy[t], entropy_weights(X[t]), atol=1e-9)
    # pooled = one cross-section of all 60 unit-years
    np.testing.assert_allclose(W.entropy(X), entropy_weights(X.reshape(-1, 6)), atol=1e-9)


def test_entropy_edge_cases():
    # zeros: 0·ln0 = 0 (pymcdm raises here); column (0, 0, 1) is maximally concentrated: e = 0
    X = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 3.0]])
    w = W.entropy(X)
    d_b = 1 - 1.011404 / np.log(3)
    np.testing.assert_allclose(w, np.array([1.0, d_b]) / (1 + d_b), atol=1e-5)
    from pymcdm.weights import entropy_weights

    with pytest.raises(ValueError):
        entropy_weights(X)
    # constant column → weight 0; all constant → equal weights
    np.testing.assert_allclose(W.entropy(np.array([[1.0, 1.0], [1.0, 2.0]]))[0], 0.0)
    np.testing.assert_allclose(W.entropy(np.ones((3, 4))), 0.25)
    # one unit → no information → equal
    np.testing.assert_allclose(W.entropy(np.array([[1.0, 2.0, 3.0]])), 1 / 3)
    # negative values (z-scores) raise instead of taking log of a negative
    with pytest.raises(ValueError, match="non-negative"):
        W.entropy(np.array([[-1.0, 1.0], [1.0, 2.0]]))
    # shift makes a negative-free matrix with zeros equal to the textbook +1e-4
    np.testing.assert_allclose(W.entropy(X, shift=1e-4), W.entropy(X + 1e-4))
    # NaN cells are skipped: the same as dropping them (N counts valid cells)
    Xn = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 3.0], [nan, 4.0]])
    wa = W.entropy(Xn)
    assert np.all(np.isfinite(wa)) and abs(wa.sum() - 1) < 1e-12


def test_critic_hand_and_reference_example():
    """Reference implementation example (zhjx19/mathmodels ``critic_weight``, recorded output):
    x1 = (3, 5, 2, 7) "+", x2 = (10, 20, 15, 25) "-" → w = (0.5075187, 0.4924813),
    s = (59.39851, 46.86716, 32.83209, 50.75187) with min–max to [0, 1] by direction.
    By hand: r1 = (.2, .6, 0, 1), r2 = (1, 1/3, 2/3, 0); σ1 = sqrt(0.59/3) = 0.443471,
    σ2 = sqrt(0.5556/3) = 0.430331 (ddof=1).  With two indicators Σ_k(1 - ρ_jk) = 1 - ρ12 is the
    same for both, so w = σ/Σσ = (0.443471, 0.430331)/0.873802 = (0.507519, 0.492481).
    """
    X = np.array([[3, 10], [5, 20], [2, 15], [7, 25.0]])
    R = N.minmax(X, [1, -1])
    w = W.critic(R)
    np.testing.assert_allclose(w, [0.5075187, 0.4924813], atol=5e-8)
    np.testing.assert_allclose(100 * A.arithmetic(R, w), [59.39851, 46.86716, 32.83209, 50.75187],
                               atol=5e-6)
    s = R.std(axis=0, ddof=1)
    np.testing.assert_allclose(w, s / s.sum())  # two indicators: the (1 - ρ) factor cancels


def test_critic_std_match_pymcdm_random():
    from pymcdm.weights import critic_weights, standard_deviation_weights

    rng = np.random.default_rng(9)
    for _ in range(10):
        X = rng.normal(size=(30, 6))
        # pymcdm min–max normalises *without* direction: compare on benefit-only data
        np.testing.assert_allclose(W.critic(N.minmax(X)), critic_weights(X), atol=1e-9)
        np.testing.assert_allclose(W.std(X), standard_deviation_weights(X), atol=1e-12)


def test_critic_per_year_and_constant():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(3, 10, 4))
    Wy = W.critic(X, pooled=False)
    for t in range(3):
        np.testing.assert_allclose(Wy[t], W.critic(X[t]))
    Xc = np.c_[rng.normal(size=(8, 2)), np.ones(8)]
    assert W.critic(Xc)[2] == 0.0 and W.std(Xc)[2] == 0.0


def test_ahp_reference_example():
    """Reference implementation example (zhjx19/mathmodels ``AHP``): the 5×5 matrix below gives
    w = (0.26360349, 0.47583538, 0.05381460, 0.09806829, 0.10867824), λmax = 5.072084,
    CI = 0.0180211, CR = 0.01609027 (Saaty RI(5) = 1.12)."""
    A5 = np.array([[1, 1 / 2, 4, 3, 3], [2, 1, 7, 5, 5], [1 / 4, 1 / 7, 1, 1 / 2, 1 / 3],
                   [1 / 3, 1 / 5, 2, 1, 1], [1 / 3, 1 / 5, 3, 1, 1]])
    res = W.ahp(A5)
    np.testing.assert_allclose(res.weights, [0.26360349, 0.47583538, 0.05381460, 0.09806829,
                                             0.10867824], atol=5e-9)
    assert abs(res.lambda_max - 5.072084) < 1e-6 and abs(res.cr - 0.01609027) < 1e-8
    from pymcdm.weights.subjective import AHP

    np.testing.assert_allclose(AHP(matrix=A5)(), res.weights, atol=1e-9)


def test_ahp_hand_consistent_and_rejects_inconsistent():
    """Perfectly consistent 3×3 (w = 4:2:1): a_ij = w_i/w_j → w = (4/7, 2/7, 1/7), CR = 0."""
    w = np.array([4.0, 2.0, 1.0])
    res = W.ahp(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights, w / 7)
    assert abs(res.cr) < 1e-12
    bad = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])  # cyclic judgements
    with pytest.raises(ValueError, match=r"consistency ratio CR = \d"):
        W.ahp(bad)
    with pytest.raises(ValueError, match="reciprocal"):
        W.ahp(np.array([[1, 2], [2, 1.0]]))
    assert W.ahp(np.array([[1, 3], [1 / 3, 1.0]])).cr == 0.0


def test_equal_user_hierarchical_hand():
    """Indicators a, b in dimension E, c in S; indicator weights (1, 3, 5); dimension weights
    E 0.4, S 0.6 → a = 0.4·1/4 = 0.1, b = 0.4·3/4 = 0.3, c = 0.6."""
    np.testing.assert_allclose(W.equal(4), 0.25)
    np.testing.assert_allclose(W.user([1, 3]), [0.25, 0.75])
    with pytest.raises(ValueError):
        W.user([1, -1])
    h = W.hierarchical([1, 3, 5], ["E", "E", "S"], {"E": 0.4, "S": 0.6})
    np.testing.assert_allclose(h, [0.1, 0.3, 0.6])
    np.testing.assert_allclose(W.hierarchical([1, 3, 5], ["E", "E", "S"]), [0.125, 0.375, 0.5])
    np.testing.assert_allclose(W.hierarchical([1, 3, 5], ["E", "E", "S"], [1, 3]),
                               [0.0625, 0.1875, 0.75])
    with pytest.raises(ValueError, match="no weight"):
        W.hierarchical([1, 1], ["E", "S"], {"E": 1})


def _naive_entropy_weights(cols):
    """Textbook formula, column by column, on the valid values of each column."""
    d = []
    for c in cols:
        c = c[~np.isnan(c)]
        p = c / c.sum()
        h = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0))
        d.append(1 - h / np.log(len(c)))
    d = np.array(d)
    return d / d.sum()


def test_entropy_fast_and_careful_paths_equal_naive_formula():
    rng = np.random.default_rng(15)
    X = rng.uniform(0, 1, (3, 20, 4))
    # fast path (no zero, no NaN), pooled and per year
    np.testing.assert_allclose(W.entropy(X), _naive_entropy_weights(X.reshape(-1, 4).T),
                               atol=1e-12)
    for t, wt in enumerate(W.entropy(X, pooled=False)):
        np.testing.assert_allclose(wt, _naive_entropy_weights(X[t].T), atol=1e-12)
    # careful path: a zero and missing cells (each column uses its own N)
    X[0, 0, 0] = 0.0
    X[1, 3, 2] = nan
    X[2, :5, 3] = nan
    np.testing.assert_allclose(W.entropy(X), _naive_entropy_weights(X.reshape(-1, 4).T),
                               atol=1e-12)


def test_one_indicator_weights():
    X = np.array([[1.0], [2.0], [5.0]])
    for f in (W.entropy, W.critic, W.std):
        np.testing.assert_allclose(f(X), [1.0])
    np.testing.assert_allclose(W.ahp(np.array([[1.0]])).weights, [1.0])
