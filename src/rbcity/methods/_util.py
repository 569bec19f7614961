"""Small shared helpers (private): axis conventions, direction vectors, validation.

Axis convention of the whole ``rbcity.methods`` package: arrays are ``(..., m, n)`` with the
*indicators on the last axis* and the *units (cities) on the second-to-last axis*; a panel is
``(T, m, n)`` (years × units × indicators), a cross-section ``(m, n)``.  "Pooled" statistics
reduce over every axis but the last (all unit-years together); "per year" statistics reduce
over the unit axis only.  ``NaN`` always means *missing*.
"""

from __future__ import annotations

import numpy as np


def as_float(x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim < 1:
        raise ValueError("expected an array with the indicators on the last axis")
    return a


def reduce_axes(a: np.ndarray, pooled: bool) -> tuple[int, ...]:
    """Axes to reduce for a column statistic: all but the last (pooled) or the unit axis."""
    if a.ndim == 1:
        return (0,)
    if pooled:
        return tuple(range(a.ndim - 1))
    return (a.ndim - 2,)


def direction_vector(direction, n: int) -> np.ndarray:
    """Direction as a float array of +1 (benefit) / -1 (cost), length ``n``; None → all +1."""
    if direction is None:
        return np.ones(n)
    d = np.asarray(direction, dtype=float).reshape(-1)
    if d.size == 1 and n != 1:
        d = np.full(n, d.item())
    if d.size != n:
        raise ValueError(f"direction has {d.size} entries for {n} indicators")
    if not np.all(np.isin(d, (-1.0, 1.0))):
        raise ValueError("direction must be +1 (benefit) or -1 (cost) for every indicator")
    return d


class DegenerateInput(ValueError):
    """The data leave a method undefined (e.g. every indicator constant, so entropy or CRITIC
    gives every indicator weight 0). Engines report this as 'not computed', never as a score."""


def weight_vector(weights, n: int, *, normalise: bool = True) -> np.ndarray:
    """Validate weights (last axis = indicators, may carry leading axes, e.g. per year)."""
    w = np.asarray(weights, dtype=float)
    if w.shape[-1] != n:
        raise ValueError(f"weights have {w.shape[-1]} entries for {n} indicators")
    if np.any(~np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    if normalise:
        s = w.sum(axis=-1, keepdims=True)
        if np.any(s <= 0):
            raise DegenerateInput("weights sum to zero (every indicator constant or without data?)")
        w = w / s
    return w


def nan_safe_divide(num: np.ndarray, den: np.ndarray, fill: float = np.nan) -> np.ndarray:
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast_shapes(np.shape(num), den.shape), fill, dtype=float)
    np.divide(num, den, out=out, where=(den != 0) & np.isfinite(den))
    return out
