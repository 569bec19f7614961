"""Synthetic control (Abadie, Diamond & Hainmueller 2010) for one treated city, with
placebo-in-space inference.

Weights: ``w = argmin sum_{t < T0} (y_1t - sum_j w_j y_jt)^2`` subject to ``w_j >= 0`` and
``sum_j w_j = 1``; the predictors are the treated city's pre-treatment outcomes, each year weighted
equally (``V = I``: with lagged outcomes as the only predictors this is the V that minimises the
pre-period fit, so no nested V search is needed). Solved by non-negative least squares with the
adding-up constraint as a heavily weighted extra row (exact to ~1e-9, then renormalised); fast
enough to refit for every donor in the placebo loop. ``tests/plan/test_policy_synth.py`` checks the
weights against ``pysyncon`` (a second implementation) on a case with a unique solution.

Donor pool: never-treated units observed in every year the treated city is (unbalanced donors are
dropped and counted). Placebo in space: every donor in turn is treated as if it had been
designated, its synthetic control built from the other donors (never from the treated city); the
statistic is the ratio of post- to pre-period RMSPE, and the p-value is the treated city's rank
``#{ratio_j >= ratio_treated} / (J + 1)`` counting itself (Abadie et al. 2010, §4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls


def synth_weights(X0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    """Weights on the columns of ``X0`` (pre-periods × donors) reproducing ``x1``: non-negative,
    summing to one, least squares."""
    X0 = np.asarray(X0, dtype=float)
    x1 = np.asarray(x1, dtype=float)
    scale = max(1.0, float(np.abs(X0).max()), float(np.abs(x1).max()))
    K = 1e4 * scale
    A = np.vstack([X0, np.full((1, X0.shape[1]), K)])
    b = np.concatenate([x1, [K]])
    w, _ = nnls(A, b, maxiter=50 * X0.shape[1])
    s = w.sum()
    if s <= 0:
        raise ValueError("synthetic control: no feasible weights")
    return w / s


def _rmspe(g: np.ndarray) -> float:
    return float(np.sqrt(np.mean(g ** 2))) if len(g) else float("nan")


@dataclass
class SynthResult:
    """``path``: ``year, treated, synthetic, gap``; ``weights``: ``unit_id, weight`` (> 0.001);
    ``placebo``: ``unit_id, pre_rmspe, post_rmspe, ratio`` per donor; ``placebo_gaps``: year × donor
    gaps. ``p_value``: rank of the treated ratio among all (Fisher exact under random assignment)."""

    unit_id: str
    treat_year: int
    path: pd.DataFrame
    weights: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    att: float
    placebo: pd.DataFrame
    placebo_gaps: pd.DataFrame
    p_value: float
    n_donors: int
    dropped_donors: int


def synth_control(df: pd.DataFrame, unit_id: str, treat_year: int, placebo: bool = True) -> SynthResult:
    """Synthetic control of ``unit_id`` first treated in ``treat_year`` on the analysis frame
    ``unit_id, year, y, cohort`` (cohort 0 = never treated; only those are donors)."""
    y = df.pivot_table(index="year", columns="unit_id", values="y", aggfunc="first").sort_index()
    if unit_id not in y.columns:
        raise ValueError(f"unit {unit_id} not in the sample")
    y1 = y[unit_id].dropna()
    years = y1.index.to_numpy()
    pre = years < treat_year
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise ValueError(f"synthetic control needs >= 2 pre and >= 1 post years; unit {unit_id} has "
                         f"{int(pre.sum())} pre and {int((~pre).sum())} post years around {treat_year}")
    cohort = df.groupby("unit_id")["cohort"].first()
    donors_all = [u for u in cohort.index[cohort == 0] if u != unit_id]
    Y = y.loc[years, donors_all]
    complete = Y.notna().all(axis=0)
    Y = Y.loc[:, complete]
    donors = list(Y.columns)
    if len(donors) < 2:
        raise ValueError("synthetic control needs at least 2 donors observed in every year")
    Ya = Y.to_numpy()

    def fit(x: np.ndarray, D: np.ndarray):
        w = synth_weights(D[pre], x[pre])
        gap = x - D @ w
        return w, gap

    w, gap = fit(y1.to_numpy(), Ya)
    pre_r, post_r = _rmspe(gap[pre]), _rmspe(gap[~pre])
    ratio = post_r / pre_r if pre_r > 0 else float("inf")
    path = pd.DataFrame({"year": years, "treated": y1.to_numpy(), "synthetic": Ya @ w, "gap": gap})
    weights = (pd.DataFrame({"unit_id": donors, "weight": w}).query("weight > 0.001")
               .sort_values("weight", ascending=False).reset_index(drop=True))
    rows, gaps = [], {}
    if placebo:
        for j, u in enumerate(donors):
            others = np.delete(np.arange(len(donors)), j)
            _, g = fit(Ya[:, j], Ya[:, others])
            pr, po = _rmspe(g[pre]), _rmspe(g[~pre])
            rows.append({"unit_id": u, "pre_rmspe": pr, "post_rmspe": po,
                         "ratio": po / pr if pr > 0 else float("inf")})
            gaps[u] = g
    plc = pd.DataFrame(rows, columns=["unit_id", "pre_rmspe", "post_rmspe", "ratio"])
    p = (1 + int((plc["ratio"] >= ratio).sum())) / (len(plc) + 1) if len(plc) else float("nan")
    return SynthResult(
        unit_id=unit_id, treat_year=int(treat_year), path=path, weights=weights,
        pre_rmspe=pre_r, post_rmspe=post_r, ratio=ratio, att=float(gap[~pre].mean()),
        placebo=plc, placebo_gaps=pd.DataFrame(gaps, index=years), p_value=p,
        n_donors=len(donors), dropped_donors=int((~complete).sum()),
    )


def run_synth(panel: pd.DataFrame, registry: pd.DataFrame, outcome: str, city: str,
              treatment: str = "exhausted", placebo: bool = True, **did_options) -> tuple[SynthResult, dict]:
    """Synthetic control of one treated ``city`` (name or unit id) on the DID analysis frame
    (same sample rules: contaminated controls dropped by default, county members dropped).

    Returns the result and a small spec (city name, cohort, outcome, donors, sample notes).
    """
    from .did import run_did

    res = run_did(panel, registry, outcome, treatment=treatment, **did_options)
    smp = res.sample
    hit = smp[(smp["unit_id"] == city) | (smp["name"] == city)]
    if hit.empty:
        raise ValueError(f"{city!r} is not a treated city in the {treatment} sample")
    row = hit.iloc[0]
    if not row["treated"]:
        raise ValueError(f"{city!r} is not treated under {treatment!r}")
    frame = _frame_of(res, panel, outcome)
    sc = synth_control(frame, row["unit_id"], int(row["cohort"]), placebo=placebo)
    names = dict(zip(smp["unit_id"], smp["name"], strict=False))
    sc.weights.insert(1, "name", sc.weights["unit_id"].map(names))
    sc.placebo.insert(1, "name", sc.placebo["unit_id"].map(names))
    spec = {"city": row["name"], "unit_id": row["unit_id"], "cohort": int(row["cohort"]),
            "outcome": outcome, "treatment": treatment, "n_donors": sc.n_donors,
            "dropped_donors": sc.dropped_donors, "sample_years": res.spec["years"],
            "drop_contaminated_controls": res.spec["drop_contaminated_controls"]}
    return sc, spec


def _frame_of(res, panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The analysis frame ``run_did`` used (units and years of its sample)."""
    from .sample import check_panel, indicator_series

    y, _ = indicator_series(check_panel(panel), outcome)
    if res.spec.get("log_outcome"):
        y = np.log(y)
    f = y.rename("y").reset_index()
    smp = res.sample.set_index("unit_id")
    f = f[f["unit_id"].isin(smp.index) & f["y"].notna()]
    f = f[(f["year"] >= res.spec["years"][0]) & (f["year"] <= res.spec["years"][1])]
    f["cohort"] = f["unit_id"].map(smp["cohort"]).astype(int)
    return f
