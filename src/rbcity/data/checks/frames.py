"""The shape every rule returns: the findings it raised and how many values it looked at (so a
rule that fires on too large a share of them can say so)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FINDING_COLUMNS = ["unit_id", "year", "indicator_id", "value", "detail"]
MAD_TO_SD = 1.4826  # MAD of a normal sample × this = its standard deviation


@dataclass
class RuleResult:
    """``findings``: unit_id, year, indicator_id, value, detail (dict of the values involved);
    ``n_checked``: values the rule could judge."""

    findings: pd.DataFrame
    n_checked: int


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=FINDING_COLUMNS)


def _plain(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else round(float(v), 6)
    if isinstance(v, float):
        return None if np.isnan(v) else round(v, 6)
    return v


def findings_frame(rows: pd.DataFrame, detail_cols: dict[str, str]) -> pd.DataFrame:
    """``rows`` (with unit_id, year, indicator_id, value and the columns named by ``detail_cols``
    values) as findings whose ``detail`` maps each key to that row's column, JSON-ready."""
    if rows.empty:
        return empty()
    keys = list(detail_cols)
    vals = rows[list(detail_cols.values())].to_numpy(dtype=object)
    details = [{k: _plain(v) for k, v in zip(keys, r, strict=True)} for r in vals]
    return pd.DataFrame({"unit_id": rows["unit_id"].astype(str).to_numpy(),
                         "year": rows["year"].astype("int64").to_numpy(),
                         "indicator_id": rows["indicator_id"].to_numpy(),
                         "value": rows["value"].astype(float).to_numpy(),
                         "detail": details})


def robust_z(x: pd.Series, keys) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(median, MAD-scale, |x − median| / scale) of ``x`` within groups ``keys`` (NaN where the
    scale is zero or undefined)."""
    g = x.groupby(keys)
    med = g.transform("median")
    mad = (x - med).abs().groupby(keys).transform("median") * MAD_TO_SD
    z = (x - med).abs() / mad.where(mad > 0)
    return med, mad, z
