"""Callaway–Sant'Anna (2021) group-time average treatment effects ATT(g, t) and their
aggregations, without covariates (the "unconditional" estimator).

Why written by hand: the packages that implement it do not fit this project's environment —
``csdid`` 0.4.3 pulls plotnine, drdid and even twine/keyring/cryptography at runtime, and
``differences``/``moderndid`` bring their own data stacks (anchors.md §DID libraries). Without
covariates the estimator is a set of 2×2 mean comparisons, short enough to write and check:
``tests/plan/test_policy_cs.py`` checks it against a hand-worked example, against an OLS 2×2
regression with HC0 errors (statsmodels) and — on simulated staggered panels — against the truth.

Definitions (panel data, analysis frame ``unit_id, year, y, cohort``; cohort 0 = never treated):

* ``ATT(g, t) = mean_{i in g}(y_it - y_i,g-1) - mean_{j in C(g,t)}(y_jt - y_j,g-1)``, with a
  *universal* base period ``g - 1`` for every ``t`` (so ``ATT(g, g-1) = 0`` and the event study is
  read against ``k = -1`` like the TWFE/did2s event studies; post-period ATT(g, t) are identical to
  the R ``did`` package's default "varying" base).
* Control group ``C(g, t)``: ``never`` — never-treated units; ``notyet`` — never-treated units and
  units first treated after ``max(t, g - 1)``, cohort ``g`` itself excluded (it matters for the
  pre-periods ``t < g``, where ``g`` is "not yet treated" too).
* Unbalanced panels: each ATT(g, t) uses the units observed in both ``g - 1`` and ``t``.
* Inference: unit-level influence functions ``psi_i`` (clustered by unit), ``se = sqrt(sum psi^2) / N``
  (N = units in the frame); for one ATT(g, t) this is exactly the HC0 standard error of the 2×2
  regression of ``Δy`` on a cohort dummy. Aggregations add the influence of the estimated cohort
  weights (as R ``did::aggte`` does). Pointwise normal 95% intervals (no multiplier bootstrap,
  no uniform bands: said in the output).
* Aggregations (Callaway–Sant'Anna §3): ``simple`` — post-period ATT(g, t) weighted by cohort size;
  ``dynamic`` — by event time ``e = t - g``, cohorts weighted by size; ``group`` — mean over each
  cohort's post periods, then ``overall`` weighted by cohort size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONTROL_GROUPS = ("never", "notyet")
Z95 = float(stats.norm.ppf(0.975))


@dataclass
class CSResult:
    """``att_gt``: one row per (g, t) — ``g, t, e, att, se, n_treated, n_control``.
    ``simple``, ``group_overall``: dicts ``estimate, se, ci_low, ci_high, p``.
    ``dynamic``: rows by event time ``e``; ``group``: rows by cohort ``g``.
    ``dynamic_vcov``: influence-function covariance of the dynamic coefficients (index = e)."""

    att_gt: pd.DataFrame
    simple: dict
    dynamic: pd.DataFrame
    group: pd.DataFrame
    group_overall: dict
    dynamic_vcov: pd.DataFrame
    control_group: str
    n_units: int


def _summary(est: float, se: float) -> dict:
    z = est / se if se > 0 else np.nan
    return {"estimate": float(est), "se": float(se), "ci_low": float(est - Z95 * se),
            "ci_high": float(est + Z95 * se),
            "p": float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan}


def _wide(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    y = df.pivot_table(index="unit_id", columns="year", values="y", aggfunc="first")
    cohort = df.groupby("unit_id")["cohort"].first().reindex(y.index).astype(int)
    return y, cohort


def att_gt(df: pd.DataFrame, control_group: str = "notyet") -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """All ATT(g, t) with their influence functions.

    Returns the table, the influence matrix ``Psi`` (units × rows of the table; ``se = sqrt(sum
    Psi^2) / N``) and the cohort of each unit (the matrix's row order).
    """
    if control_group not in CONTROL_GROUPS:
        raise ValueError(f"control_group must be one of {CONTROL_GROUPS}, got {control_group!r}")
    y, cohort = _wide(df)
    years = list(y.columns)
    N = len(y)
    gs = sorted(int(g) for g in cohort.unique() if g > 0)
    rows, psis = [], []
    for g in gs:
        if g - 1 not in y.columns:
            continue  # no base period in the sample
        base = y[g - 1]
        for t in years:
            if t == g - 1:
                continue
            dy = y[t] - base
            ok = dy.notna()
            tr = ok & (cohort == g)
            if control_group == "never":
                ct = ok & (cohort == 0)
            else:
                ct = ok & ((cohort == 0) | (cohort > max(t, g - 1))) & (cohort != g)
            nt, nc = int(tr.sum()), int(ct.sum())
            if nt == 0 or nc == 0:
                continue
            mt, mc = dy[tr].mean(), dy[ct].mean()
            psi = np.zeros(N)
            psi[tr.to_numpy()] = N * (dy[tr] - mt).to_numpy() / nt
            psi[ct.to_numpy()] = -N * (dy[ct] - mc).to_numpy() / nc
            rows.append({"g": g, "t": int(t), "e": int(t) - g, "att": float(mt - mc),
                         "se": float(np.sqrt(np.sum(psi ** 2)) / N), "n_treated": nt, "n_control": nc})
            psis.append(psi)
    if not rows:
        raise ValueError("no estimable ATT(g,t): need a cohort with its base year g-1 in the sample "
                         "and a control group")
    tab = pd.DataFrame(rows)
    return tab, np.column_stack(psis), cohort


def _aggregate(att: np.ndarray, psi: np.ndarray, g_of_row: np.ndarray, keep: np.ndarray,
               cohort: np.ndarray) -> tuple[float, np.ndarray]:
    """Weighted mean of ``att[keep]`` with weights ∝ P(G = g) and its influence function,
    including the estimated-weight term (as in R ``did::aggte``)."""
    N = len(cohort)
    gk = g_of_row[keep]
    pg = np.array([np.mean(cohort == g) for g in gk])
    w = pg / pg.sum()
    est = float(w @ att[keep])
    # influence of the estimated weights: d w_k / d p
    ind = np.column_stack([(cohort == g).astype(float) - p for g, p in zip(gk, pg, strict=True)])
    wif = ind / pg.sum() - np.outer(ind.sum(axis=1), pg) / pg.sum() ** 2
    inf = psi[:, keep] @ w + wif @ att[keep]
    assert inf.shape == (N,)
    return est, inf


def callaway_santanna(df: pd.DataFrame, control_group: str = "notyet",
                      window: tuple[int, int] | None = None) -> CSResult:
    """ATT(g, t) and the simple, dynamic (event-time) and group aggregations.

    ``window``: event times kept in the dynamic aggregation (default: all).
    """
    tab, psi, cohort = att_gt(df, control_group)
    N = len(cohort)
    c = cohort.to_numpy()
    att = tab["att"].to_numpy()
    g_of = tab["g"].to_numpy()
    post = (tab["t"] >= tab["g"]).to_numpy()
    if not post.any():
        raise ValueError("no post-treatment ATT(g,t) in the sample")

    def se(inf):
        return float(np.sqrt(np.sum(inf ** 2)) / N)

    est, inf = _aggregate(att, psi, g_of, post, c)
    simple = _summary(est, se(inf))

    dyn_rows, dyn_inf = [], []
    for e in sorted(tab["e"].unique()):
        if window is not None and not window[0] <= e <= window[1]:
            continue
        keep = (tab["e"] == e).to_numpy()
        est_e, inf_e = _aggregate(att, psi, g_of, keep, c)
        dyn_rows.append({"e": int(e), **_summary(est_e, se(inf_e)), "n_cohorts": int(keep.sum())})
        dyn_inf.append(inf_e)
    dynamic = pd.DataFrame(dyn_rows)
    M = np.column_stack(dyn_inf) if dyn_inf else np.zeros((N, 0))
    vcov = pd.DataFrame(M.T @ M / N ** 2, index=dynamic["e"], columns=dynamic["e"])

    grp_rows, grp_att, grp_inf = [], [], []
    for g in sorted(set(g_of[post])):
        keep = post & (g_of == g)
        est_g = float(att[keep].mean())
        inf_g = psi[:, keep].mean(axis=1)
        grp_rows.append({"g": int(g), **_summary(est_g, se(inf_g)), "n_periods": int(keep.sum())})
        grp_att.append(est_g)
        grp_inf.append(inf_g)
    group = pd.DataFrame(grp_rows)
    ga = np.array(grp_att)
    est_o, inf_o = _aggregate(ga, np.column_stack(grp_inf), group["g"].to_numpy(),
                              np.ones(len(ga), dtype=bool), c)
    return CSResult(att_gt=tab, simple=simple, dynamic=dynamic, group=group,
                    group_overall=_summary(est_o, se(inf_o)), dynamic_vcov=vcov,
                    control_group=control_group, n_units=N)


def pretrend_wald(res: CSResult) -> dict:
    """Joint Wald test that the pre-period dynamic coefficients (``e <= -2``) are zero, with the
    influence-function covariance; chi-squared on ``q`` degrees of freedom."""
    d = res.dynamic
    pre = [int(e) for e in d["e"] if e <= -2]
    if not pre:
        return {"q": 0, "chi2": np.nan, "p": np.nan, "terms": []}
    b = d.set_index("e").loc[pre, "estimate"].to_numpy()
    V = res.dynamic_vcov.loc[pre, pre].to_numpy()
    W = float(b @ np.linalg.pinv(V) @ b)
    return {"q": len(pre), "chi2": W, "p": float(stats.chi2.sf(W, len(pre))), "terms": pre}
