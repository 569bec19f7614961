"""Normalisation of a panel of indicators, direction-aware and vectorised.

Every function takes ``X`` shaped ``(..., m, n)`` (typically ``(T, m, n)`` = years × units ×
indicators; NaN = missing) and a ``direction`` of +1 (benefit, "higher is better") or -1 (cost)
per indicator, and returns an array of the same shape in which **higher is always better**
(cost indicators are flipped).  Column statistics are either *pooled* over all unit-years
(``pooled=True``: scores comparable across years, the convention of methodology.md §4.1 step 1)
or computed *per year* over the units (``pooled=False``, the cross-section convention of
pymcdm and of most one-year MCDA papers).  NaN values are ignored when computing the
statistics and stay NaN in the output.

Sources: methodology.md §4.1 (min–max by direction, shift/rescale against ln 0, reference code
``zhjx19/mathmodels`` R/entropy_weight.R rescales to [0.002, 0.996]); anchors.md §1 (COINr
``n_minmax``/``n_zscore``/``n_prank``/``n_goalposts``; SDSN SDR goalposts: upper bound = target or
mean of the top 5 performers, lower bound = 2.5th percentile, censoring); anchors.md §2 (pymcdm
``minmax_normalization`` returns ones for a constant column; ``vector_normalization`` maps a
cost column to ``1 - x/||x||``).
"""

from __future__ import annotations

import numpy as np

from ._util import as_float, direction_vector, reduce_axes

__all__ = [
    "minmax",
    "zscore",
    "goalpost_bounds",
    "goalposts",
    "rank",
    "vector",
    "normalise",
    "METHODS",
]

#: the ``method`` names understood by :func:`normalise`
METHODS = ("minmax", "zscore", "goalposts", "rank", "percentile", "vector", "none")


def _all_nan_safe(func, a, axis):
    """nanmin/nanmax/nanmean without the RuntimeWarning on all-NaN slices (result: NaN)."""
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return func(a, axis=axis, keepdims=True)


def minmax(
    X,
    direction=None,
    *,
    pooled: bool = True,
    scale: tuple[float, float] = (0.0, 1.0),
    shift: float = 0.0,
    constant: float = 1.0,
) -> np.ndarray:
    """Min–max normalisation by direction.

    Formula (methodology.md §4.1): benefit ``r = (x - min)/(max - min)``, cost
    ``r = (max - x)/(max - min)``; then ``out = a + (b - a)·r + shift`` with ``scale=(a, b)``.

    * ``pooled=True``: min and max over all unit-years of the panel (default; year-comparable);
      ``pooled=False``: per year over the units (pymcdm's cross-section convention).
    * Keeping entropy's logarithm finite (see :func:`rbcity.methods.weights.entropy`): either
      ``scale=(0.002, 0.996)`` (the reference code of methodology.md §4.1) or ``shift=1e-4``
      (the textbook 熵值法 "+0.0001"); both are off by default, i.e. the output is exactly [0, 1].
    * Constant column (max == min): ``r = constant`` for every non-missing value (default 1.0,
      pymcdm's convention: nobody is behind anyone).  All-missing column: stays NaN.
    """
    X = as_float(X)
    d = direction_vector(direction, X.shape[-1])
    ax = reduce_axes(X, pooled)
    # fast path: plain reductions (NaN propagates into them, which detects missing values
    # without an extra pass); the nan-aware reductions only when needed
    lo = X.min(axis=ax, keepdims=True)
    hi = X.max(axis=ax, keepdims=True)
    if np.isnan(lo).any() or np.isnan(hi).any():
        lo = _all_nan_safe(np.nanmin, X, ax)
        hi = _all_nan_safe(np.nanmax, X, ax)
    rng = hi - lo
    ok = rng > 0
    # r = (X - ref)/denom with ref = min (benefit) or max (cost), denom = ±range: exact 0 and 1
    # at the extremes, two passes over the data; constant column: denom = inf → 0, + constant
    ref = np.where(d > 0, lo, hi)
    denom = np.where(ok, d * rng, np.inf)
    r = X - ref
    r /= denom
    if not ok.all():
        r += np.where(ok, 0.0, constant)
    a, b = scale
    if (a, b) != (0.0, 1.0):
        r *= b - a
        r += a
    if shift:
        r += shift
    # all-missing column: stays NaN (X*0 keeps NaN); infinite values are not supported
    return r


def zscore(X, direction=None, *, pooled: bool = True, ddof: int = 0, constant: float = 0.0):
    """z-score ``z = d·(x - mean)/sd`` (``d`` = ±1 direction; population sd with ``ddof=0``,
    pass ``ddof=1`` for the sample sd of R's ``sd()``).  Constant column → ``constant`` (0).
    z-scores are negative: entropy weights and the geometric mean refuse them."""
    X = as_float(X)
    d = direction_vector(direction, X.shape[-1])
    ax = reduce_axes(X, pooled)
    mu = _all_nan_safe(np.nanmean, X, ax)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd = np.nanstd(X, axis=ax, ddof=ddof, keepdims=True)
        z = d * (X - mu) / sd
    return np.where((sd == 0) | ~np.isfinite(sd), np.where(np.isnan(X), np.nan, constant), z)


def _flatten_reduce(X: np.ndarray, pooled: bool) -> tuple[np.ndarray, tuple]:
    """Move the reduced axes to the front and flatten them: returns (N, *rest) and rest shape."""
    ax = reduce_axes(X, pooled)
    keep = [i for i in range(X.ndim) if i not in ax]
    Y = np.transpose(X, list(ax) + keep)
    rest = Y.shape[len(ax):]
    return Y.reshape((-1,) + rest), keep


def goalpost_bounds(
    X,
    direction=None,
    *,
    target=None,
    top_k: int = 5,
    lower_percentile: float = 2.5,
    pooled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """SDG-index goalposts ``(best, worst)`` per indicator (SDSN SDR method, anchors.md §1).

    * ``best`` (score 100): ``target[j]`` where given and not NaN, else the mean of the ``top_k``
      best values (largest for benefit, smallest for cost).  With ``pooled=True`` the top values
      are taken over all unit-years (our panel extension); ``pooled=False`` per year.
    * ``worst`` (score 0): the 2.5th percentile for benefit (97.5th for cost), numpy's linear
      interpolation between order statistics.  Fewer than ``top_k`` valid values: mean of those.
    Shapes: keepdims-style, broadcastable against ``X``.
    """
    X = as_float(X)
    n = X.shape[-1]
    d = direction_vector(direction, n)
    ax = reduce_axes(X, pooled)
    Xd = X * d  # benefit orientation
    F, keep = _flatten_reduce(Xd, pooled)
    S = np.sort(F, axis=0)  # NaN last
    cnt = np.sum(~np.isnan(F), axis=0)
    k = np.minimum(top_k, cnt)
    idx = np.arange(S.shape[0]).reshape((-1,) + (1,) * (S.ndim - 1))
    sel = (idx >= (cnt - k)) & (idx < cnt)
    with np.errstate(invalid="ignore", divide="ignore"):
        best_d = np.where(sel, S, 0.0).sum(axis=0) / k
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        worst_d = np.nanpercentile(F, lower_percentile, axis=0)
    # back to keepdims shape of X
    shape = [1 if i in ax else X.shape[i] for i in range(X.ndim)]
    best = (best_d * 1.0).reshape(shape) * d
    worst = worst_d.reshape(shape) * d
    if target is not None:
        t = np.broadcast_to(np.asarray(target, dtype=float), (n,))
        best = np.where(np.isnan(t), best, t)
    return best, worst


def goalposts(
    X,
    direction=None,
    *,
    best=None,
    worst=None,
    target=None,
    top_k: int = 5,
    lower_percentile: float = 2.5,
    pooled: bool = True,
    scale: float = 1.0,
    censor: bool = True,
) -> np.ndarray:
    """Distance-to-goalposts score ``scale·(x - worst)/(best - worst)``, censored to [0, scale].

    ``best``/``worst`` may be given explicitly (per indicator, NaN = compute); otherwise they come
    from :func:`goalpost_bounds` (``target``/top-5 mean; 2.5th percentile).  The formula is the
    same for cost indicators (their ``best`` is below ``worst``).  SDR uses ``scale=100``.
    ``censor=False`` keeps values beyond the goalposts (COINr ``trunc2posts=FALSE``).
    ``best == worst`` → NaN (no information).
    """
    X = as_float(X)
    b0, w0 = goalpost_bounds(
        X, direction, target=target, top_k=top_k, lower_percentile=lower_percentile, pooled=pooled
    )
    n = X.shape[-1]
    if best is not None:
        bb = np.broadcast_to(np.asarray(best, dtype=float), (n,))
        b0 = np.where(np.isnan(bb), b0, bb)
    if worst is not None:
        ww = np.broadcast_to(np.asarray(worst, dtype=float), (n,))
        w0 = np.where(np.isnan(ww), w0, ww)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (X - w0) / (b0 - w0)
    s = np.where(b0 == w0, np.nan, s)
    if censor:
        s = np.clip(s, 0.0, 1.0)
    return scale * s


def rank(X, direction=None, *, pooled: bool = False, percentile: bool = True) -> np.ndarray:
    """Rank normalisation (COINr ``n_rank``/``n_prank``), ties get the average rank.

    ``percentile=False``: rank 1 = worst … count = best (so that higher is better).
    ``percentile=True``: ``(rank - 1)/(count - 1)`` ∈ [0, 1]; a single valid value → 1.0.
    Ranks are within each year by default (``pooled=False``); NaN stays NaN.
    """
    X = as_float(X)
    d = direction_vector(direction, X.shape[-1])
    F, keep = _flatten_reduce(X * d, pooled)
    from scipy import stats  # lazy: importing scipy.stats costs ~0.6 s at start-up

    R = stats.rankdata(F, axis=0, method="average", nan_policy="omit")
    if percentile:
        cnt = np.sum(~np.isnan(F), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            R = np.where(cnt > 1, (R - 1.0) / (cnt - 1.0), np.where(np.isnan(F), np.nan, 1.0))
    # undo the transpose
    ax = reduce_axes(X, pooled)
    shape_t = tuple(X.shape[i] for i in ax) + tuple(X.shape[i] for i in keep)
    R = R.reshape(shape_t)
    inv = np.argsort(list(ax) + keep)
    return np.transpose(R, inv)


def vector(X, direction=None, *, pooled: bool = False) -> np.ndarray:
    """Vector normalisation ``r = x/sqrt(Σ x²)`` (classic TOPSIS); cost → ``1 - r``.

    The cost mapping is pymcdm's ``vector_normalization``; for TOPSIS it is equivalent to keeping
    ``r`` and taking the minimum as the ideal (the distances are identical).  NaN ignored in
    the norm; all-zero column → NaN.
    """
    X = as_float(X)
    d = direction_vector(direction, X.shape[-1])
    ax = reduce_axes(X, pooled)
    norm = np.sqrt(np.nansum(X * X, axis=ax, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = X / norm
    r = np.where(norm == 0, np.nan, r)
    return np.where(d > 0, r, 1.0 - r)


def normalise(X, method: str = "minmax", direction=None, **options) -> np.ndarray:
    """Dispatch to a normalisation by name (see :data:`METHODS`); ``options`` go to it.

    ``"percentile"`` = :func:`rank` with ``percentile=True``; ``"rank"`` = raw ranks;
    ``"none"`` only applies the direction (cost columns multiplied by -1)."""
    if method == "minmax":
        return minmax(X, direction, **options)
    if method == "zscore":
        return zscore(X, direction, **options)
    if method == "goalposts":
        return goalposts(X, direction, **options)
    if method == "percentile":
        return rank(X, direction, percentile=True, **options)
    if method == "rank":
        return rank(X, direction, percentile=False, **options)
    if method == "vector":
        return vector(X, direction, **options)
    if method == "none":
        X = as_float(X)
        return X * direction_vector(direction, X.shape[-1])
    raise ValueError(f"unknown normalisation {method!r}; expected one of {METHODS}")
