"""Simulated panels with a known treatment effect (tests, benchmarks, documentation).

``simulate_panel`` returns a long panel in the data layer's shape
(``unit_id, year, indicator_id, value``), a registry in the registry layer's shape, and the true
average effect on the treated observations (ATT over treated unit-years).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Simulated:
    panel: pd.DataFrame  # long: unit_id, year, indicator_id, value
    registry: pd.DataFrame  # registry contract
    truth: dict  # att (over treated obs in the returned sample), effect by cohort
    wide: pd.DataFrame  # unit_id, year, cohort, y, effect, x


def simulate_panel(
    n_units: int = 200,
    years: tuple[int, int] = (2004, 2012),
    cohorts: dict[int, float] | None = None,
    effect: float | dict[int, float] = 1.0,
    slope: float | dict[int, float] = 0.0,
    pretrend: float = 0.0,
    noise: float = 0.5,
    missing: float = 0.0,
    control_coef: float = 0.0,
    outcome: str = "y",
    seed: int = 0,
) -> Simulated:
    """Simulate ``y_it = a_i + l_t + tau_it·D_it + pretrend·(t-g)·1{treated, t<g} + b·x_it + e_it``.

    ``cohorts``: {first treated year: share of units}; the rest are never treated.
    ``effect``: effect at treatment onset (a number or per cohort); ``slope``: added per year since
    onset (dynamic effects; a number or per cohort): ``tau_it = effect_g + slope_g·(t - g)``.
    ``pretrend``: linear differential trend of treated units before treatment (violates parallel
    trends). ``missing``: share of unit-years dropped at random (unbalanced panel).
    """
    rng = np.random.default_rng(seed)
    cohorts = {2008: 0.2, 2009: 0.2, 2011: 0.2} if cohorts is None else cohorts
    gs = list(cohorts)
    probs = np.array([cohorts[g] for g in gs], dtype=float)
    n_by = np.floor(probs * n_units).astype(int)
    assign = np.concatenate([np.repeat(gs, n_by), np.zeros(n_units - n_by.sum(), dtype=int)])
    rng.shuffle(assign)
    yrs = np.arange(years[0], years[1] + 1)
    ids = np.array([f"{110000 + 100 * i:06d}" for i in range(n_units)])
    unit = np.repeat(ids, len(yrs))
    year = np.tile(yrs, n_units)
    g = np.repeat(assign, len(yrs))
    a = np.repeat(rng.normal(0, 1, n_units), len(yrs))
    lam = np.tile(np.cumsum(rng.normal(0.3, 0.2, len(yrs))), n_units)
    eff = {h: (effect[h] if isinstance(effect, dict) else effect) for h in gs}
    slp = {h: (slope[h] if isinstance(slope, dict) else slope) for h in gs}
    treated = (g > 0) & (year >= g)
    tau = np.zeros(len(year))
    for h in gs:
        m = treated & (g == h)
        tau[m] = eff[h] + slp[h] * (year[m] - h)
    pre = (g > 0) & (year < g)
    x = rng.normal(0, 1, len(year)) + 0.5 * a
    y = a + lam + tau + pretrend * (year - g) * pre + control_coef * x + rng.normal(0, noise, len(year))
    wide = pd.DataFrame({"unit_id": unit, "year": year, "cohort": g, "y": y, "effect": tau, "x": x})
    if missing > 0:
        keep = rng.random(len(wide)) >= missing
        wide = wide[keep]
        # treated units that lost all their pre-treatment years cannot be imputed: drop them
        # (fewer than 2 untreated years: pyfixest's first stage drops singletons)
        pre = wide[(wide["cohort"] > 0) & (wide["year"] < wide["cohort"])].groupby("unit_id").size()
        treated_ids = wide.loc[wide["cohort"] > 0, "unit_id"].unique()
        bad = [u for u in treated_ids if pre.get(u, 0) < 2]
        wide = wide[~wide["unit_id"].isin(bad)].reset_index(drop=True)
    tr = wide[(wide["cohort"] > 0) & (wide["year"] >= wide["cohort"])]
    truth = {
        "att": float(tr["effect"].mean()),
        "by_cohort": tr.groupby("cohort")["effect"].mean().to_dict(),
    }
    panel = pd.concat(
        [
            wide[["unit_id", "year"]].assign(indicator_id=outcome, value=wide["y"]),
            wide[["unit_id", "year"]].assign(indicator_id="x", value=wide["x"]),
        ],
        ignore_index=True,
    )
    types = np.array(["growth", "mature", "declining", "regenerating"])
    provs = np.array(["河北省", "山西省", "辽宁省"])
    reg = pd.DataFrame(
        {
            "unit_id": ids,
            "name": [f"模拟{i}市" for i in range(n_units)],
            "province": provs[np.arange(n_units) % 3],
            "level": "prefecture",
            "parent_id": "",
            "type_2013": types[np.arange(n_units) % 4],
            "exhausted_batch": pd.array([h if h > 0 else pd.NA for h in assign], dtype="Int64"),
            "verification": "A",
        }
    )
    # registry rows: the treated units (the 2013 list holds resource cities only)
    reg = reg[reg["exhausted_batch"].notna()].reset_index(drop=True)
    return Simulated(panel=panel, registry=reg, truth=truth, wide=wide)
