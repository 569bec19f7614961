"""预警 Early warning: five levels 无警/轻警/中警/重警/巨警 (green/blue/yellow/orange/red) per
registry city from a composite safety score (0–100, higher = safer), configurable bands, a
trend trigger (score falling two evaluated years running raises one level) and hard triggers
from single indicators (e.g. cumulative extraction ≥ 70 % of recoverable reserves, where the
store has it).  Each warning carries its reasons and its top obstacle indicators (障碍度).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from rbcity.methods.obstacle import obstacle_degree
from rbcity.methods.spec import IndexSpec, composite_index
from rbcity.plan.frames import EngineOutput, as_of, long_results, to_registry_ids, years_with
from rbcity.plan.warning_reference import reference_bands, reference_scores, warning_card

LEVELS = (("无警", "green", "no warning"), ("轻警", "blue", "light"), ("中警", "yellow", "moderate"),
          ("重警", "orange", "heavy"), ("巨警", "red", "severe"))
OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


def band_level(score, bands) -> np.ndarray:
    """Level 0..4 from a 0–100 score: ``bands`` are the descending lower edges of levels
    0..3 (default [80, 60, 40, 20]); NaN → -1."""
    s = np.asarray(score, float)
    lv = np.full(s.shape, len(bands), dtype=int)
    for i, edge in reversed(list(enumerate(bands))):
        lv = np.where(s >= edge, np.minimum(lv, i), lv)
    return np.where(np.isnan(s), -1, lv)


def relative_bands(S: np.ndarray, years: list[int], spec: dict) -> list[float]:
    """Band edges ``μ + k·σ`` of the scores of the base year (``relative_base_year``, default
    the first evaluated year), one per ``relative_k`` (descending), clipped to [0, 100]."""
    base = spec.get("relative_base_year") or years[0]
    s = S[years.index(base)] if base in years else S[0]
    s = s[~np.isnan(s)]
    if s.size < 2:
        return list(spec.get("bands", [80, 60, 40, 20]))
    mu, sd = float(s.mean()), float(s.std())
    ks = spec.get("relative_k", [1.0, 0.25, -0.25, -1.0])
    return [float(np.clip(mu + k * sd, 0, 100)) for k in ks]


def falling_run(scores: np.ndarray, years: np.ndarray, n: int, max_gap: int) -> np.ndarray:
    """Per unit (columns of ``scores`` (T, m)): did the score fall in each of the last ``n``
    steps between consecutive evaluated years (gaps ≤ ``max_gap``) ending in the last year?"""
    T, m = scores.shape
    out = np.zeros(m, bool)
    if T < n + 1:
        return out
    ys = years[-(n + 1):]
    if np.any(np.diff(ys) > max_gap):
        return out
    S = scores[-(n + 1):]
    d = np.diff(S, axis=0)
    return np.all(d < 0, axis=0) & ~np.isnan(S).any(axis=0)


def catalogue_ids() -> set[str]:
    """Indicator ids the catalogue can import (hard triggers only fire on these)."""
    from rbcity.data.catalogue import load_catalogue

    return set(load_catalogue()["indicator_id"].astype(str))


def run_warning(panel: pd.DataFrame, registry: pd.DataFrame, spec: dict,
                year: int, catalogue=None) -> EngineOutput:
    """Warning level of every registry city for ``year``.

    With ``reference_year`` in the spec (default: the plan's 2012 baseline) every run
    normalises with the reference year's goalposts and draws its bands from the reference
    year's scores, so levels of different runs are comparable; without it (legacy) the scores
    are min–max over the evaluated years.  ``catalogue``: importable indicator ids (default:
    the catalogue's)."""
    panel = to_registry_ids(panel, registry)
    units = list(registry["unit_id"])
    ispec = IndexSpec.from_dict(dict(spec["index"], indicators=[
        {"name": i["name"], "direction": int(i.get("direction", 1)),
         "dimension": i.get("dimension")} for i in spec["index"]["indicators"]]))
    age = int(spec.get("max_age_years", 3))
    eval_years = [y for y in years_with(panel, ispec.names) if y <= year]
    if year not in eval_years:
        eval_years.append(year)
    frames, used = [], {}
    panel_i = panel[panel["indicator_id"].isin(ispec.names)]
    for y in eval_years:
        v, yu = as_of(panel_i, ispec.names, y, age, units=units)
        v.index = pd.MultiIndex.from_product([v.index, [y]], names=["unit", "year"])
        frames.append(v)
        used[y] = yu
    W = pd.concat(frames)
    yrs_sorted = sorted(eval_years)
    uidx = {u: i for i, u in enumerate(sorted(units))}
    order = [uidx[u] for u in units]  # composite_index sorts units; put back registry order
    t_last = yrs_sorted.index(year)
    not_computed = []
    ref = spec.get("reference_year")
    ref_info = None
    if ref is not None:
        ref = int(ref)
        ref_vals, _ = as_of(panel_i, ispec.names, ref, age, units=units)
        X = np.stack([W.xs(y, level="year").reindex(units)[ispec.names].to_numpy(float)
                      for y in yrs_sorted])
        res = reference_scores(X, ref_vals.to_numpy(float), ispec, spec)
        S, R, ref_scores = res.scores * 100.0, res.normalised, res.reference_scores * 100.0
        if np.isnan(ref_scores).all():
            not_computed.append(("*", f"warning: 参照年 {ref} 无得分，无法划定警级 the reference "
                                      f"year {ref} has no scores: no level can be set (no "
                                      f"fallback to another year)"))
            bands = [float("nan")] * len(spec.get("relative_k", [1.0, 0.25, -0.25, -1.0]))
        else:
            bands = (reference_bands(ref_scores, spec) if spec.get("band_mode") == "relative"
                     else list(spec.get("bands", [80, 60, 40, 20])))
        ref_info = {"year": ref, "n": int((~np.isnan(ref_scores)).sum())}
        w = res.weights
        coverage = res.coverage[t_last]
    else:  # legacy: min–max over the evaluated years, bands from the base year
        res = composite_index(W[ispec.names], ispec, details=True)
        S = res.scores[:, order] * 100.0  # (T, m)
        R = res.normalised[:, order, :]
        bands = relative_bands(S, yrs_sorted, spec) if spec.get("band_mode") == "relative" \
            else list(spec.get("bands", [80, 60, 40, 20]))
        w = res.weights if res.weights.ndim == 1 else res.weights[t_last]
        coverage = (~np.isnan(R[t_last])).mean(axis=1)
    score = S[t_last]
    level = band_level(score, bands)
    reasons: list[list[str]] = [[] for _ in units]
    for i, s in enumerate(score):
        if level[i] >= 0:
            hi = round(bands[level[i] - 1], 1) if level[i] > 0 else 100
            lo = round(bands[level[i]], 1) if level[i] < len(bands) else 0
            reasons[i].append(f"综合安全得分 {s:.1f} 位于 [{lo}, {hi}) → {LEVELS[level[i]][0]} / "
                              f"safety score {s:.1f} in [{lo}, {hi}) → {LEVELS[level[i]][1]}")
    # trend trigger over the evaluated years up to the assessed year
    tt = spec.get("trend_trigger") or {}
    if tt:
        S_hist = S[: t_last + 1]
        fall = falling_run(S_hist, np.array(yrs_sorted[: t_last + 1]),
                           int(tt.get("falling_years", 2)), int(tt.get("max_gap_years", 1)))
        raise_by = int(tt.get("raise_levels", 1))
        n = int(tt.get("falling_years", 2))
        for i in np.where(fall & (level >= 0))[0]:
            new = min(level[i] + raise_by, 4)
            path = " → ".join(f"{y} {S_hist[k, i]:.1f}" for k, y in
                              enumerate(yrs_sorted[: t_last + 1]) if k >= t_last - n)
            reasons[i].append(f"得分连续{n}年下降（{path}），升至{LEVELS[new][0]} / score fell "
                              f"{n} years running ({path}), raised to {LEVELS[new][1]}")
            level[i] = new
    # hard triggers: only on indicators the catalogue can import
    known = catalogue_ids() if catalogue is None else set(catalogue)
    for trig in spec.get("hard_triggers") or []:
        ind = trig["indicator"]
        if ind not in known:
            not_computed.append(("*", f"hard trigger {ind} {trig['op']} {trig['threshold']}: "
                                      f"未计算 not computed — {ind} is not an importable "
                                      f"indicator (not in the catalogue)"))
            continue
        v, _ = as_of(panel, [ind], year, age, units=units)
        x = v[ind].to_numpy(float)
        if np.isnan(x).all():
            not_computed.append(("*", f"hard trigger {ind} {trig['op']} {trig['threshold']}: "
                                      f"no data for {ind} in the store"))
            continue
        hit = OPS[trig["op"]](np.nan_to_num(x, nan=-np.inf if ">" in trig["op"] else np.inf),
                              trig["threshold"])
        for i in np.where(hit)[0]:
            if level[i] < trig["min_level"]:
                level[i] = trig["min_level"]
            reasons[i].append(f"{trig['label'][0]}：{x[i]:.2f} → 至少{LEVELS[trig['min_level']][0]}"
                              f" / {trig['label'][1]}: {x[i]:.2f} → at least "
                              f"{LEVELS[trig['min_level']][1]}")
    # obstacles at the assessed year
    ob = obstacle_degree(np.clip(R[t_last], 0, 1), w, top_k=int(spec.get("top_obstacles", 5)))
    tops = []
    for i in range(len(units)):
        if level[i] < 0:
            tops.append(None)
            continue
        items = [{"indicator_id": ispec.names[j], "share": round(float(sh), 4)}
                 for j, sh in zip(ob.top_index[i], ob.top_share[i], strict=True)
                 if not np.isnan(sh) and sh > 0]
        tops.append(json.dumps(items, ensure_ascii=False))
    vy = used[year]
    vy_arr = vy.reindex(units).to_numpy(float)
    for i, u in enumerate(units):
        if level[i] < 0:
            lack = [n for n, x in zip(ispec.names, vy_arr[i], strict=True) if np.isnan(x)]
            not_computed.append((u, f"warning: fewer than {spec['index'].get('min_availability')}"
                                    f" of the indicators at or before {year} (≤ {age} years "
                                    f"old); missing: {', '.join(lack)}"))
    lab = np.array([x[0] for x in LEVELS] + [None], dtype=object)
    col = np.array([x[1] for x in LEVELS] + [None], dtype=object)
    frame = pd.DataFrame({
        "unit_id": units, "safety_score": score,
        "level": np.where(level >= 0, level, np.nan),
        "level_label": lab[level], "color": col[level],
        "reasons": [json.dumps(r, ensure_ascii=False) if level[i] >= 0 else None
                    for i, r in enumerate(reasons)],
        "top_obstacles": tops,
        "coverage": np.where(level >= 0, coverage, np.nan),
    })
    data_years = sorted({int(x) for x in np.unique(vy.to_numpy(float)) if not np.isnan(x)})
    ok = level >= 0
    summary = {
        "year": year, "bands": bands, "evaluated_years": yrs_sorted[: t_last + 1],
        "counts": {LEVELS[k][0]: int((level == k).sum()) for k in range(5)},
        "warned": int(ok.sum()), "no_score": int((~ok).sum()),
        "weights": dict(zip(ispec.names, [float(x) for x in np.ravel(w)], strict=True)),
        "trend_raised": int(sum(1 for r in reasons if any("连续" in x for x in r))),
        "data_years": data_years,
        "reference": ref_info,
        "mean_coverage": float(np.nanmean(coverage[ok])) if ok.any() else None,
    }
    summary["validity"] = warning_card(S[t_last], R[t_last], w, ispec, spec, coverage, ok,
                                       ref_info, bands).to_dict()
    results = long_results(frame, year, values=["safety_score", "level", "coverage"],
                           texts=["level_label", "color", "reasons", "top_obstacles"])
    return EngineOutput("warning", year, results, summary, not_computed)
