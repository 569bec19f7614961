"""Obstacle degree model (障碍度模型): which indicators hold a unit-year back.

Source: methodology.md §4.4 (reference ``zhjx19/mathmodels`` ``obstacle_degree()``; RBC use in
梁曼等 2026, 张国兴、张婧钰 2023).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._util import as_float, weight_vector

__all__ = ["Obstacles", "obstacle_degree"]


@dataclass(frozen=True)
class Obstacles:
    raw: np.ndarray  #: ``F_j·I_ij`` (the reference code's ``scaled=FALSE`` output), (..., m, n)
    share: np.ndarray  #: ``O_ij`` ∈ [0, 1], sums to 1 over available indicators, (..., m, n)
    dimension_share: np.ndarray | None  #: ``U_ik = Σ_{j∈k} O_ij``, (..., m, K)
    dimensions: list | None  #: dimension labels in order of first appearance
    top_index: np.ndarray  #: indicator indices of the top-k obstacles, largest first, (..., m, k)
    top_share: np.ndarray  #: their shares (NaN where fewer than k indicators are available)


def obstacle_degree(R, weights, *, dimension_of=None, top_k: int = 5) -> Obstacles:
    """Obstacle shares per unit(-year) and indicator, per dimension, and the top-k obstacles.

    ``F_j = w_j`` (factor contribution; pass hierarchical weights — indicator × dimension weight
    — for a two-level system), ``I_ij = 1 - r_ij`` (deviation; ``R`` normalised to [0, 1],
    benefit-oriented), ``O_ij = F_j I_ij / Σ_j F_j I_ij`` (multiply by 100 for %);
    dimension obstacle ``U_ik = Σ_{j∈k} O_ij``.

    Edge cases: missing ``r`` → its obstacle is NaN and it is left out of the denominator; a
    unit-year with no deviation at all (every r = 1) has all shares 0 (nothing holds it back);
    an all-missing row → NaN shares.  ``R`` outside [0, 1] raises ``ValueError``.
    Ties in the top-k are broken by indicator order (stable sort).
    """
    R = as_float(R)
    n = R.shape[-1]
    if np.any(R < -1e-12) or np.any(R > 1 + 1e-12):
        raise ValueError("obstacle degree needs scores normalised to [0, 1]")
    w = weight_vector(weights, n)
    if w.ndim == 2 and R.ndim == 3:
        w = w[:, None, :]
    raw = w * (1.0 - R)
    tot = np.nansum(raw, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tot > 0, raw / tot, 0.0)
    share = np.where(np.isnan(R), np.nan, share)
    dim_share, labels = None, None
    if dimension_of is not None:
        dims = np.asarray(dimension_of)
        if dims.shape != (n,):
            raise ValueError("dimension_of must label every indicator")
        labels = list(dict.fromkeys(dims.tolist()))
        M = (dims[:, None] == np.array(labels, dtype=dims.dtype)[None, :]).astype(float)
        dim_share = np.where(np.isnan(share), 0.0, share) @ M
        allnan = np.isnan(share).all(axis=-1, keepdims=True)
        dim_share = np.where(allnan, np.nan, dim_share)
    k = min(top_k, n)
    key = np.where(np.isnan(share), -np.inf, share)
    order = np.argsort(-key, axis=-1, kind="stable")[..., :k]
    top = np.take_along_axis(share, order, axis=-1)
    return Obstacles(raw=raw, share=share, dimension_share=dim_share, dimensions=labels,
                     top_index=order, top_share=top)
