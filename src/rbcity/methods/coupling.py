"""Coupling coordination degree (耦合协调度) of 2..n subsystems, its grades and lagging subsystem.

Input ``U`` is shaped ``(..., k)``: the ``k ≥ 2`` subsystem scores on the *last* axis (e.g.
``(T, m, 2)`` for resource development U1 vs urban development U2 per city-year).  Scores are
expected in [0, 1] (the grades assume it); negative scores raise ``ValueError``; NaN propagates.

Sources (methodology.md §4.3): 王淑佳、孔伟、任亮、治丹丹、戴彬婷 (2021) 自然资源学报 36(3):793–810, as coded in
``zhjx19/mathmodels`` R/system_evaluation.R ``coupling_degree()``; 10 D classes and 4 C stages from
田深圳等 (2021) 地理学报 76(4):781 Table 1; lagging subtype with ±0.1 tolerance from 徐维祥等 (2020)
自然资源学报 35(9):2044 Table 2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "Coupling",
    "coupling_coordination",
    "D_GRADES",
    "C_STAGES",
    "d_grade",
    "c_stage",
    "lagging",
]

#: 10 classes of D on (0, 1], upper bounds 0.1 … 1.0, intervals open on the left (田深圳等 2021).
D_GRADES: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme disorder"),
    ("严重失调", "severe disorder"),
    ("中度失调", "moderate disorder"),
    ("轻度失调", "mild disorder"),
    ("濒临失调", "on the verge of disorder"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)
D_EDGES = np.round(np.arange(1, 10) / 10.0, 10)

#: 4 stages of C: (0, 0.3], (0.3, 0.5], (0.5, 0.8], (0.8, 1].
C_STAGES: tuple[tuple[str, str], ...] = (
    ("低水平耦合", "low-level coupling"),
    ("拮抗阶段", "antagonistic stage"),
    ("磨合阶段", "running-in stage"),
    ("高水平耦合", "high-level coupling"),
)
C_EDGES = np.array([0.3, 0.5, 0.8])


@dataclass(frozen=True)
class Coupling:
    """Result of :func:`coupling_coordination`: arrays shaped like ``U`` without its last axis."""

    C: np.ndarray  #: coupling degree 耦合度
    T: np.ndarray  #: comprehensive coordination index 综合协调指数
    D: np.ndarray  #: coupling coordination degree 耦合协调度


def coupling_coordination(U, alpha=None, *, adjusted: bool = False) -> Coupling:
    """C, T and D of ``k`` subsystems (methodology.md §4.3).

    * standard: ``C = k (Π U_i)^{1/k} / Σ U_i``  (k = 2: ``2√(U1 U2)/(U1 + U2)``);
    * ``adjusted=True`` (王淑佳 et al. 2021): ``C = sqrt([1 - mean_{i<j}|U_i - U_j|] ·
      [Π_i (U_i / max U)]^{1/(k-1)})``; k = 2: ``sqrt((1 - |U1 - U2|)·min/max)``.  The exponent
      1/(k-1) (methodology.md §4.3 left it [M]) is the one that reproduces the reference
      implementation's recorded example output for k = 3 (``zhjx19/mathmodels``
      ``..Rcheck/mathmodels-Ex.Rout``, ``coupling_degree(type = "adjusted")``: C = 0.447 …);
      the stored ``R/system_evaluation.R`` source omits it, which would give 0.220 instead;
    * ``T = Σ α_i U_i`` (``alpha`` rescaled to sum 1; None = equal); ``D = sqrt(C·T)``.

    Edge cases: C = 1 when all U are equal and positive; any U_i = 0 → C = 0 (the reference code
    clamps U at 1e-10, giving ≈ 0); all U = 0 → C = T = D = 0; NaN in any subsystem → NaN.
    """
    U = np.asarray(U, dtype=float)
    if U.ndim < 1 or U.shape[-1] < 2:
        raise ValueError("coupling needs at least two subsystems on the last axis")
    if np.any(U < 0):
        raise ValueError("subsystem scores must be non-negative (normalise them to [0, 1])")
    k = U.shape[-1]
    a = np.full(k, 1.0 / k) if alpha is None else np.asarray(alpha, dtype=float)
    if a.shape != (k,) or np.any(a < 0) or a.sum() <= 0:
        raise ValueError(f"alpha must be {k} non-negative weights")
    a = a / a.sum()
    T = U @ a
    with np.errstate(invalid="ignore", divide="ignore"):
        if not adjusted:
            gm = np.exp(np.mean(np.log(np.where(U > 0, U, 1.0)), axis=-1))
            gm = np.where(np.any(U == 0, axis=-1), 0.0, gm)
            s = U.sum(axis=-1)
            C = np.where(s > 0, k * gm / s, 0.0)
        else:
            i, j = np.triu_indices(k, 1)
            c1 = 1.0 - np.mean(np.abs(U[..., j] - U[..., i]), axis=-1)
            mx = U.max(axis=-1, keepdims=True)
            c2 = np.prod(np.where(mx > 0, U / mx, 0.0), axis=-1) ** (1.0 / (k - 1))
            C = np.sqrt(np.clip(c1 * c2, 0.0, None))
    nan = np.isnan(U).any(axis=-1)
    C = np.where(nan, np.nan, np.clip(C, 0.0, 1.0))
    T = np.where(nan, np.nan, T)
    D = np.sqrt(C * T)
    return Coupling(C=C, T=T, D=D)


def _classify(x, edges, labels, lang):
    x = np.asarray(x, dtype=float)
    code = np.searchsorted(edges, np.round(x, 10), side="left")
    code = np.where(np.isnan(x), -1, code)
    if lang is None:
        return code
    idx = {"zh": 0, "en": 1}[lang]
    names = np.array([lab[idx] for lab in labels] + [""], dtype=object)
    return names[code]


def d_grade(D, *, lang: str | None = None):
    """Class of D among :data:`D_GRADES` (0 = 极度失调 … 9 = 优质协调).

    Intervals are ``(0.0, 0.1], (0.1, 0.2], …, (0.9, 1.0]``; D = 0 falls in class 0, D is rounded
    to 10 decimals first (so 0.3000000000000001 counts as 0.3).  NaN → code -1 / label "".
    ``lang=None`` returns integer codes; ``"zh"``/``"en"`` return label arrays.
    """
    return _classify(D, D_EDGES, D_GRADES, lang)


def c_stage(C, *, lang: str | None = None):
    """Stage of C among :data:`C_STAGES`: (0, 0.3] 低水平耦合, (0.3, 0.5] 拮抗阶段,
    (0.5, 0.8] 磨合阶段, (0.8, 1] 高水平耦合 (codes 0–3; NaN → -1)."""
    return _classify(C, C_EDGES, C_STAGES, lang)


def lagging(U, *, tol: float = 0.1, names=None):
    """Which subsystem lags (徐维祥等 2020): returns ``(code, label)`` arrays.

    For two subsystems: ``U1 - U2 > tol`` → U2 lags (code 1); ``U2 - U1 > tol`` → U1 lags
    (code 0); ``|U1 - U2| ≤ tol`` → synchronous 同步 (code -1).  For k > 2 (our extension) the
    lowest subsystem lags when it is more than ``tol`` below the highest.  NaN → code -2.
    ``names`` (default "U1", "U2", …) build labels such as ``("U2滞后", "U2 lagging")``; the
    returned label array holds ``"U2滞后 / U2 lagging"``-style strings, ``"同步 / synchronous"``.
    """
    U = np.asarray(U, dtype=float)
    k = U.shape[-1]
    names = [f"U{i + 1}" for i in range(k)] if names is None else list(names)
    nan = np.isnan(U).any(axis=-1)
    Uf = np.where(np.isnan(U), 0.0, U)
    lo = np.argmin(Uf, axis=-1)
    gap = Uf.max(axis=-1) - Uf.min(axis=-1)
    code = np.where(np.round(gap - tol, 12) > 0, lo, -1)
    code = np.where(nan, -2, code)
    labels = np.array(
        [f"{nm}滞后 / {nm} lagging" for nm in names] + ["n/a", "同步 / synchronous"], dtype=object
    )
    return code, labels[code]
