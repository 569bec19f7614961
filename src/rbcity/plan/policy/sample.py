"""From the long panel to the analysis frame: outcome (incl. derived ones), controls, exclusions.

Derived outcomes (``src/rbcity/config/policy_did.yaml``, key ``derived``) are computed when the
panel lacks the indicator itself, e.g. ``gdp_per_capita = gdp / population`` with GDP in 万元 and
population in 万人, which gives 元 per person (万元/万人 = 元/人).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from .treatment import SampleLog, Treatment, assign_cohorts

PANEL_COLUMNS = ("unit_id", "year", "indicator_id", "value")


@lru_cache(maxsize=1)
def config() -> dict:
    text = resources.files("rbcity").joinpath("config/policy_did.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def derived_spec(indicator: str) -> dict | None:
    return config().get("derived", {}).get(indicator)


def _wide(panel: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    sub = panel[panel["indicator_id"].isin(ids)]
    w = sub.pivot_table(index=["unit_id", "year"], columns="indicator_id", values="value", aggfunc="first")
    return w.reindex(columns=ids)


def indicator_series(panel: pd.DataFrame, indicator: str) -> tuple[pd.Series, str | None]:
    """The indicator by (unit_id, year), computing a derived indicator if needed.

    Returns the series and a note saying how it was obtained (None if read as is).
    """
    have = set(panel["indicator_id"].unique())
    if indicator in have:
        return _wide(panel, [indicator])[indicator].rename(indicator), None
    spec = derived_spec(indicator)
    if spec is None:
        raise KeyError(f"indicator {indicator!r} not in panel and not derivable")
    num, den = spec["numerator"], spec["denominator"]
    lacking = [i for i in (num, den) if i not in have]
    if lacking:
        raise KeyError(f"cannot derive {indicator!r}: panel lacks {lacking}")
    w = _wide(panel, [num, den])
    d = w[den].where(w[den] > 0)
    s = (w[num] / d * float(spec["scale"])).rename(indicator)
    return s, f"{indicator} = {num} / {den} × {spec['scale']:g} ({spec['unit']})"


def check_panel(panel: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ValueError(f"panel lacks columns {missing}")
    p = panel.copy()
    p["unit_id"] = p["unit_id"].astype(str)
    p["year"] = p["year"].astype(int)
    p["value"] = pd.to_numeric(p["value"], errors="coerce")
    return p


def build_frame(
    panel: pd.DataFrame,
    outcome: str,
    controls: tuple[str, ...] | list[str],
    treatment: Treatment,
    registry: pd.DataFrame,
    log: SampleLog,
    log_outcome: bool = False,
    control_group: str = "all",
    years: tuple[int, int] | None = None,
) -> tuple[pd.DataFrame, list[str], dict]:
    """Analysis frame ``unit_id, year, y, cohort, x0..`` and the notes on how it was built.

    Exclusions are written to ``log`` (stage ``sample`` or ``control``).
    """
    p = check_panel(panel)
    if years is not None:
        p = p[(p["year"] >= years[0]) & (p["year"] <= years[1])]
    notes: dict = {}
    y, note = indicator_series(p, outcome)
    if note:
        notes["outcome_derivation"] = note
    cols = {"y": y}
    xnames = []
    for j, c in enumerate(controls):
        s, n2 = indicator_series(p, c)
        if n2:
            notes[f"control_derivation_{c}"] = n2
        cols[f"x{j}"] = s
        xnames.append(f"x{j}")
    df = pd.DataFrame(cols).reset_index()
    names = dict(zip(registry["unit_id"].astype(str), registry["name"], strict=False))
    names.update(dict(zip(treatment.units["unit_id"], treatment.units["name"], strict=False)))

    def drop_units(mask_units: set[str], stage: str, reason: str) -> None:
        nonlocal df
        hit = df["unit_id"].isin(mask_units)
        for uid, n in df[hit].groupby("unit_id").size().items():
            log.add(uid, names.get(uid, ""), stage, reason, int(n))
        df = df[~hit]

    # missing values
    if log_outcome:
        bad = df["y"] <= 0
        for uid, n in df[bad].groupby("unit_id").size().items():
            log.add(uid, names.get(uid, ""), "sample", "non-positive outcome (log)", int(n))
        df = df[~bad].assign(y=lambda d: np.log(d["y"]))
    miss = df[["y", *xnames]].isna().any(axis=1) | ~np.isfinite(df[["y", *xnames]]).all(axis=1)
    for uid, n in df[miss].groupby("unit_id").size().items():
        log.add(uid, names.get(uid, ""), "sample", "missing outcome or control (unit-years)", int(n))
    df = df[~miss].copy()

    # exclusions decided by the treatment builder (low grade, contaminated controls)
    drop_units(treatment.exclude, "control", "excluded by treatment builder")
    df["cohort"] = assign_cohorts(df["unit_id"], treatment)

    if control_group == "non_rbc":
        treated_ids = set(treatment.units["unit_id"])
        rbc = set(registry["unit_id"].astype(str)) - {""} - treated_ids
        parents = set(registry["parent_id"].fillna("").astype(str)) - {""} - treated_ids - rbc
        drop_units(rbc, "control", "resource-based city not treated (control_group='non_rbc')")
        drop_units(parents, "control",
                   "holds a resource-based county-level unit (control_group='non_rbc')")
    elif control_group != "all":
        raise ValueError("control_group must be 'all' or 'non_rbc'")

    # treated units absent from the panel
    present = set(df["unit_id"])
    for r in treatment.units.itertuples():
        if r.unit_id not in present:
            log.add(r.unit_id, r.name, "sample", "treated unit without data for the outcome")

    last = int(df["year"].max())
    late = set(df.loc[(df["cohort"] > last), "unit_id"])
    drop_units(late, "sample", f"treated after the sample ends ({last}); no post-period")
    n_pre = df[(df["cohort"] > 0) & (df["year"] < df["cohort"])].groupby("unit_id").size()
    no_pre = {u for u in df.loc[df["cohort"] > 0, "unit_id"].unique() if n_pre.get(u, 0) < 2}
    drop_units(
        no_pre, "sample",
        "treated unit with fewer than 2 pre-treatment observations (did2s cannot impute it)",
    )
    n_by = df.groupby("unit_id")["year"].transform("size")
    drop_units(set(df.loc[n_by < 2, "unit_id"]), "sample", "single observation (singleton)")
    df = df.sort_values(["unit_id", "year"]).reset_index(drop=True)
    return df, xnames, notes
