"""Shapes the engines share: the long store panel → wide / as-of views, the registry key map,
and :class:`EngineOutput`, the one thing every engine returns (long results, a summary and
the list of what it could not compute, with why).

Long panel columns (``rbcity.data.panel.load_panel``): ``unit_id, year, indicator_id, value``
(+ ``unit, source, revision``).  Missing rows mean *no data*; no engine ever reads a missing
value as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RESULT_COLUMNS = ["unit_id", "year", "key", "value", "text"]


@dataclass
class EngineOutput:
    """What one engine run produced (before it is stored)."""

    name: str
    year: int
    results: pd.DataFrame  #: long, :data:`RESULT_COLUMNS`
    summary: dict
    not_computed: list[tuple[str, str]] = field(default_factory=list)  #: (unit_id | '*', reason)


def long_results(frame: pd.DataFrame, year: int, *, values=(), texts=()) -> pd.DataFrame:
    """A per-unit frame (column ``unit_id``) → long results for the given value/text columns."""
    parts = []
    for col in values:
        if col in frame:
            parts.append(pd.DataFrame({"unit_id": frame["unit_id"].to_numpy(), "key": col,
                                       "value": pd.to_numeric(frame[col], errors="coerce")
                                       .to_numpy(dtype=float), "text": None}))
    for col in texts:
        if col in frame:
            t = frame[col].astype(object)
            parts.append(pd.DataFrame({"unit_id": frame["unit_id"].to_numpy(), "key": col,
                                       "value": np.nan,
                                       "text": t.where(t.notna(), None).to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["year"] = int(year)
    return out[RESULT_COLUMNS]


def registry_key_map(registry: pd.DataFrame) -> dict[str, str]:
    """Code → registry ``unit_id``: the 2013 id itself, plus today's code where a registry unit
    was renamed/re-coded one-to-one (九台市 220181 → 九台区 220113).  Merged units with several
    successors (莱芜市 → 济南市) are *not* mapped, so 济南市 never counts as on the 2013 list."""
    m = {u: u for u in registry["unit_id"]}
    for u, now in zip(registry["unit_id"], registry["admin_codes_now"], strict=True):
        codes = [c for c in str(now or "").split(";") if c]
        if len(codes) == 1 and codes[0] not in m:
            m[codes[0]] = u
    return m


def to_registry_ids(panel: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """``panel`` with unit ids translated to registry ids where a one-to-one successor code was
    used; when both the 2013 id and its successor code carry a value, the 2013 id wins."""
    m = registry_key_map(registry)
    ids = panel["unit_id"].astype(str)
    mapped = ids.map(m).fillna(ids)
    if (mapped == ids).all():
        return panel
    out = panel.assign(unit_id=mapped, _direct=(mapped == ids))
    out = (out.sort_values("_direct")
           .drop_duplicates(["unit_id", "year", "indicator_id"], keep="last")
           .drop(columns="_direct"))
    return out


def wide(panel: pd.DataFrame, indicators=None, years=None, units=None) -> pd.DataFrame:
    """Long panel → wide frame indexed by (unit_id, year) with one column per indicator (all
    ``indicators`` present as columns, NaN where the store has no value)."""
    p = panel
    if indicators is not None:
        p = p[p["indicator_id"].isin(list(indicators))]
    if years is not None:
        p = p[p["year"].isin(list(years))]
    if units is not None:
        p = p[p["unit_id"].isin(list(units))]
    w = p.pivot_table(index=["unit_id", "year"], columns="indicator_id", values="value",
                      aggfunc="last")
    w.columns.name = None
    if indicators is not None:
        w = w.reindex(columns=list(indicators))
    return w


def as_of(panel: pd.DataFrame, indicators, year: int, max_age: int,
          units=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Latest value of each indicator at or before ``year`` and at most ``max_age`` years old.

    Returns ``(values, years_used)``: two frames indexed by unit_id with one column per
    indicator (NaN = no observation in the window)."""
    ind = list(indicators)
    p = panel[panel["indicator_id"].isin(ind) & (panel["year"] <= year)
              & (panel["year"] >= year - max_age)]
    if units is not None:
        p = p[p["unit_id"].isin(list(units))]
    p = p.dropna(subset=["value"]).sort_values("year")
    last = p.groupby(["unit_id", "indicator_id"], sort=False).tail(1)
    vals = last.pivot(index="unit_id", columns="indicator_id", values="value").reindex(columns=ind)
    yrs = last.pivot(index="unit_id", columns="indicator_id", values="year").reindex(columns=ind)
    vals.columns.name = yrs.columns.name = None
    if units is not None:
        vals = vals.reindex(list(units))
        yrs = yrs.reindex(list(units))
    return vals, yrs


def years_with(panel: pd.DataFrame, indicators) -> list[int]:
    """Years in which any of ``indicators`` has a value."""
    p = panel[panel["indicator_id"].isin(list(indicators))].dropna(subset=["value"])
    return sorted(int(y) for y in p["year"].unique())


def unit_level(unit_id: str, registry_levels: dict[str, str] | None = None) -> str:
    """``prefecture`` | ``county`` | ``province`` for a unit id (registry level when known;
    else from the GB/T 2260 code pattern: xxyy00 prefecture, xx0000 province (the four
    municipalities count as prefecture-level), anything else county-level)."""
    if registry_levels and unit_id in registry_levels:
        return "prefecture" if registry_levels[unit_id] == "prefecture" else "county"
    u = str(unit_id)
    if len(u) != 6 or not u.isdigit():
        return "county"
    if u.endswith("0000"):
        return "prefecture" if u[:2] in ("11", "12", "31", "50") else "province"
    if u.endswith("00"):
        return "prefecture"
    return "county"
