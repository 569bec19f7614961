"""DID estimators over an analysis frame (pyfixest), returning tidy DataFrames.

Analysis frame: one row per (unit, year) with columns ``unit_id`` (str), ``year`` (int), ``y``
(float), ``cohort`` (int; first treated year, 0 = never treated) and optional control columns.

Estimators (all with standard errors clustered by unit):

* ``twfe`` — ``y ~ D + X | unit + year``, ``D = 1{cohort > 0 and year >= cohort}``. pyfixest CRV1
  with its default small-sample correction (fixest's): ``G/(G-1) · (n-1)/(n-k)`` where ``k``
  leaves out the unit fixed effects because they are nested in the cluster.
* ``did2s`` — Gardner's two-stage estimator (pyfixest ``did2s``): unit and year effects (and X)
  fitted on untreated observations only, then the residualised outcome regressed on ``D``; robust to
  staggered timing with heterogeneous effects. Standard errors: pyfixest's GMM cluster formula
  (no small-sample factor).
* event studies (``twfe_es``, ``did2s_es``): relative-time dummies ``1{year - cohort = k}`` for
  ``k`` in ``window``, reference ``k = -1``, endpoints binned (``k < lo`` counted in ``lo``, ``k > hi``
  in ``hi``); never-treated units have all dummies 0.

Confidence intervals and p-values are those pyfixest reports (t distribution with ``G-1`` degrees of
freedom for CRV1).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

TIDY_COLUMNS = [
    "estimator",
    "term",
    "rel_time",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "n_obs",
    "n_units",
    "n_treated_units",
]


def _pf():
    import pyfixest as pf

    return pf


def event_term(k: int) -> str:
    """Column name of the relative-time dummy for ``k`` (``ev_m2`` for -2, ``ev_p0`` for 0)."""
    return f"ev_m{-k}" if k < 0 else f"ev_p{k}"


def prepare(df: pd.DataFrame, window: tuple[int, int] = (-4, 4)) -> pd.DataFrame:
    """Add ``D`` (treated and post), ``rel`` (binned relative time, NA for never treated) and the
    event dummies for ``window`` (reference -1 excluded)."""
    lo, hi = window
    if lo > -2 or hi < 0:
        raise ValueError(f"window must include at least k=-2 and k=0, got {window}")
    out = df.copy()
    treated = out["cohort"] > 0
    out["D"] = (treated & (out["year"] >= out["cohort"])).astype(float)
    rel = (out["year"] - out["cohort"]).where(treated)
    out["rel"] = rel.clip(lower=lo, upper=hi).astype("Int64")
    for k in range(lo, hi + 1):
        if k == -1:
            continue
        out[event_term(k)] = (out["rel"] == k).fillna(False).astype(float)
    return out


def _rhs(terms: list[str], controls: list[str]) -> str:
    return " + ".join(list(terms) + list(controls))


def _counts(df: pd.DataFrame) -> dict:
    return {
        "n_obs": int(len(df)),
        "n_units": int(df["unit_id"].nunique()),
        "n_treated_units": int(df.loc[df["cohort"] > 0, "unit_id"].nunique()),
    }


def _tidy(fit, estimator: str, df: pd.DataFrame, terms: dict[str, int | None]) -> pd.DataFrame:
    t = fit.tidy()
    rows = []
    counts = _counts(df)
    for term, k in terms.items():
        if term not in t.index:
            continue  # dropped (collinear or empty bin)
        r = t.loc[term]
        rows.append(
            {
                "estimator": estimator,
                "term": "ATT" if k is None else f"k={k}",
                "rel_time": k,
                "estimate": float(r["Estimate"]),
                "se": float(r["Std. Error"]),
                "ci_low": float(r["2.5%"]),
                "ci_high": float(r["97.5%"]),
                "p": float(r["Pr(>|t|)"]),
                **counts,
            }
        )
    out = pd.DataFrame(rows, columns=TIDY_COLUMNS)
    out["rel_time"] = out["rel_time"].astype("Int64")
    return out


def fit_twfe(df: pd.DataFrame, controls: list[str] = ()):
    """Static TWFE; returns the pyfixest Feols object (``df`` must have gone through prepare)."""
    pf = _pf()
    fml = f"y ~ {_rhs(['D'], list(controls))} | unit_id + year"
    return pf.feols(fml, data=df, vcov={"CRV1": "unit_id"})


def fit_did2s(df: pd.DataFrame, controls: list[str] = ()):
    """Static did2s (Gardner): overall ATT over treated observations."""
    pf = _pf()
    d = df.copy()
    d["treat_flag"] = d["D"] > 0
    first = f"~ {_rhs(list(controls), []) or '0'} | unit_id + year"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.did2s(d, "y", first, "~ D", treatment="treat_flag", cluster="unit_id")


def event_terms(df: pd.DataFrame, window: tuple[int, int]) -> dict[str, int]:
    lo, hi = window
    return {
        event_term(k): k
        for k in range(lo, hi + 1)
        if k != -1 and event_term(k) in df and df[event_term(k)].sum() > 0
    }


def fit_event_twfe(df: pd.DataFrame, window: tuple[int, int], controls: list[str] = ()):
    pf = _pf()
    terms = event_terms(df, window)
    fml = f"y ~ {_rhs(list(terms), list(controls))} | unit_id + year"
    return pf.feols(fml, data=df, vcov={"CRV1": "unit_id"}), terms


def fit_event_did2s(df: pd.DataFrame, window: tuple[int, int], controls: list[str] = ()):
    pf = _pf()
    terms = event_terms(df, window)
    d = df.copy()
    d["treat_flag"] = d["D"] > 0
    first = f"~ {_rhs(list(controls), []) or '0'} | unit_id + year"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.did2s(d, "y", first, f"~ {_rhs(list(terms), [])}", treatment="treat_flag", cluster="unit_id")
    return fit, terms


def estimate(
    df: pd.DataFrame,
    estimators: tuple[str, ...] = ("twfe", "did2s"),
    window: tuple[int, int] = (-4, 4),
    controls: list[str] = (),
) -> tuple[pd.DataFrame, dict]:
    """Run the requested estimators; return the tidy table and the fitted objects by name.

    ``estimators``: any of ``twfe``, ``did2s`` (static ATT) and ``twfe_es``, ``did2s_es``
    (event studies over ``window``).
    """
    d = prepare(df, window)
    if d["D"].sum() == 0:
        raise ValueError("no treated post-period observation in the sample")
    n_untreated = d[d["D"] == 0].groupby("unit_id").size()
    thin = sorted(u for u in d.loc[d["cohort"] > 0, "unit_id"].unique() if n_untreated.get(u, 0) < 2)
    if thin:
        raise ValueError(
            f"{len(thin)} treated unit(s) with fewer than 2 untreated observations (e.g. {thin[:3]}); "
            "did2s cannot impute their unit effect (pyfixest drops singletons) — drop them first"
        )
    if set(d["year"]) - set(d.loc[d["D"] == 0, "year"]):
        raise ValueError("some year has no untreated observation; year effects cannot be imputed")
    tables, fits = [], {}
    for est in estimators:
        if est == "twfe":
            fit = fit_twfe(d, controls)
            tables.append(_tidy(fit, est, d, {"D": None}))
        elif est == "did2s":
            fit = fit_did2s(d, controls)
            tables.append(_tidy(fit, est, d, {"D": None}))
        elif est == "twfe_es":
            fit, terms = fit_event_twfe(d, window, controls)
            tables.append(_tidy(fit, est, d, terms))
        elif est == "did2s_es":
            fit, terms = fit_event_did2s(d, window, controls)
            tables.append(_tidy(fit, est, d, terms))
        else:
            raise ValueError(f"unknown estimator {est!r}")
        fits[est] = fit
    return pd.concat(tables, ignore_index=True), fits


# --- fast point estimates (placebo draws) -------------------------------------------------------


def point_twfe(df: pd.DataFrame, controls: list[str] = ()) -> float:
    """TWFE coefficient on ``D`` without inference (same point estimate as ``fit_twfe``)."""
    pf = _pf()
    fml = f"y ~ {_rhs(['D'], list(controls))} | unit_id + year"
    return float(pf.feols(fml, data=df, vcov="iid").coef()["D"])


def _twoway_effects(v: np.ndarray, i: np.ndarray, t: np.ndarray, ni: int, nt: int):
    """Least-squares unit and year effects of the columns of ``v`` (n × k): ``v ~ unit + year``.

    Exact, by eliminating the unit effects (a diagonal block) from the normal equations and
    solving the small year system (nt × nt, rank nt − 1 on a connected panel; its minimum-norm
    solution leaves every estimable ``alpha_i + lambda_t`` unique). Units without rows get 0.
    """
    ci = np.bincount(i, minlength=ni).astype(float)
    inv = np.divide(1.0, ci, out=np.zeros(ni), where=ci > 0)
    C = np.zeros((ni, nt))
    np.add.at(C, (i, t), 1.0)
    si = np.zeros((ni, v.shape[1]))
    np.add.at(si, i, v)
    st = np.zeros((nt, v.shape[1]))
    np.add.at(st, t, v)
    S = np.diag(C.sum(axis=0)) - C.T @ (inv[:, None] * C)
    lam = np.linalg.lstsq(S, st - C.T @ (inv[:, None] * si), rcond=None)[0]
    alpha = inv[:, None] * (si - C @ lam)
    return alpha, lam


def point_did2s(df: pd.DataFrame, controls: list[str] = ()) -> float:
    """did2s ATT without inference: the mean over treated observations of ``y`` minus its
    imputed untreated value (unit + year effects and X fitted on untreated observations). This is
    exactly the did2s second stage ``y_hat ~ 0 + D``.

    The first stage is solved exactly (:func:`_twoway_effects`; controls by Frisch–Waugh–Lovell),
    not by an iteration whose tolerance depends on the outcome's scale (GDP per capita in 元
    made the earlier alternating projections crawl on the real panel).
    """
    controls = list(controls)
    ui, uid = pd.factorize(df["unit_id"])
    ti, _ = pd.factorize(df["year"])
    ni, nt = len(uid), int(ti.max()) + 1
    u = df["D"].to_numpy() == 0
    y = df["y"].to_numpy(dtype=float)
    X = df[controls].to_numpy(dtype=float) if controls else np.zeros((len(df), 0))
    i0, t0 = ui[u], ti[u]
    beta = np.zeros(X.shape[1])
    if controls:
        V = np.column_stack([y[u], X[u]])
        a, lam = _twoway_effects(V, i0, t0, ni, nt)
        R = V - a[i0] - lam[t0]
        beta = np.linalg.lstsq(R[:, 1:], R[:, 0], rcond=None)[0]
    r = y - X @ beta
    a, lam = _twoway_effects(r[u][:, None], i0, t0, ni, nt)
    # imputable only where the unit and the year have untreated rows (as did2s requires);
    # a draw that treats a unit in all its years contributes nothing rather than an arbitrary value
    ok = (~u) & (np.bincount(i0, minlength=ni)[ui] > 0) & (np.bincount(t0, minlength=nt)[ti] > 0)
    if not ok.any():
        return float("nan")
    return float(np.mean(r[ok] - a[ui[ok], 0] - lam[ti[ok], 0]))
