"""Indicator weights: equal, entropy, CRITIC, standard deviation, AHP, user-given, hierarchical.

All data-driven weights take an already *normalised, benefit-oriented* array ``R`` shaped
``(..., m, n)`` (see :mod:`rbcity.methods.normalise`) and return weights on the last axis that sum
to 1: shape ``(n,)`` when ``pooled=True`` (one weight vector for the whole panel), or
``(T, n)`` when ``pooled=False`` (one vector per year, computed over the units of that year).
NaN cells are ignored (each column uses its non-missing cells).

Sources: methodology.md §4.1 (entropy, reference ``zhjx19/mathmodels`` R/entropy_weight.R);
anchors.md §2 (pymcdm ``entropy_weights``, ``critic_weights``, ``standard_deviation_weights``,
``AHP``); Saaty (1980) for the random index of AHP; Diakoulaki, Mavrotas & Papayannakis (1995)
for CRITIC.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._util import as_float, reduce_axes, weight_vector

__all__ = [
    "equal",
    "entropy",
    "critic",
    "std",
    "ahp",
    "AHPResult",
    "user",
    "hierarchical",
    "SAATY_RI",
    "METHODS",
]

METHODS = ("equal", "entropy", "critic", "std", "user")

#: Saaty's random consistency index RI for n = 1..10, the values commonly quoted from Saaty
#: (1980); the reference implementation of methodology.md uses the same (its recorded AHP example
#: has CR = CI/1.12 for n = 5).  pymcdm uses a slightly different table (e.g. 0.8921 for n = 4).
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
            10: 1.49}


def equal(n: int) -> np.ndarray:
    """``w_j = 1/n``."""
    if n < 1:
        raise ValueError("need at least one indicator")
    return np.full(n, 1.0 / n)


def _fallback_equal(d: np.ndarray) -> np.ndarray:
    """Normalise ``d`` along the last axis; where all d == 0 (no information) → equal weights."""
    s = d.sum(axis=-1, keepdims=True)
    n = d.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(s > 0, d / s, 1.0 / n)
    return w


def _squeeze_stat(a: np.ndarray, pooled: bool) -> np.ndarray:
    """keepdims statistic → (n,) for pooled, (..., n) for per-year."""
    if pooled:
        return a.reshape(a.shape[-1])
    return np.squeeze(a, axis=a.ndim - 2)


def entropy(R, *, pooled: bool = True, shift: float = 0.0) -> np.ndarray:
    """Entropy weights (熵权法), methodology.md §4.1 steps 2–4.

    ``p_ij = (r_ij + shift)/Σ_i (r_ij + shift)`` over the pooled unit-years (or the units of
    one year), ``e_j = -(1/ln N) Σ p ln p`` with ``N`` = number of non-missing cells of the
    column, ``d_j = 1 - e_j``, ``w_j = d_j/Σ d_j``.

    Conventions and edge cases:

    * **zeros**: ``0·ln 0 := 0`` (the limit).  pymcdm instead *raises* (its ``sum_normalization``
      requires positive values).  To follow the textbook "shift" instead, pass ``shift=1e-4``
      or normalise with ``scale=(0.002, 0.996)`` (reference code).  On strictly positive data
      with ``shift=0`` the result equals ``pymcdm.weights.entropy_weights`` per year.
    * **negative values** (e.g. z-scores): ``ValueError`` — entropy needs shares.
    * constant column → ``e_j = 1``, ``d_j = 0`` (weight 0); all-zero column → weight 0.
    * every column without information (or N ≤ 1, e.g. one unit) → equal weights.
    """
    R = as_float(R)
    ax = reduce_axes(R, pooled)
    P = R + shift if shift else R
    tot = P.sum(axis=ax, keepdims=True)
    sxlx = None
    if not np.isnan(tot).any():
        # fast path (no missing value): Σ p ln p = (Σ x ln x)/S - ln S, S = Σ x — one log pass
        pmin = P.min()
        if pmin < 0:
            raise ValueError(
                "entropy weights need non-negative values (got negatives); normalise first "
                "(min–max) or add a shift"
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            L = np.log(P)
            L *= P
        # 0·ln 0 = 0·(-inf) = NaN is the only NaN possible here: drop it (the limit is 0)
        sxlx = (np.nansum(L, axis=ax, keepdims=True) if pmin == 0
                else L.sum(axis=ax, keepdims=True))
        N = np.full(tot.shape, np.prod([P.shape[i] for i in ax]), dtype=float)
    if sxlx is None:
        if np.any(P < 0):
            raise ValueError(
                "entropy weights need non-negative values (got negatives); normalise first "
                "(min–max) or add a shift"
            )
        missing = np.isnan(P)
        P = np.where(missing, 0.0, P)
        N = np.sum(~missing, axis=ax, keepdims=True)
        tot = P.sum(axis=ax, keepdims=True)
        L = np.zeros_like(P)
        np.log(P, out=L, where=P > 0)  # 0·ln 0 := 0
        L *= P
        sxlx = L.sum(axis=ax, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        H = np.log(tot) - sxlx / tot
        e = H / np.log(N)
    e = np.where((N > 1) & (tot > 0), e, 1.0)
    d = np.clip(1.0 - e, 0.0, None)
    return _fallback_equal(_squeeze_stat(d, pooled))


def _nanstd(R, ax, ddof):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanstd(R, axis=ax, ddof=ddof, keepdims=True)


def std(R, *, pooled: bool = True, ddof: int = 1) -> np.ndarray:
    """Standard-deviation weights ``w_j ∝ σ_j`` (pymcdm ``standard_deviation_weights``, ddof=1).

    pymcdm applies it to the raw matrix; we apply it to whatever is passed (normally the
    normalised matrix, which makes the weights unit-free).  Constant column → 0; all → equal."""
    R = as_float(R)
    s = _nanstd(R, reduce_axes(R, pooled), ddof)
    s = np.where(np.isfinite(s), s, 0.0)
    return _fallback_equal(_squeeze_stat(s, pooled))


def critic(R, *, pooled: bool = True, ddof: int = 1) -> np.ndarray:
    """CRITIC weights (Diakoulaki et al. 1995): ``C_j = σ_j Σ_k (1 - ρ_jk)``, ``w = C/ΣC``.

    ``σ`` with ``ddof=1`` and Pearson ``ρ`` over the pooled unit-years (or per year), computed on
    the normalised, direction-adjusted ``R``.  pymcdm's ``critic_weights`` min–max normalises the
    raw matrix *without* flipping cost columns, so the two agree only on benefit-only data
    (a flipped column changes the sign of its correlations).  Missing cells: pairwise-complete
    is not attempted — rows (unit-years) with any NaN are dropped for the correlation.  A
    constant column has σ = 0 and ρ undefined → weight 0.
    """
    R = as_float(R)
    n = R.shape[-1]
    if pooled or R.ndim == 2:
        F = R.reshape(-1, n)
        F = F[~np.isnan(F).any(axis=1)]
        return _critic_2d(F, ddof)
    lead = R.shape[:-2]
    flat = R.reshape((-1,) + R.shape[-2:])
    out = np.empty((flat.shape[0], n))
    # per-year loop over T (≤ a few dozen) — the unit axis is vectorised
    for t in range(flat.shape[0]):
        F = flat[t]
        out[t] = _critic_2d(F[~np.isnan(F).any(axis=1)], ddof)
    return out.reshape(lead + (n,))


def _critic_2d(F: np.ndarray, ddof: int) -> np.ndarray:
    n = F.shape[-1]
    if F.shape[0] <= ddof:
        return equal(n)
    s = F.std(axis=0, ddof=ddof)
    Z = F - F.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = Z.T @ Z / (F.shape[0] - ddof)
        rho = cov / np.outer(s, s)
    rho = np.where(np.isfinite(rho), rho, 0.0)  # constant columns: weight is 0 anyway (σ = 0)
    c = s * np.sum(1.0 - rho, axis=0)
    return _fallback_equal(np.clip(c, 0.0, None))


class AHPResult(tuple):
    """``(weights, cr, lambda_max)`` — a tuple with named attributes."""

    __slots__ = ()

    def __new__(cls, weights, cr, lambda_max):
        return super().__new__(cls, (weights, cr, lambda_max))

    weights = property(lambda self: self[0])
    cr = property(lambda self: self[1])
    lambda_max = property(lambda self: self[2])


def ahp(pairwise, *, max_cr: float = 0.1) -> AHPResult:
    """AHP weights from a reciprocal pairwise-comparison matrix (Saaty's eigenvector method).

    ``w`` = principal right eigenvector normalised to sum 1; ``CI = (λmax - n)/(n - 1)``;
    ``CR = CI/RI(n)`` with Saaty's RI (:data:`SAATY_RI`); ``n ≤ 2`` → ``CR = 0``.
    Raises ``ValueError`` if the matrix is not square, positive and reciprocal
    (``a_ji = 1/a_ij`` to 1e-9), or if ``CR > max_cr`` (default 0.1, Saaty's rule) — the message
    gives the CR so the judgements can be revised.  pymcdm returns the same eigenvector weights
    (its RI table differs slightly, so its CR does too).
    """
    A = np.asarray(pairwise, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("the pairwise comparison matrix must be square")
    n = A.shape[0]
    if np.any(~np.isfinite(A)) or np.any(A <= 0):
        raise ValueError("pairwise comparisons must be positive and finite")
    if not np.allclose(A * A.T, 1.0, atol=1e-9):
        raise ValueError("the pairwise comparison matrix is not reciprocal (a_ji must be 1/a_ij)")
    vals, vecs = np.linalg.eig(A)
    k = int(np.argmax(vals.real))
    lam = float(vals.real[k])
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    if n <= 2:
        cr = 0.0
    else:
        if n not in SAATY_RI:
            raise ValueError(f"no random index for n = {n} (Saaty's table covers n ≤ 10)")
        cr = ((lam - n) / (n - 1)) / SAATY_RI[n]
    if cr > max_cr:
        raise ValueError(
            f"AHP judgements are inconsistent: consistency ratio CR = {cr:.3f} > {max_cr} "
            f"(λmax = {lam:.4f}, n = {n}); revise the pairwise comparisons"
        )
    return AHPResult(w, float(cr), lam)


def user(weights) -> np.ndarray:
    """User-given weights, validated (finite, ≥ 0, not all 0) and rescaled to sum 1."""
    w = np.asarray(weights, dtype=float)
    return weight_vector(w, w.shape[-1])


def hierarchical(indicator_weights, dimension_of, dimension_weights=None) -> np.ndarray:
    """Effective indicator weights of a two-level tree indicator → dimension → index.

    Within each dimension the indicator weights are rescaled to sum 1, then multiplied by the
    dimension's weight (``dimension_weights``: mapping, or array ordered as the dimensions first
    appear in ``dimension_of``; None = equal across dimensions).  This is methodology.md §4.4's
    ``F_j = w_j × criterion-layer weight``.  Returns ``(..., n)`` summing to 1.
    """
    w = np.asarray(indicator_weights, dtype=float)
    dims = np.asarray(dimension_of)
    if dims.shape[-1] != w.shape[-1]:
        raise ValueError("dimension_of must name a dimension for every indicator")
    labels = list(dict.fromkeys(dims.tolist()))
    if dimension_weights is None:
        dw = {k: 1.0 / len(labels) for k in labels}
    elif isinstance(dimension_weights, dict):
        missing = set(labels) - set(dimension_weights)
        if missing:
            raise ValueError(f"no weight for dimension(s) {sorted(map(str, missing))}")
        tot = sum(float(dimension_weights[k]) for k in labels)
        dw = {k: float(dimension_weights[k]) / tot for k in labels}
    else:
        arr = np.asarray(dimension_weights, dtype=float)
        if arr.size != len(labels):
            raise ValueError("one weight per dimension expected")
        arr = arr / arr.sum()
        dw = dict(zip(labels, arr, strict=True))
    out = np.zeros_like(w)
    for k in labels:  # loop over dimensions (a handful), not units
        sel = dims == k
        s = w[..., sel].sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[..., sel] = np.where(s > 0, w[..., sel] / s, 1.0 / sel.sum()) * dw[k]
    return out
