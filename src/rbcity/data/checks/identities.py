"""Accounting identities between indicators of one unit-year: a per-capita value against its
total and population, shares that make a whole, components that cannot exceed their total."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.data.checks.frames import RuleResult, empty, findings_frame


def _wide(obs: pd.DataFrame) -> pd.DataFrame:
    w = obs.pivot(index=["unit_id", "year"], columns="indicator_id", values="value")
    w.columns.name = None
    return w


def _rows(w: pd.DataFrame, mask: pd.Series, indicator: str, extra: dict) -> pd.DataFrame:
    sel = mask.fillna(False).to_numpy(dtype=bool)
    out = pd.DataFrame({"indicator_id": indicator, "value": w[indicator][sel]}, index=w.index[sel])
    for k, s in extra.items():
        out[k] = s.to_numpy()[sel] if isinstance(s, pd.Series) else s
    return out.reset_index()


def identity(obs: pd.DataFrame, p: dict) -> RuleResult:
    """per_capita: |ln(stored / (total / population · factor))| > ln(1 + tol) flags the per-capita
    value; shares_sum: |Σ parts − total| > tol flags the last part; component_le_total:
    component > total · factor flags the component."""
    w = _wide(obs)
    parts, n = [], 0
    for r in p.get("per_capita") or []:
        if not {r["value"], r["total"], r["population"]} <= set(w.columns):
            continue
        calc = w[r["total"]] / w[r["population"]] * r.get("factor", 1.0)
        ok = (w[r["value"]] > 0) & (calc > 0)
        n += int(ok.sum())
        dev = np.log(w[r["value"]].where(ok) / calc.where(ok)).abs()
        parts.append(_rows(w, dev > np.log1p(r["tol"]), r["value"],
                           {"check": f"{r['value']} ≈ {r['total']} / {r['population']}", "computed": calc,
                            "total": w[r["total"]], "population": w[r["population"]]}))
    for r in p.get("shares_sum") or []:
        if not set(r["parts"]) <= set(w.columns):
            continue
        total = w[r["parts"]].sum(axis=1, min_count=len(r["parts"]))
        n += int(total.notna().sum())
        parts.append(_rows(w, (total - r["total"]).abs() > r["tol"], r["parts"][-1],
                           {"check": f"Σ {'+'.join(r['parts'])} ≈ {r['total']}", "computed": total,
                            "total": float(r["total"]), "population": np.nan}))
    for r in p.get("component_le_total") or []:
        if not {r["component"], r["total"]} <= set(w.columns):
            continue
        bound = w[r["total"]] * r.get("factor", 1.0)
        n += int((w[r["component"]].notna() & bound.notna()).sum())
        parts.append(_rows(w, w[r["component"]] > bound, r["component"],
                           {"check": f"{r['component']} ≤ {r.get('factor', 1.0):g} × {r['total']}",
                            "computed": bound, "total": w[r["total"]], "population": np.nan}))
    parts = [x for x in parts if len(x)]
    if not parts:
        return RuleResult(empty(), n)
    rows = pd.concat(parts, ignore_index=True)
    return RuleResult(findings_frame(rows, {"check": "check", "computed": "computed", "total": "total",
                                            "population": "population"}), n)
