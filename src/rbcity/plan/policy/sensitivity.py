"""Sensitivity of an event-study conclusion to violations of parallel trends, after Rambachan &
Roth (2023, "A More Credible Approach to Parallel Trends"): the relative-magnitudes restriction
(below) and a smoothness restriction (:func:`smoothness`).

Restriction Δ^RM(M̄): after treatment, the bias ``δ`` may move from one period to the next by at
most ``M̄`` times the largest period-to-period move seen before treatment,
``|δ_{e+1} - δ_e| <= M̄ · D_pre`` with ``D_pre = max_{s<0} |β_{s+1} - β_s|`` (``β_{-1} = 0``, the
reference period). Starting from ``δ_{-1} = 0``, the bias of the post coefficient ``β_e`` is then
at most ``(e + 1) · M̄ · D_pre``, and the bias of the average post effect
``θ = mean_{e=0..E} β_e`` at most ``M̄ · D_pre · mean_{e=0..E}(e + 1)``.

What is computed, and how it differs from the ``HonestDiD`` R/Python packages (written by hand
because the PyPI ``honestdid`` package pulls torch and cvxpy): the interval is the *plug-in*
one, ``[θ̂ - b(M̄) - z·se, θ̂ + b(M̄) + z·se]`` with ``b(M̄) = M̄ · D_pre · c`` computed from the
*estimated* pre-period coefficients — the identified set widened by the sampling error of ``θ̂``.
It does not propagate the sampling error of ``D_pre`` (Rambachan–Roth's conditional/hybrid
confidence sets do), so it is a guide, not their exact set. The **breakdown value**
``M̄* = (|θ̂| - z·se) / (D_pre · c)`` is the smallest ``M̄`` at which the interval includes 0
(0 when ``θ̂`` is not significant to begin with): ``M̄* = 1`` means "the conclusion survives
post-treatment trend breaks as large as the largest pre-treatment one".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))
DEFAULT_MBARS = (0.0, 0.5, 1.0, 1.5, 2.0)


def relative_magnitudes(coefs: pd.DataFrame, mbars=DEFAULT_MBARS, target: str = "average",
                        vcov: pd.DataFrame | None = None) -> dict:
    """Relative-magnitudes bounds for an event study.

    ``coefs``: rows with ``e`` (event time; ``-1`` may be absent, it is the reference = 0),
    ``estimate``, ``se``. ``target``: ``average`` (mean of the post coefficients ``e >= 0``) or
    ``first`` (``e = 0``). ``vcov``: covariance of the coefficients indexed by ``e`` (used for the
    average's standard error; without it the post coefficients are treated as independent, which
    is said in the result).

    Returns ``theta, se, d_pre, c, breakdown`` and ``rows`` (one per ``M̄``: bias bound and interval).
    """
    c_ = coefs.set_index("e").sort_index()
    pre = [int(e) for e in c_.index if e < -1]
    post = [int(e) for e in c_.index if e >= 0]
    if not pre:
        raise ValueError("relative magnitudes need at least one pre-period coefficient (e <= -2)")
    if not post:
        raise ValueError("no post-period coefficient (e >= 0)")
    b = {int(e): float(v) for e, v in c_["estimate"].items()}
    b[-1] = 0.0
    path = sorted(e for e in b if e < 0)
    d_pre = max(abs(b[path[i + 1]] - b[path[i]]) for i in range(len(path) - 1))
    if target == "first":
        idx, c = [0] if 0 in post else [post[0]], float(post[0] + 1)
    elif target == "average":
        idx, c = post, float(np.mean([e + 1 for e in post]))
    else:
        raise ValueError("target must be 'average' or 'first'")
    w = np.full(len(idx), 1.0 / len(idx))
    theta = float(w @ c_.loc[idx, "estimate"].to_numpy())
    if vcov is not None:
        V = vcov.loc[idx, idx].to_numpy()
        se, se_note = float(np.sqrt(w @ V @ w)), "covariance of the post coefficients"
    else:
        se = float(np.sqrt(np.sum((w * c_.loc[idx, "se"].to_numpy()) ** 2)))
        se_note = "post coefficients treated as independent (no covariance given)"
    rows = []
    for m in mbars:
        bias = float(m) * d_pre * c
        lo, hi = theta - bias - Z95 * se, theta + bias + Z95 * se
        rows.append({"mbar": float(m), "bias_bound": bias, "ci_low": lo, "ci_high": hi,
                     "includes_zero": bool(lo <= 0 <= hi)})
    if abs(theta) <= Z95 * se:
        breakdown = 0.0
    elif d_pre == 0:
        breakdown = float("inf")
    else:
        breakdown = (abs(theta) - Z95 * se) / (d_pre * c)
    return {"target": target, "post_terms": idx, "theta": theta, "se": se, "se_note": se_note,
            "d_pre": d_pre, "c": c, "breakdown": float(breakdown), "rows": pd.DataFrame(rows),
            "method": "relative magnitudes (Rambachan–Roth Δ^RM), plug-in interval"}


def smoothness(coefs: pd.DataFrame, ms=(0.0, 0.05, 0.1, 0.2), vcov: pd.DataFrame | None = None) -> dict:
    """Smoothness restriction Δ^SD(M), plug-in version: the bias continues the last pre-treatment
    slope ``s = δ_{-1} - δ_{-2} = -β_{-2}`` with its slope changing by at most ``M`` per period, so
    ``δ_e ∈ (e+1)·s ± M·(e+1)(e+2)/2`` and, for the average post effect, the bias lies in
    ``mean(e+1)·s ± M·mean((e+1)(e+2)/2)``. ``M = 0`` is the linear extrapolation of the pre-trend.
    Simpler than Rambachan–Roth's Δ^SD set (which uses every pre coefficient and their sampling
    error): only the last pre slope, taken as known. Returns ``rows`` per ``M`` with the
    trend-adjusted interval and ``adjusted_m0`` (the estimate net of the linear extrapolation)."""
    c_ = coefs.set_index("e").sort_index()
    if -2 not in c_.index:
        raise ValueError("the smoothness bound needs the coefficient at e = -2")
    post = [int(e) for e in c_.index if e >= 0]
    if not post:
        raise ValueError("no post-period coefficient (e >= 0)")
    s = -float(c_.loc[-2, "estimate"])
    w = np.full(len(post), 1.0 / len(post))
    theta = float(w @ c_.loc[post, "estimate"].to_numpy())
    if vcov is not None:
        # θ - mean(e+1)·s with s = -β_{-2}: gradient on β_{-2} is +mean(e+1)
        idx = post + [-2]
        g = np.concatenate([w, [float(np.mean([e + 1 for e in post]))]])
        se = float(np.sqrt(g @ vcov.loc[idx, idx].to_numpy() @ g))
    else:
        se = float(np.sqrt(np.sum((w * c_.loc[post, "se"].to_numpy()) ** 2)))
    lin = float(np.mean([e + 1 for e in post])) * s
    curv = float(np.mean([(e + 1) * (e + 2) / 2 for e in post]))
    rows = []
    for m in ms:
        lo = theta - lin - float(m) * curv - Z95 * se
        hi = theta - lin + float(m) * curv + Z95 * se
        rows.append({"M": float(m), "center": theta - lin, "ci_low": lo, "ci_high": hi,
                     "includes_zero": bool(lo <= 0 <= hi)})
    return {"theta": theta, "pre_slope": s, "adjusted_m0": theta - lin, "se": se,
            "rows": pd.DataFrame(rows),
            "method": "smoothness (Δ^SD, last pre slope extrapolated), plug-in interval"}
