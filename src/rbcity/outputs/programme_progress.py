"""规划专项进展 The plan's programme targets with their progress, as the national report, the
terminal and the web's ``/programmes`` page show them — one table builder for all of them.

Progress comes from the targets engine (``rbcity.plan.targets``), never computed here:

* :func:`national_progress` — the nation, from a targets run's summary (what the report uses);
* :func:`unit_progress` — one row of the run's wide results: ``national``, ``province:<省>`` or
  a city code, with the cities of that scope that reported a value counted;
* :func:`programme_rows` — the 16 programme targets of ``config/programmes.yaml`` in plan
  order with that progress: value, share of the target, share of cities reporting, status
  (``no_data`` when nobody reported; ``not_evaluated`` with the reason for a target no city
  reports). For a province or a city, the national-only targets (cumulative, count) show the
  running total and its share of the *national* target with the status ``reported`` — the
  engine's contribution rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from rbcity.data.programmes import load_programmes
from rbcity.outputs.terms import lang_part


def as_float(v) -> float | None:
    """A stored value as a float; None for missing, NaN or text (the report uses it too)."""
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def national_progress(summary: Mapping | None) -> dict[str, dict]:
    """indicator_id → the nation's progress from a targets run summary (``summary["targets"]``)."""
    out = {}
    for r in (summary or {}).get("targets") or []:
        out[r["indicator_id"]] = {"value": as_float(r.get("national_value")), "share": as_float(r.get("national_share")),
                                  "status": r.get("national_status"), "n_reporting": r.get("n_reporting"),
                                  "n_units": r.get("n_units")}
    return out


def unit_progress(wide: pd.DataFrame, key: str, cities: Iterable[str]) -> dict[str, dict]:
    """indicator_id → progress of the results row ``key`` of a wide targets frame (``unit_id``
    plus ``<indicator>.<field>`` columns); ``n_reporting`` counts the ``cities`` (the scope's
    registry cities) whose own row has a value, ``n_units`` how many they are."""
    if wide is None or wide.empty or "unit_id" not in wide:
        return {}
    by_unit = wide.set_index(wide["unit_id"].astype(str))
    cities = [c for c in cities if c in by_unit.index]
    n_units = len(cities)
    inds = sorted({c.split(".", 1)[0] for c in wide.columns if c.endswith(".status")})
    row = by_unit.loc[key] if key in by_unit.index else None
    if isinstance(row, pd.DataFrame):  # one row per unit in a run; keep the first if not
        row = row.iloc[0]
    out = {}
    for ind in inds:
        col = f"{ind}.value"
        k = int(by_unit.loc[cities, col].notna().sum()) if col in by_unit and cities else 0
        status = row.get(f"{ind}.status") if row is not None else None
        out[ind] = {"value": as_float(row.get(col)) if row is not None else None,
                    "share": as_float(row.get(f"{ind}.share_covered")) if row is not None else None,
                    "status": status if isinstance(status, str) and status else "no_data",
                    "n_reporting": k, "n_units": n_units}
    return out


def programme_rows(progress: Mapping[str, Mapping], lang: str) -> list[dict]:
    """The plan's programme targets (config/programmes.yaml) with ``progress`` (indicator →
    value, share, status, n_reporting, n_units): value, share of the target, share of cities
    reporting, status (no_data when nobody reported; ``not_evaluated`` with the reason for a
    target no city reports)."""
    rows = []
    for p in load_programmes().itertuples(index=False):
        if p.kind != "target":
            continue
        r = progress.get(p.indicator_id) if isinstance(p.indicator_id, str) else None
        n, k = (r or {}).get("n_units"), (r or {}).get("n_reporting")
        rows.append({"id": p.id, "programme": p.programme, "target": p.target, "unit": p.unit,
                     "indicator_id": p.indicator_id if isinstance(p.indicator_id, str) else None,
                     "type": p.type, "comparator": p.comparator, "quantity": p.quantity,
                     "year": None if pd.isna(p.year) else int(p.year),
                     "value": as_float((r or {}).get("value")),
                     "share": as_float((r or {}).get("share")),
                     "n_reporting": k, "n_units": n,
                     "reporting": k / n if n and k is not None else None,
                     "status": "not_evaluated" if isinstance(p.not_evaluated, str)
                     else (r or {}).get("status") or "no_data",
                     "reason": lang_part(p.not_evaluated, lang) if isinstance(p.not_evaluated, str) else ""})
    return rows


def baseline_facts() -> list[dict]:
    """The plan's 5 verified baseline facts (context; nothing is computed from them)."""
    return [{"id": p.id, "programme": p.programme, "target": p.target, "quantity": p.quantity, "unit": p.unit,
             "related_indicator": p.related_indicator if isinstance(p.related_indicator, str) else None}
            for p in load_programmes().itertuples(index=False) if p.kind == "baseline_fact"]
