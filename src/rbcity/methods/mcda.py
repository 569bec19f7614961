"""TOPSIS (closeness to the ideal) and VIKOR (compromise ranking), vectorised over years.

Input ``R`` is a normalised matrix ``(..., m, n)`` (units on axis -2, indicators last) and
``weights`` ``(n,)`` or ``(T, n)``.  ``direction`` says which end is ideal *in R*: keep the
default (all +1) when ``R`` comes from a direction-aware normalisation (min–max, goalposts…),
which has already turned cost indicators into "higher is better".

Sources: methodology.md §4.2 (TOPSIS, reference ``zhjx19/mathmodels`` R/topsis.R); Opricovic &
Tzeng (2004) for VIKOR; anchors.md §2 (pymcdm conventions).
"""

from __future__ import annotations

import numpy as np

from ._util import as_float, direction_vector, reduce_axes, weight_vector

__all__ = ["topsis", "vikor", "ideal_points"]


def _weights_b(R, weights):
    w = weight_vector(weights, R.shape[-1])
    if w.ndim == 2 and R.ndim == 3:
        w = w[:, None, :]
    return w


def ideal_points(V, direction=None, *, pooled: bool = False, skipna: bool = True):
    """Positive and negative ideal per indicator: ``(V+, V-)`` keepdims-shaped.

    For benefit columns ``V+ = max``, ``V- = min`` (cost: the opposite), over the units of each
    year (``pooled=False``, the classic cross-section and pymcdm convention) or over all
    unit-years (``pooled=True``: a *fixed* ideal, so closeness is comparable across years).
    """
    V = as_float(V)
    d = direction_vector(direction, V.shape[-1])
    ax = reduce_axes(V, pooled)
    import warnings

    if skipna:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            hi = np.nanmax(V, axis=ax, keepdims=True)
            lo = np.nanmin(V, axis=ax, keepdims=True)
    else:
        hi = V.max(axis=ax, keepdims=True)
        lo = V.min(axis=ax, keepdims=True)
    if np.all(d > 0):
        return hi, lo
    return np.where(d > 0, hi, lo), np.where(d > 0, lo, hi)


def _wdist(R, ref, w2):
    """sqrt(Σ_j w2_j (R_j - ref_j)²) along the last axis; w2 (n,) or broadcastable (T, 1, n)."""
    diff = R - ref
    diff *= diff
    if w2.ndim == 1:
        return np.sqrt(diff @ w2)
    return np.sqrt(np.matmul(diff, np.swapaxes(w2, -1, -2))[..., 0])


def topsis(R, weights, direction=None, *, pooled: bool = False, return_distances: bool = False):
    """TOPSIS closeness ``C = D-/(D+ + D-)`` ∈ [0, 1], higher = better (methodology.md §4.2).

    ``v_ij = w_j r_ij``; ``V+``/``V-`` from :func:`ideal_points`;
    ``D± = sqrt(Σ_j (v_ij - V±_j)²)``.

    Conventions / edge cases:

    * Normalisation is *not* done here.  pymcdm's ``TOPSIS()`` default = min–max per year by
      direction; ``topsis(minmax(X, d, pooled=False), w)`` equals it to machine precision, and
      ``topsis(vector(X, d), w)`` equals ``TOPSIS(vector_normalization)``.
    * Missing cells are skipped in both distances (the availability rule is applied upstream,
      see :func:`rbcity.methods.spec.composite_index`); an all-missing row → NaN.
    * ``D+ + D- = 0`` (every column constant, or a single unit) → C = NaN (no information).
    * ``return_distances=True`` returns ``(C, D+, D-)``.
    """
    R = as_float(R)
    w = _weights_b(R, weights)
    # fast path: with w ≥ 0 the ideal of v = w·r is w·(ideal of r), so
    # D² = Σ_j w_j² (r_j - r*_j)², a matrix-vector product per year.  NaN propagates into the
    # plain max/min, which detects missing values without an extra pass.
    rp, rm = ideal_points(R, direction, pooled=pooled, skipna=False)
    anyv = True
    if not (np.isnan(rp).any() or np.isnan(rm).any()):
        w2 = w * w
        dp = _wdist(R, rp, w2)
        dm = _wdist(R, rm, w2)
    else:
        V = R * w
        vp, vm = ideal_points(V, direction, pooled=pooled)
        mask = ~np.isnan(V)
        dp = np.sqrt(np.sum(np.where(mask, (V - vp) ** 2, 0.0), axis=-1))
        dm = np.sqrt(np.sum(np.where(mask, (V - vm) ** 2, 0.0), axis=-1))
        anyv = mask.any(axis=-1)
    tot = dp + dm
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(tot > 0, dm / tot, np.nan)
    c = np.where(anyv, c, np.nan)
    if return_distances:
        return c, dp, dm
    return c


def vikor(R, weights, direction=None, *, v: float = 0.5, pooled: bool = False,
          return_sr: bool = False):
    """VIKOR compromise index ``Q`` ∈ [0, 1], **lower = better** (Opricovic & Tzeng 2004).

    ``f*_j``/``f-_j`` = best/worst value of column j (by direction, per year or pooled);
    ``S_i = Σ_j w_j (f*_j - f_ij)/(f*_j - f-_j)``, ``R_i = max_j w_j (…)``;
    ``Q_i = v (S_i - S*)/(S- - S*) + (1 - v)(R_i - R*)/(R- - R*)``.

    Conventions / edge cases:

    * The linear ratio is the classic VIKOR.  pymcdm's ``VIKOR()`` default uses no
      normalisation for benefit columns but ``min(x)/x`` for cost columns, so it agrees with ours
      on benefit-only data; ``VIKOR(minmax_normalization)`` agrees on any data.
    * A constant column (``f* = f-``) contributes 0 (pymcdm raises ``ValueError``).
    * ``S- = S*`` or ``R- = R*`` (e.g. one unit): that term is 0.
    * Missing cells contribute 0 to S and R; an all-missing row → NaN.
    * ``return_sr=True`` returns ``(Q, S, R)``.
    """
    F = as_float(R)
    if not 0.0 <= v <= 1.0:
        raise ValueError("v must be in [0, 1]")
    w = _weights_b(F, weights)
    fs, fm = ideal_points(F, direction, pooled=pooled)
    rng = fs - fm
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(rng != 0, (fs - F) / rng, 0.0)
    mask = ~np.isnan(F)
    g = np.where(mask, w * g, 0.0)
    S = g.sum(axis=-1)
    Rr = g.max(axis=-1)
    any_ok = mask.any(axis=-1)
    S = np.where(any_ok, S, np.nan)
    Rr = np.where(any_ok, Rr, np.nan)

    def _scale(a):
        ax = (a.ndim - 1,) if not pooled else tuple(range(a.ndim))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(a, axis=ax, keepdims=True)
            hi = np.nanmax(a, axis=ax, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(hi > lo, (a - lo) / (hi - lo), 0.0)

    Q = v * _scale(S) + (1 - v) * _scale(Rr)
    Q = np.where(any_ok, Q, np.nan)
    if return_sr:
        return Q, S, Rr
    return Q


def topsis_fused(X, weights, direction=None, *, normalisation: str = "minmax",
                 pooled: bool = False):
    """TOPSIS on *raw* data with the normalisation folded into the distances (pymcdm's call
    shape ``TOPSIS(normalization)(matrix, weights, types)``), without materialising the
    normalised matrix.

    Both supported normalisations are per-column affine maps ``r = ±s_j (x - c_j)``, so
    ``D± = sqrt(Σ_j (w_j s_j)² (x_j - x±_j)²)`` with ``x±`` the raw best/worst value by
    direction and ``s_j`` = 1/range (``"minmax"``) or 1/‖x_j‖ (``"vector"``).  Equal to
    ``topsis(minmax(X, d, pooled=pooled), w, pooled=pooled)`` (resp. ``vector``) up to rounding;
    a constant column contributes 0 (pymcdm: min–max gives ones, same result).  With missing
    values it falls back to the two-step computation.
    """
    X = as_float(X)
    n = X.shape[-1]
    d = direction_vector(direction, n)
    ax = reduce_axes(X, pooled)
    hi = X.max(axis=ax, keepdims=True)
    lo = X.min(axis=ax, keepdims=True)
    if np.isnan(hi).any() or np.isnan(lo).any():
        from . import normalise

        R = (normalise.minmax(X, d, pooled=pooled) if normalisation == "minmax"
             else normalise.vector(X, d, pooled=pooled))
        return topsis(R, weights, pooled=pooled)
    if normalisation == "minmax":
        rng = hi - lo
        s = np.where(rng > 0, 1.0 / np.where(rng > 0, rng, 1.0), 0.0)
    elif normalisation == "vector":
        nrm = np.sqrt(np.einsum("...ij,...ij->...j", X, X) if not pooled
                      else (X * X).sum(axis=ax)).reshape(hi.shape)
        s = np.where(nrm > 0, 1.0 / np.where(nrm > 0, nrm, 1.0), 0.0)
    else:
        raise ValueError("normalisation must be 'minmax' or 'vector'")
    best = np.where(d > 0, hi, lo)
    worst = np.where(d > 0, lo, hi)
    w = weight_vector(weights, n)
    if w.ndim == 2 and X.ndim == 3:
        w = w[:, None, :]
    ws2 = (w * s) ** 2  # (…, 1, n)
    ws2 = ws2.reshape(ws2.shape[-1]) if ws2.size == n else ws2
    dp = _wdist(X, best, ws2)
    dm = _wdist(X, worst, ws2)
    tot = dp + dm
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, dm / tot, np.nan)
