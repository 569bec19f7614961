"""规划评估 Periodic evaluation: attainment of every catalogue target by city, type, province
and nationally — value vs baseline vs target, share of the way covered, status
(achieved / on_track / off_track / no_data), SDG-style trend arrow and a linear projection to
the target year.

Target modes (catalogue ``mode``): ``level`` (reach ``target_value``), ``change`` (move
``target_value`` from the baseline, e.g. +6 points), ``cumulative`` (the sum of yearly flows
after the baseline year reaches ``target_value``, e.g. 500万 re-employed), ``count`` (items in
place — parks, bases, demonstration cities — summed over the cities, e.g. 100 园区).  No value ≠
zero ≠ achieved: a unit without an observation is ``no_data`` and is left out of group aggregates.

Cumulative and count targets are national (the plan sets no city shares): the nation gets a
status; a city or a province gets its running total, its share of the national target and the
status ``reported``.  Every target's summary row counts the cities reporting it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.methods.trend import linear_projection, trend_arrows
from rbcity.plan.cards import targets_card
from rbcity.plan.frames import EngineOutput, long_results, to_registry_ids

FIELDS_V = ("value", "baseline", "target", "share_covered", "projection")
FIELDS_T = ("status", "arrow")
#: modes whose target is national only: units and sub-national groups contribute to it
NATIONAL_ONLY = ("cumulative", "count")
CMP = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


def _direction(comparator: str) -> int:
    return -1 if comparator in ("<=", "<") else 1


def _holds(x, tgt, comparator):
    f = CMP.get(comparator)
    if f is None:  # "=" / "~": within 1 % of the target
        return np.isclose(x, tgt, rtol=0.01)
    return f(x, tgt)


def _matrix(panel: pd.DataFrame, indicator: str, units: list[str], year: int,
            cumulative_from: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(T, m) series of ``indicator`` up to ``year`` (cumulated after ``cumulative_from``)."""
    p = panel[(panel["indicator_id"] == indicator) & (panel["year"] <= year)]
    p = p.dropna(subset=["value"])
    if cumulative_from is not None:
        p = p[p["year"] > cumulative_from]
    if p.empty:
        return np.empty((0, len(units))), np.empty(0)
    w = p.pivot_table(index="year", columns="unit_id", values="value", aggfunc="last")
    w = w.reindex(columns=units)
    X = w.to_numpy(dtype=float)
    if cumulative_from is not None:
        # running total of reported flows; it persists after a unit's last report
        started = np.cumsum(~np.isnan(X), axis=0) > 0
        X = np.where(started, np.nancumsum(X, axis=0), np.nan)
    return X, w.index.to_numpy(dtype=float)


def _evaluate(X: np.ndarray, yrs: np.ndarray, base: np.ndarray, tgt: np.ndarray, t: dict,
              year: int, spec: dict) -> dict:
    """All fields for the columns of X (units or groups) against one target."""
    m = X.shape[1]
    age = int(spec.get("max_age_years", 5))
    value = np.full(m, np.nan)
    if len(yrs):
        ok = yrs >= year - age
        Xa = X[ok]
        if len(Xa):
            filled = pd.DataFrame(Xa).ffill().to_numpy()
            value = filled[-1]
    comparator = t["comparator"] or ">="
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (value - base) / (tgt - base)
    share = np.where(np.isfinite(share), share, np.nan)
    ty = int(t["target_year"])
    proj = np.full(m, np.nan)
    arrows = np.full(m, "•", dtype=object)
    if len(yrs) >= 2:
        proj = linear_projection(X, yrs, to_year=ty).point
        eff_ty = max(ty, int(yrs.max()) + 1)
        tgt_arr = np.where(np.isnan(tgt), np.nan, tgt)
        _, arrows = trend_arrows(X, yrs, target=tgt_arr, target_year=eff_ty,
                                 direction=_direction(comparator),
                                 window=spec.get("trend_window_years", 5),
                                 threshold=spec.get("trend_threshold", 0.5))
    n_obs = (~np.isnan(X)).sum(axis=0) if len(yrs) else np.zeros(m, int)
    status = np.full(m, "no_data", dtype=object)
    have = ~np.isnan(value) & ~np.isnan(tgt)
    achieved = have & _holds(np.nan_to_num(value), np.nan_to_num(tgt), comparator)
    by_proj = have & (n_obs >= 3) & ~np.isnan(proj) & _holds(np.nan_to_num(proj),
                                                             np.nan_to_num(tgt), comparator)
    by = t.get("baseline_year")
    if by is not None and not pd.isna(by) and ty > int(by):
        elapsed = min(max((year - int(by)) / (ty - int(by)), 0.0), 1.0)
    else:
        elapsed = np.nan
    by_sched = have & (n_obs < 3) & ~np.isnan(share) & (share >= elapsed)
    status = np.where(have, np.where(achieved, "achieved",
                                     np.where(by_proj | by_sched, "on_track", "off_track")),
                      status)
    arrows = np.where(np.isnan(value), "•", arrows)
    return {"value": value, "baseline": base, "target": tgt, "share_covered": share,
            "projection": proj, "status": status, "arrow": arrows}


def _as_contribution(ev: dict, tv: float, keep: np.ndarray | None = None) -> None:
    """Columns of a national-only target that are not the nation: no own target; share covered is
    the share of the national target; status ``reported`` where a value exists (else no_data)."""
    keep = np.zeros(len(ev["value"]), bool) if keep is None else keep
    has = ~np.isnan(ev["value"])
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = ev["value"] / tv if tv else np.full(len(has), np.nan)
    ev["share_covered"] = np.where(keep, ev["share_covered"], contrib)
    ev["target"] = np.where(keep, ev["target"], np.nan)
    ev["status"] = np.where(keep, ev["status"], np.where(has, "reported", "no_data"))


def _incomplete(ev: dict, i: int, n_reporting: int, n_units: int, spec: dict) -> None:
    """A national total summed from too few reporting cities is a lower bound: it can show a
    target achieved or on track (more reports only add), but not behind — that status becomes
    ``incomplete`` (填报不全) below ``min_reporting_share`` of the cities (config/targets.yaml)."""
    need = float(spec.get("min_reporting_share", 0.8))
    if ev["status"][i] != "off_track" or n_units == 0 or n_reporting >= need * n_units:
        return
    ev["status"] = np.asarray(ev["status"], dtype=object).copy()
    ev["status"][i] = "incomplete"


def _groups(registry: pd.DataFrame, units: list[str], spec: dict) -> dict[str, np.ndarray]:
    """Group key → boolean mask over ``units``."""
    reg = registry.set_index("unit_id").reindex(units)
    out = {}
    wanted = spec.get("groups", ["national", "type", "province"])
    if "national" in wanted:
        out["national"] = np.ones(len(units), bool)
    if "type" in wanted:
        for ty in sorted(reg["type_2013"].dropna().unique()):
            out[f"type:{ty}"] = (reg["type_2013"] == ty).to_numpy()
    if "province" in wanted:
        for pv in sorted(reg["province"].dropna().unique()):
            out[f"province:{pv}"] = (reg["province"] == pv).to_numpy()
    return out


def _agg(X: np.ndarray, mask: np.ndarray, how: str) -> np.ndarray:
    sub = X[:, mask] if X.ndim == 2 else X[mask]
    if sub.size == 0:
        return np.full(X.shape[0] if X.ndim == 2 else 1, np.nan)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if how == "sum":
                s = np.nansum(sub, axis=-1)
                return np.where(np.isnan(sub).all(axis=-1), np.nan, s)
            if how == "median":
                return np.nanmedian(sub, axis=-1)
            return np.nanmean(sub, axis=-1)


def run_targets(panel: pd.DataFrame, registry: pd.DataFrame, targets: pd.DataFrame,
                spec: dict, year: int) -> EngineOutput:
    """Evaluate every target for every registry city and every group for ``year``."""
    panel = to_registry_ids(panel, registry)
    units = list(registry["unit_id"])
    groups = _groups(registry, units, spec)
    parts, summary_rows, not_computed = [], [], []
    for _, t in targets.iterrows():
        ind, mode = t["indicator_id"], (t["mode"] or "level")
        by = None if pd.isna(t["baseline_year"]) else int(t["baseline_year"])
        cum_from = by if mode == "cumulative" else None
        X, yrs = _matrix(panel, ind, units, year, cum_from)
        # baselines per unit
        if mode in NATIONAL_ONLY:
            base_u = np.zeros(len(units))
        elif not pd.isna(t["baseline_value"]):
            base_u = np.full(len(units), float(t["baseline_value"]))
        elif by is not None:
            Xb, yb = _matrix(panel, ind, units, by, None)
            ok = yb >= by - int(spec.get("baseline_max_age_years", 2))
            base_u = (pd.DataFrame(Xb[ok]).ffill().to_numpy()[-1] if ok.any()
                      else np.full(len(units), np.nan))
        else:
            base_u = np.full(len(units), np.nan)
        tv = float(t["target_value"])
        tgt_u = base_u + tv if mode == "change" else np.full(len(units), tv)
        national_only = mode in NATIONAL_ONLY and not spec.get("cumulative_per_unit", False)
        how = spec.get("group_aggregate", {}).get(mode, "mean")
        # groups: aggregate the unit series year by year, and the baselines
        gkeys = list(groups)
        if len(yrs):
            GX = np.column_stack([_agg(X, groups[g], how) for g in gkeys])
        else:
            GX = np.empty((0, len(gkeys)))
        gbase = np.array([float(_agg(base_u[None, :], groups[g], how)[0])
                          if mode not in NATIONAL_ONLY else 0.0 for g in gkeys])
        if not pd.isna(t["baseline_value"]) and mode not in NATIONAL_ONLY:
            gbase = np.full(len(gkeys), float(t["baseline_value"]))
        gtgt = gbase + tv if mode == "change" else np.full(len(gkeys), tv)
        if national_only:
            tgt_u = np.full(len(units), np.nan)
            gtgt = np.array([tv if g == "national" else np.nan for g in gkeys])
        ev_u = _evaluate(X, yrs, base_u, tgt_u, t, year, spec)
        ev_g = _evaluate(GX, yrs, gbase, gtgt, t, year, spec)
        if national_only:
            _as_contribution(ev_u, tv)
            _as_contribution(ev_g, tv, keep=np.array([g == "national" for g in gkeys]))
        n_reporting = int((~np.isnan(ev_u["value"])).sum())
        if national_only and "national" in gkeys:
            _incomplete(ev_g, gkeys.index("national"), n_reporting, len(units), spec)
        frames = [pd.DataFrame({"unit_id": units, **ev_u}), pd.DataFrame({"unit_id": gkeys, **ev_g})]
        f = pd.concat(frames, ignore_index=True)
        f = f.rename(columns={c: f"{ind}.{c}" for c in (*FIELDS_V, *FIELDS_T)})
        parts.append(long_results(f, year, values=[f"{ind}.{c}" for c in FIELDS_V],
                                  texts=[f"{ind}.{c}" for c in FIELDS_T]))
        nat = dict(zip(gkeys, ev_g["status"], strict=True)).get("national", "no_data")
        counts = pd.Series(ev_u["status"]).value_counts().to_dict()
        summary_rows.append({
            "indicator_id": ind, "mode": mode, "target_year": int(t["target_year"]),
            "n_units": len(units), "n_reporting": n_reporting,
            "share_reporting": n_reporting / len(units) if units else None,
            "target_value": tv, "comparator": t["comparator"], "national_status": nat,
            "national_value": float(ev_g["value"][gkeys.index("national")])
            if "national" in gkeys else None,
            "national_share": float(ev_g["share_covered"][gkeys.index("national")])
            if "national" in gkeys else None,
            "units_by_status": {k: int(v) for k, v in counts.items()},
            "source": t.get("source", ""),
        })
        if not len(yrs) or np.isnan(X).all():
            not_computed.append(("*", f"target {ind} ({mode}, {t['target_year']}): "
                                      f"no data for {ind} at or before {year} in the store"))
    results = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=["unit_id", "year", "key", "value", "text"]))
    summary = {"targets": summary_rows, "n_targets": len(summary_rows),
               "groups": len(groups)}
    if targets.empty:
        not_computed.append(("*", "no targets in the catalogue or the store"))
    summary["validity"] = targets_card(summary, spec).to_dict()
    return EngineOutput("targets", year, results, summary, not_computed)
