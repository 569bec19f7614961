"""Placebo (randomisation) inference for a static DID estimate.

Each draw builds a fake treatment with no true effect and re-estimates the statistic (the static
TWFE or did2s point estimate). Modes:

* ``units`` (default) — the observed cohort vector is permuted across units (same number of units
  per cohort; Fisher randomisation inference).
* ``dates`` — the treated units keep their status but get random fake first-treated years; only
  observations that are untreated in reality are used (treated units' pre-period, all controls),
  so the true effect is zero by construction.
* ``both`` — random fake units drawn among the never-treated, with fake dates drawn from the
  observed cohort distribution; only never-treated units are used.

The two-sided p-value is ``(1 + #{|b_placebo| >= |b|}) / (N + 1)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimate import point_did2s, point_twfe

MODES = ("units", "dates", "both")


def _with_cohort(df: pd.DataFrame, cohort_by_unit: dict) -> pd.DataFrame:
    d = df.copy()
    d["cohort"] = d["unit_id"].map(cohort_by_unit).fillna(0).astype(int)
    d["D"] = ((d["cohort"] > 0) & (d["year"] >= d["cohort"])).astype(float)
    return d


def placebo(
    df: pd.DataFrame,
    estimate: float,
    n: int = 200,
    mode: str = "units",
    estimator: str = "twfe",
    controls: list[str] = (),
    seed: int = 0,
) -> dict:
    """Placebo distribution of the static estimator and the p-value of ``estimate``.

    ``df``: the analysis frame (``unit_id, year, y, cohort`` + controls).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    point = {"twfe": point_twfe, "did2s": point_did2s}[estimator]
    rng = np.random.default_rng(seed)
    units = df.groupby("unit_id", sort=True)["cohort"].first()
    years = np.sort(df["year"].unique())
    real_cohorts = units[units > 0].to_numpy()
    draws = []
    if mode == "units":
        base = df
        ids = units.index.to_numpy()
        vals = units.to_numpy()
    elif mode == "dates":
        base = df[~((df["cohort"] > 0) & (df["year"] >= df["cohort"]))]
        first = base.groupby("unit_id")["year"].min()
        last = base.groupby("unit_id")["year"].max()
        tr_ids = [u for u in units.index[units > 0] if u in first.index and last[u] > first[u]]
    else:
        base = df[df["cohort"] == 0]
        ctrl = np.sort(base["unit_id"].unique())
        n_fake = min(len(real_cohorts), len(ctrl) // 2)
    for _ in range(n):
        if mode == "units":
            cmap = dict(zip(ids, rng.permutation(vals), strict=True))
        elif mode == "dates":
            cmap = {u: int(rng.integers(first[u] + 1, last[u] + 1)) for u in tr_ids}
        else:
            pick = rng.choice(ctrl, size=n_fake, replace=False)
            cmap = dict(zip(pick, rng.choice(real_cohorts, size=n_fake), strict=True))
        d = _with_cohort(base, cmap)
        if d["D"].sum() == 0 or d["D"].sum() == len(d):
            continue
        draws.append(point(d, list(controls)))
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    k = int(np.sum(np.abs(draws) >= abs(estimate)))
    return {
        "mode": mode,
        "estimator": estimator,
        "n": int(len(draws)),
        "seed": seed,
        "estimate": float(estimate),
        "draws": draws,
        "mean": float(draws.mean()) if len(draws) else np.nan,
        "sd": float(draws.std(ddof=1)) if len(draws) > 1 else np.nan,
        "p_value": (1 + k) / (len(draws) + 1),
        "years": (int(years[0]), int(years[-1])),
    }
