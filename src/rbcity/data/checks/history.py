"""Rules on one value's own series (a city's indicator over the years): year-on-year breaks
robust to the indicator's volatility, scale errors by powers of ten, values repeated verbatim.

``obs`` is the long panel (``unit_id, year, indicator_id, value`` …) sorted by unit, indicator,
year with a fresh index, as :func:`rbcity.data.checks.run.run_checks` passes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.data.checks.frames import MAD_TO_SD, RuleResult, findings_frame

KEYS = ["unit_id", "indicator_id"]


def series_id(obs: pd.DataFrame) -> pd.Series:
    """One integer per (unit, indicator) series: ``obs['sid']`` when the caller set it (string
    keys are factorised once, not by every groupby), else computed."""
    if "sid" in obs:
        return obs["sid"]
    return obs.groupby(KEYS, sort=False).ngroup()


def _prev(obs: pd.DataFrame, col: str, k: int = 1) -> pd.Series:
    return obs[col].groupby(series_id(obs)).shift(k)


def yoy_break(obs: pd.DataFrame, p: dict) -> RuleResult:
    """Flag year t when d = ln(v_t / v_prev) departs from the city's median change by at least
    ``z`` robust scales (the larger of the city's and the indicator's MAD of changes) and by at
    least ln(``min_ratio``). A break in followed by the opposite break out flags the middle year
    only (a spike); a lasting shift flags its first year."""
    v = obs["value"].where(obs["value"] > 0)
    prev_v, prev_y = _prev(obs, "value"), _prev(obs, "year")
    gap = obs["year"] - prev_y
    with np.errstate(divide="ignore", over="ignore"):
        d = np.log(v) - np.log(prev_v.where(prev_v > 0))
    d = d.where(gap <= p["max_gap"])
    sid = series_id(obs)
    n = obs["value"].groupby(sid).transform("count")
    d = d.where(n >= p["min_years"])
    keys = sid
    med = d.groupby(keys).transform("median")
    dev = d - med
    mad_city = dev.abs().groupby(keys).transform("median")
    mad_ind = dev.abs().groupby(obs["indicator_id"].to_numpy()).transform("median")
    scale = MAD_TO_SD * np.maximum(mad_city.fillna(0), mad_ind.fillna(0))
    z = dev.abs() / scale.where(scale > 0)
    brk = (z >= p["z"]) & (dev.abs() >= np.log(p["min_ratio"]))
    sign = np.sign(dev)
    prev_brk = brk.groupby(keys).shift(1, fill_value=False).astype(bool)
    prev_sign = sign.groupby(keys).shift(1)
    # the jump back out of a spike is not a second break
    flagged = brk & ~(prev_brk & (prev_sign == -sign))
    sel = flagged.to_numpy()
    rows = obs.assign(prev_year=prev_y, prev_value=prev_v, z=z)[sel].assign(
        ratio=np.exp(d[sel]), typical_change=np.exp(med[sel]))
    return RuleResult(findings_frame(rows, {"prev_year": "prev_year", "prev_value": "prev_value",
                                            "ratio": "ratio", "robust_z": "z",
                                            "typical_ratio": "typical_change"}), int(d.notna().sum()))


def scale_error(obs: pd.DataFrame, p: dict) -> RuleResult:
    """Flag a value whose ratio to the median of its neighbours (up to two available years
    either side, which agree within ``max_neighbour_spread``) is within ``tol`` of a power of
    ten 10^k, k ≠ 0 — a unit slip (万/亿, 元/万元, % vs ratio) rather than a real change."""
    g = obs["value"].groupby(series_id(obs))
    near = pd.concat([g.shift(k) for k in (2, 1, -1, -2)], axis=1)
    n_near = near.notna().sum(axis=1)
    pos = near.where(near > 0)
    ref = pos.median(axis=1, skipna=True)
    steady = pos.max(axis=1) / pos.min(axis=1) <= p["max_neighbour_spread"]
    ok = (n_near >= min(p["min_years"], 4)) & (obs["value"] > 0) & (ref > 0) & steady
    r = np.log10(obs["value"].where(ok) / ref.where(ok))
    k = r.round()
    flagged = (k != 0) & ((r - k).abs() <= p["tol"]) & r.notna()
    rows = obs.assign(reference=ref, log10_ratio=r, power=k)[flagged.to_numpy()]
    return RuleResult(findings_frame(rows, {"neighbour_median": "reference", "log10_ratio": "log10_ratio",
                                            "power_of_ten": "power"}), int(r.notna().sum()))


def repeated_value(obs: pd.DataFrame, p: dict) -> RuleResult:
    """Flag a non-zero value equal, to the last digit, to the same city's value of the year
    before (a number copied forward); indicators in ``exclude`` may legitimately repeat."""
    use = ~obs["indicator_id"].isin(p.get("exclude") or [])
    prev_v, prev_y = _prev(obs, "value"), _prev(obs, "year")
    judged = use & (obs["year"] - prev_y == 1) & (obs["value"] != 0)
    same = judged & (obs["value"] == prev_v)
    rows = obs.assign(prev_year=prev_y)[same.to_numpy()]
    return RuleResult(findings_frame(rows, {"same_as_year": "prev_year"}), int(judged.sum()))
