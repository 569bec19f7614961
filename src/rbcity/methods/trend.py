"""Growth, CAGR, SDG-index trend arrows (distance to target) and linear projection.

Time is axis 0: ``X`` is ``(T, ...)`` (typically ``(T, m)`` scores or ``(T, m, n)`` indicators)
with ``years`` of length T (default 0..T-1).  NaN = missing; computations use the valid
observations of each series, vectorised over all series at once.

Sources: anchors.md §1 (SDSN SDR trend arrows: ↑ on track or maintaining achievement; ➚
moderately improving, > 50 % of the required growth; → stagnating, 0–50 %; ↓ decreasing; •
n/a; required growth = growth needed to reach the target by the target year; COINr
``get_trends``/``CAGR``).  Projection: ordinary least squares with the textbook Student-t
prediction interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "growth_rate",
    "cagr",
    "first_last_valid",
    "TRENDS",
    "sdg_trend",
    "trend_arrows",
    "Projection",
    "linear_projection",
]

#: trend codes 0..3 (and -1 = n/a): (arrow, English label)
TRENDS: tuple[tuple[str, str], ...] = (
    ("↑", "on track or maintaining achievement"),
    ("➚", "moderately improving"),
    ("→", "stagnating"),
    ("↓", "decreasing"),
)
NA_TREND = ("•", "n/a")


def _years(years, T):
    y = np.arange(T, dtype=float) if years is None else np.asarray(years, dtype=float)
    if y.shape != (T,):
        raise ValueError(f"years must have length {T}")
    if np.any(np.diff(y) <= 0):
        raise ValueError("years must be strictly increasing")
    return y


def growth_rate(X, periods: int = 1) -> np.ndarray:
    """Period growth ``g_t = x_t / x_{t-p} - 1`` along axis 0 (first ``p`` rows NaN).

    Non-positive base ``x_{t-p} ≤ 0`` → NaN (a rate is undefined); NaN propagates."""
    X = np.asarray(X, dtype=float)
    out = np.full_like(X, np.nan)
    base = X[:-periods]
    with np.errstate(invalid="ignore", divide="ignore"):
        out[periods:] = np.where(base > 0, X[periods:] / base - 1.0, np.nan)
    return out


def first_last_valid(X, years=None):
    """Per series (axis 0 = time): ``(x_first, year_first, x_last, year_last, n_valid)``."""
    X = np.asarray(X, dtype=float)
    T = X.shape[0]
    y = _years(years, T).reshape((T,) + (1,) * (X.ndim - 1))
    valid = ~np.isnan(X)
    n = valid.sum(axis=0)
    i_first = np.argmax(valid, axis=0)
    i_last = T - 1 - np.argmax(valid[::-1], axis=0)
    xf = np.take_along_axis(X, i_first[None], 0)[0]
    xl = np.take_along_axis(X, i_last[None], 0)[0]
    yb = np.broadcast_to(y, X.shape)
    yf = np.take_along_axis(yb, i_first[None], 0)[0]
    yl = np.take_along_axis(yb, i_last[None], 0)[0]
    none = n == 0
    return (np.where(none, np.nan, xf), np.where(none, np.nan, yf),
            np.where(none, np.nan, xl), np.where(none, np.nan, yl), n)


def cagr(X, years=None) -> np.ndarray:
    """Compound annual growth rate from the first to the last valid observation:
    ``(x_last / x_first)^(1/(y_last - y_first)) - 1``.

    Fewer than two valid observations, or a non-positive first/last value → NaN."""
    xf, yf, xl, yl, n = first_last_valid(X, years)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = (xl / xf) ** (1.0 / (yl - yf)) - 1.0
    return np.where((n >= 2) & (xf > 0) & (xl > 0), g, np.nan)


def sdg_trend(x_start, x_end, years_elapsed, *, target, years_left, direction=1,
              threshold: float = 0.5) -> np.ndarray:
    """SDG-index trend arrow code per series (see :data:`TRENDS`; -1 = n/a).

    ``growth = d (x_end - x_start)/years_elapsed`` (linear annual change, direction ``d`` = ±1);
    ``required = d (target - x_end)/years_left`` (change per year still needed to reach
    ``target`` by the target year).

    * target already reached (``d (x_end - target) ≥ 0``): ↑ (0) if ``growth ≥ 0``, else ↓ (3)
      — "maintaining" means not falling back (our reading of SDR's rule for a falling score
      that is still above the target);
    * else ``growth ≥ required`` → ↑ (0); ``growth > threshold·required`` → ➚ (1);
      ``0 ≤ growth ≤ threshold·required`` → → (2); ``growth < 0`` → ↓ (3);
    * NaN inputs → -1 (•).  ``years_left ≤ 0`` or ``years_elapsed ≤ 0`` raises ``ValueError``.
    """
    if np.any(np.asarray(years_left) <= 0) or np.any(np.asarray(years_elapsed) <= 0):
        raise ValueError("years_elapsed and years_left must be positive")
    d = np.asarray(direction, dtype=float)
    xs, xe = np.asarray(x_start, dtype=float), np.asarray(x_end, dtype=float)
    tgt = np.asarray(target, dtype=float)
    growth = d * (xe - xs) / years_elapsed
    gap = d * (tgt - xe)
    required = gap / years_left
    achieved = gap <= 0
    code = np.where(
        achieved,
        np.where(growth >= 0, 0, 3),
        np.where(growth >= required, 0,
                 np.where(growth > threshold * required, 1, np.where(growth >= 0, 2, 3))),
    )
    bad = np.isnan(growth) | np.isnan(required)
    return np.where(bad, -1, code)


def trend_arrows(X, years=None, *, target, target_year, direction=1, window: int | None = 5,
                 threshold: float = 0.5):
    """Trend arrows of panel series (axis 0 = time) against ``target`` by ``target_year``.

    Growth is measured from the first valid observation within the last ``window`` years
    (``years[-1] - window ≤ year``; None = whole series) to the last valid observation;
    ``years_left = target_year - year of the last observation``.  Series with fewer than two
    valid observations in the window → -1 (n/a).  Returns ``(codes, arrows)``.
    """
    X = np.asarray(X, dtype=float)
    y = _years(years, X.shape[0])
    if window is not None:
        keep = y >= y[-1] - window
        X, y = X[keep], y[keep]
    xf, yf, xl, yl, n = first_last_valid(X, y)
    ok = n >= 2
    elapsed = np.where(ok, yl - yf, 1.0)
    left = target_year - np.where(np.isnan(yl), y[-1], yl)
    if np.any(left <= 0):
        raise ValueError("target_year must be after the last observed year")
    codes = sdg_trend(np.where(ok, xf, np.nan), xl, elapsed, target=target, years_left=left,
                      direction=direction, threshold=threshold)
    arrows = np.array([t[0] for t in TRENDS] + [NA_TREND[0]], dtype=object)[codes]
    return codes, arrows


@dataclass(frozen=True)
class Projection:
    point: np.ndarray  #: projected value at ``to_year``
    lower: np.ndarray  #: lower bound of the interval
    upper: np.ndarray  #: upper bound
    slope: np.ndarray  #: OLS slope per year
    intercept: np.ndarray  #: OLS intercept (at year 0 of the calendar)
    n: np.ndarray  #: number of valid observations used


def linear_projection(X, years=None, *, to_year, level: float = 0.90,
                      interval: str = "prediction") -> Projection:
    """Per-series OLS line ``x = a + b·year`` extrapolated to ``to_year`` with an interval.

    ``interval="prediction"`` (a new observation, default):
    ``ŷ ± t_{(1+level)/2, n-2} · s · sqrt(1 + 1/n + (x0 - x̄)²/Sxx)``; ``"confidence"`` (the
    line) drops the ``1 +``.  ``s² = SSR/(n - 2)``.  Missing values are skipped per series;
    n < 2 → all NaN; n = 2 → point only (interval NaN); a perfect fit gives a zero-width
    interval.
    """
    X = np.asarray(X, dtype=float)
    T = X.shape[0]
    y = _years(years, T).reshape((T,) + (1,) * (X.ndim - 1))
    M = ~np.isnan(X)
    n = M.sum(axis=0)
    Xz = np.where(M, X, 0.0)
    t = np.where(M, y, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tbar = t.sum(0) / n
        xbar = Xz.sum(0) / n
        dt = np.where(M, y - tbar, 0.0)
        dx = np.where(M, X - xbar, 0.0)
        sxx = (dt * dt).sum(0)
        b = (dt * dx).sum(0) / sxx
        a = xbar - b * tbar
        resid = np.where(M, X - (a + b * y), 0.0)
        s2 = (resid * resid).sum(0) / (n - 2)
        x0 = float(to_year)
        point = a + b * x0
        extra = 1.0 if interval == "prediction" else 0.0
        if interval not in ("prediction", "confidence"):
            raise ValueError("interval must be 'prediction' or 'confidence'")
        se = np.sqrt(s2 * (extra + 1.0 / n + (x0 - tbar) ** 2 / sxx))
        from scipy import stats  # lazy: importing scipy.stats costs ~0.6 s at start-up

        tq = stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 2, 1))
    ok = (n >= 2) & (sxx > 0)
    point = np.where(ok, point, np.nan)
    half = np.where(ok & (n >= 3), tq * se, np.nan)
    return Projection(point=point, lower=point - half, upper=point + half,
                      slope=np.where(ok, b, np.nan), intercept=np.where(ok, a, np.nan), n=n)
