"""Aggregation (weighted arithmetic / geometric), data availability and imputation.

Arrays are ``(..., m, n)``; for the panel functions (imputation) ``(T, m, n)`` = years × units ×
indicators.  NaN = missing.  Weights are ``(n,)`` or ``(T, n)`` (per year).

Missing data (COINr ``a_amean``/``dat_thresh``, SDSN SDR "no score when more than 20 % of the
indicators are missing", anchors.md §1): a unit-year gets a score only if the share of its
non-missing indicators is ``≥ min_availability`` (default 0.8); otherwise NaN.  For the units
that do get a score, the weights are rescaled over the available indicators.
"""

from __future__ import annotations

import numpy as np

from ._util import as_float, weight_vector

__all__ = [
    "availability",
    "impute",
    "arithmetic",
    "geometric",
    "aggregate",
    "aggregate_hierarchical",
    "IMPUTATIONS",
    "AGGREGATIONS",
]

IMPUTATIONS = ("none", "interpolate", "group_median")
AGGREGATIONS = ("arithmetic", "geometric")


def availability(X) -> np.ndarray:
    """Share of non-missing indicators per unit (-year): ``(..., m)`` in [0, 1]."""
    X = as_float(X)
    return np.mean(~np.isnan(X), axis=-1)


def _interpolate_time(X: np.ndarray, extrapolate: bool) -> np.ndarray:
    """Linear interpolation along axis 0 (years), vectorised over all other axes."""
    T = X.shape[0]
    valid = ~np.isnan(X)
    t = np.arange(T, dtype=float).reshape((T,) + (1,) * (X.ndim - 1))
    tt = np.broadcast_to(t, X.shape)
    # index of previous valid observation (forward fill of the time index)
    prev_t = np.where(valid, tt, -1.0)
    prev_t = np.maximum.accumulate(prev_t, axis=0)
    nxt_t = np.where(valid, tt, np.inf)
    nxt_t = np.flip(np.minimum.accumulate(np.flip(nxt_t, axis=0), axis=0), axis=0)
    has_prev = prev_t >= 0
    has_next = np.isfinite(nxt_t)
    ip = np.where(has_prev, prev_t, 0).astype(int)
    inx = np.where(has_next, nxt_t, 0).astype(int)
    xp = np.take_along_axis(X, ip, axis=0)
    xn = np.take_along_axis(X, inx, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(inx > ip, (tt - ip) / (inx - ip), 0.0)
    interior = xp + frac * (xn - xp)
    out = np.where(has_prev & has_next, interior, np.nan)
    if extrapolate:
        out = np.where(has_prev & ~has_next, xp, out)
        out = np.where(~has_prev & has_next, xn, out)
    return np.where(valid, X, out)


def impute(X, method: str = "none", *, groups=None, extrapolate: bool = False) -> np.ndarray:
    """Fill missing cells of a ``(T, m, n)`` panel (or ``(m, n)`` cross-section).

    * ``"none"``: returned unchanged (missing stays missing; the availability rule decides).
    * ``"interpolate"``: linear interpolation in time *within each unit and indicator*
      (COINr ``impute_panel``); leading/trailing gaps stay missing unless ``extrapolate=True``
      (then the nearest observed value is carried, COINr's "constant").  A unit with no
      observation of an indicator stays missing.  Needs a panel (3-D).
    * ``"group_median"``: the median of the same indicator and year over the units of the same
      group (``groups``: label per unit; None = all units form one group, COINr
      ``i_median_grp``/``i_median``).  A group with no observation of that indicator-year stays
      missing.
    """
    X = as_float(X)
    if method == "none":
        return X.copy()
    if method == "interpolate":
        if X.ndim != 3:
            raise ValueError("interpolation needs a (T, m, n) panel")
        holes = np.isnan(X).any(axis=0)  # (m, n): only series with a gap need work
        out = X.copy()
        if holes.any():
            out[:, holes] = _interpolate_time(X[:, holes], extrapolate)
        return out
    if method == "group_median":
        m = X.shape[-2]
        g = np.zeros(m, dtype=int) if groups is None else np.asarray(groups)
        if g.shape != (m,):
            raise ValueError(f"groups must give one label per unit ({m})")
        out = X.copy()
        import warnings

        for lab in np.unique(g):  # loop over groups (few), vectorised over years × indicators
            sel = g == lab
            sub = X[..., sel, :]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(sub, axis=-2, keepdims=True)
            out[..., sel, :] = np.where(np.isnan(sub), med, sub)
        return out
    raise ValueError(f"unknown imputation {method!r}; expected one of {IMPUTATIONS}")


def _prepare(R, weights):
    R = as_float(R)
    w = weight_vector(weights, R.shape[-1])
    if w.ndim == 2 and R.ndim == 3:
        w = w[:, None, :]  # per-year weights (T, n) → (T, 1, n)
    return R, w


def _weighted_sum_fast(R, w):
    """Σ_j w_j r_j as a (batched) matrix-vector product, or None if R has a missing value."""
    if R.ndim == 1:
        return None
    if w.ndim == 1:
        out = R @ w
    else:  # (T, 1, n) per-year weights
        out = np.matmul(R, np.swapaxes(w, -1, -2))[..., 0]
    if np.isnan(out).any():
        return None
    return out


def _apply_threshold(score, R, min_availability):
    ok = availability(R) >= min_availability - 1e-12
    ok &= np.any(~np.isnan(R), axis=-1)
    return np.where(ok, score, np.nan)


def arithmetic(R, weights, *, min_availability: float = 0.8) -> np.ndarray:
    """Weighted arithmetic mean ``S = Σ_j w_j r_j / Σ_{j available} w_j`` → ``(..., m)``.

    With no missing data this is methodology.md §4.1 step 5 ``S = Σ w_j x'_j`` (weights sum
    to 1).  Missing indicators are skipped and the weights rescaled; a unit-year with an
    availability below ``min_availability`` (default 0.8 = "more than 20 % missing → no score")
    or all indicators missing gets NaN.  NaN never propagates silently otherwise.
    """
    R, w = _prepare(R, weights)
    fast = _weighted_sum_fast(R, w)
    if fast is not None:  # no missing value: a matrix-vector product
        return fast
    mask = ~np.isnan(R)
    num = np.sum(np.where(mask, R, 0.0) * w, axis=-1)
    den = np.sum(mask * w, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(den > 0, num / den, np.nan)
    return _apply_threshold(s, R, min_availability)


def geometric(R, weights, *, min_availability: float = 0.8) -> np.ndarray:
    """Weighted geometric mean ``S = Π_j r_j^{w_j}`` (weights rescaled over available ones).

    Needs ``r ≥ 0``: a negative value raises ``ValueError`` (normalise to [0, 1] or shift
    first, e.g. ``minmax(scale=(0.002, 0.996))``); a zero with positive weight gives S = 0
    (full non-compensability); a zero weight ignores its indicator.  Availability rule as in
    :func:`arithmetic`.
    """
    R, w = _prepare(R, weights)
    if np.any(R < 0):
        raise ValueError(
            "geometric aggregation needs non-negative values; normalise or shift before the log"
        )
    if R.size and R.min() > 0:  # fast path: no missing value, no zero (min is NaN otherwise)
        return np.exp(_weighted_sum_fast(np.log(R), w))
    mask = ~np.isnan(R)
    with np.errstate(divide="ignore", invalid="ignore"):
        logr = np.log(np.where(mask, R, 1.0))
        contrib = np.where((w > 0) & mask, w * logr, 0.0)
    num = np.sum(contrib, axis=-1)
    den = np.sum(mask * w, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(den > 0, np.exp(num / np.where(den > 0, den, 1.0)), np.nan)
    return _apply_threshold(s, R, min_availability)


def aggregate(R, weights, method: str = "arithmetic", **kw) -> np.ndarray:
    """Dispatch by name to :func:`arithmetic` or :func:`geometric`."""
    if method == "arithmetic":
        return arithmetic(R, weights, **kw)
    if method == "geometric":
        return geometric(R, weights, **kw)
    raise ValueError(f"unknown aggregation {method!r}; expected one of {AGGREGATIONS}")


def aggregate_hierarchical(
    R,
    weights,
    dimension_of,
    dimension_weights=None,
    *,
    method: str = "arithmetic",
    dimension_method: str | None = None,
    min_availability: float = 0.8,
):
    """Two-level aggregation indicator → dimension → index.

    Each dimension score aggregates its indicators with their (within-dimension rescaled)
    weights; the index aggregates the dimension scores with ``dimension_weights`` (mapping or
    array in order of first appearance in ``dimension_of``; None = equal).  The availability rule
    is applied to the whole unit-year (share over all indicators) and, within a dimension, to
    that dimension's indicators.  Returns ``(index (..., m), dimension scores (..., m, k),
    labels)``.  With complete data and arithmetic at both levels this equals a flat arithmetic
    mean with :func:`rbcity.methods.weights.hierarchical` weights.
    """
    R = as_float(R)
    dims = np.asarray(dimension_of)
    labels = list(dict.fromkeys(dims.tolist()))
    w = np.asarray(weights, dtype=float)
    scores = []
    for k in labels:  # loop over dimensions only
        sel = dims == k
        scores.append(
            aggregate(R[..., sel], w[..., sel], method, min_availability=min_availability)
        )
    Dm = np.stack(scores, axis=-1)
    if dimension_weights is None:
        dw = np.full(len(labels), 1.0 / len(labels))
    elif isinstance(dimension_weights, dict):
        dw = np.array([float(dimension_weights[k]) for k in labels])
    else:
        dw = np.asarray(dimension_weights, dtype=float)
    index = aggregate(Dm, dw, dimension_method or method, min_availability=0.0)
    index = np.where(availability(R) >= min_availability - 1e-12, index, np.nan)
    return index, Dm, labels
