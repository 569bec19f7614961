"""Outliers among peers: a value far from the other units of the same indicator, year and
administrative level (prefecture cities are not compared with counties)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.data.checks.frames import RuleResult, findings_frame, robust_z


def peer_outlier(obs: pd.DataFrame, p: dict) -> RuleResult:
    """Robust z (median/MAD) of ln(value) within (indicator, year, level) groups of at least
    ``min_peers`` positive values; flags z ≥ ``z``. Amounts and counts are skewed, so the log
    scale; values ≤ 0 and values in a unit listed in ``exclude_units`` (percentages) are not
    judged."""
    use = obs["value"] > 0
    if "unit" in obs and p.get("exclude_units"):
        use &= ~obs["unit"].isin(p["exclude_units"])
    obs = obs[use]
    keys = [obs["indicator_id"], obs["year"], obs["level"]]
    x = np.log(obs["value"])
    n = x.groupby(keys).transform("count")
    med, _, z = robust_z(x, keys)
    z = z.where(n >= p["min_peers"])
    flagged = z >= p["z"]
    rows = obs.assign(peer_median=np.exp(med), z=z, n=n)[flagged.to_numpy()]
    return RuleResult(findings_frame(rows, {"peer_median": "peer_median", "robust_z": "z",
                                            "peers": "n", "level": "level"}), int(z.notna().sum()))
