"""综合分类 Classification and 动态调整 dynamic adjustment of the 262 cities.

Two composite scores per city-year — resource security capacity R (资源保障能力) and sustainable
development capacity S (可持续发展能力) — each an :class:`rbcity.methods.spec.IndexSpec` over
indicators named in the spec, normalised over the base year and the assessed year together so
the two years are comparable.  A 4-cell rule table (R high/low × S high/low) gives growth /
mature / regenerating / declining; a rising resource trend turns a strong-resource city into
growth (plan §三: growth = extraction in its rising phase).  Cut-offs are calibrated on the
base year to agree best with the 2013 types and the agreement is published; re-classifying a
later year gives the transition matrix against 2013 and, for each city that moved, which score
is on which side of which cut-off and by how much.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.methods.spec import IndexSpec, composite_index
from rbcity.plan.classify_models import select_model
from rbcity.plan.frames import EngineOutput, as_of, long_results, to_registry_ids

TYPES = ("growth", "mature", "declining", "regenerating")
TYPE_ZH = {"growth": "成长型", "mature": "成熟型", "declining": "衰退型", "regenerating": "再生型"}


def index_spec(part: dict) -> IndexSpec:
    """The :class:`IndexSpec` of one score from its spec block."""
    return IndexSpec.from_dict(dict(part["index"], indicators=[
        {"name": i["name"], "direction": int(i.get("direction", 1)),
         "weight": i.get("weight"), "dimension": i.get("dimension")}
        for i in part["index"]["indicators"]]))


def _rule_codes(rh, sh, trend, spec: dict) -> tuple[np.ndarray, list[str]]:
    """Rule table on boolean arrays (broadcast together): R high ``rh``, S high ``sh``.
    Returns integer codes (-1: no rule) and the type names they index — integers, so the
    calibrate grid over every cut-off pair stays cheap."""
    rh, sh = np.broadcast_arrays(rh, sh)
    names = list(dict.fromkeys([r["type"] for r in spec["rules"]]
                               + [(spec.get("trend_override") or {}).get("type", TYPES[0])]))
    out = np.full(rh.shape, -1, dtype=np.int8)
    for rule in spec["rules"]:
        m = out == -1
        if rule.get("resource", "any") != "any":
            m &= rh if rule["resource"] == "high" else ~rh
        if rule.get("development", "any") != "any":
            m &= sh if rule["development"] == "high" else ~sh
        out[m] = names.index(rule["type"])
    ov = spec.get("trend_override")
    if ov and trend is not None:
        t = np.asarray(trend, dtype=object) == ov["trend"]
        m = (rh if ov.get("resource") == "high" else ~rh) & t
        out[m] = names.index(ov["type"])
    return out, names


def _rule_types(rh, sh, trend, spec: dict) -> np.ndarray:
    """Rule table on boolean arrays (broadcast together): type names ("" where no rule)."""
    codes, names = _rule_codes(rh, sh, trend, spec)
    return np.array(names + [""], dtype=object)[codes]


def apply_rules(R, S, trend, r_cut: float, s_cut: float, spec: dict) -> np.ndarray:
    """Type per city (object array; "" where a score or a cut-off is missing)."""
    R, S = np.asarray(R, float), np.asarray(S, float)
    out = _rule_types(R >= r_cut, S >= s_cut, trend, spec)
    return np.where(np.isnan(R) | np.isnan(S) | np.isnan(r_cut) | np.isnan(s_cut), "", out)


def agreement(pred, truth) -> dict:
    """Accuracy, balanced accuracy, per-type recall and the confusion {2013: {model: n}}."""
    pred, truth = np.asarray(pred, object), np.asarray(truth, object)
    ok = (pred != "") & (truth != "")
    p, t = pred[ok], truth[ok]
    recall = {ty: (float((p[t == ty] == ty).mean()) if (t == ty).any() else float("nan"))
              for ty in TYPES}
    rec = [v for v in recall.values() if not np.isnan(v)]
    conf = {a: {b: int(((t == a) & (p == b)).sum()) for b in TYPES} for a in TYPES}
    counts = {ty: int((t == ty).sum()) for ty in TYPES}
    return {"n": int(ok.sum()), "accuracy": float((p == t).mean()) if ok.any() else float("nan"),
            # the accuracy of calling every city the most common 2013 type (for comparison)
            "majority_baseline": max(counts.values()) / ok.sum() if ok.any() else float("nan"),
            "balanced_accuracy": float(np.mean(rec)) if rec else float("nan"),
            "per_type_recall": recall, "confusion": conf}


def calibrate(R, S, trend, truth, spec: dict) -> tuple[float, float, float]:
    """Grid search of (R cut-off, S cut-off) over quantiles of the scores; returns the pair
    with the best objective (ties: the first in grid order) and the objective value.
    Vectorised over every (R, S) pair at once: one (nR, nS, n) array of rule types."""
    c = spec["cutoffs"]
    q = np.arange(c["quantiles"]["start"], c["quantiles"]["stop"] + 1e-9, c["quantiles"]["step"])
    R, S = np.asarray(R, float), np.asarray(S, float)
    ok = ~np.isnan(R) & ~np.isnan(S) & (np.asarray(truth, object) != "")
    if not ok.any():
        return float("nan"), float("nan"), float("nan")
    rq = np.unique(np.quantile(R[ok], q))
    sq = np.unique(np.quantile(S[ok], q))
    tr = None if trend is None else np.asarray(trend, object)[ok]
    t = np.asarray(truth, object)[ok]
    key = c.get("objective", "balanced_accuracy")
    present = [ty for ty in TYPES if (t == ty).any()]
    rh = R[ok][None, None, :] >= rq[:, None, None]  # (nr, 1, n)
    sh = S[ok][None, None, :] >= sq[None, :, None]  # (1, ns, n)
    P, names = _rule_codes(rh, sh, tr, spec)  # (nr, ns, n)
    tc = np.array([names.index(x) if x in names else -2 for x in t])  # -2: matches no rule
    if key == "accuracy":
        obj = (P == tc).mean(axis=-1)
    else:
        obj = np.mean([((P == names.index(ty)) & (t == ty)).sum(axis=-1) / (t == ty).sum()
                       if ty in names else np.zeros(P.shape[:2]) for ty in present],
                      axis=0)  # (nr, ns)
    best = (-1.0, float(rq[0]), float(sq[0]))
    for i, j in enumerate(np.argmax(obj, axis=1)):  # grid order, first of ties kept
        if obj[i, j] > best[0] + 1e-12:
            best = (float(obj[i, j]), float(rq[i]), float(sq[j]))
    return best[1], best[2], best[0]


def base_year_scores(values: dict[int, pd.DataFrame], ispec: IndexSpec,
                     base: int) -> dict[int, np.ndarray]:
    """Scores per year, fixed by the base year: the index is built on the base year alone
    (its min–max bounds and its weights) and later years are scored against those bounds
    (goalposts = the base year's min and max, censored to [0, 1]) with the same weights, so
    the base-year scores and the calibrated cut-offs do not change with the assessed year."""
    Xb = values[base][ispec.names].to_numpy(float)
    res = composite_index(Xb, ispec, details=True)
    out = {base: np.asarray(res.scores, float)}
    if len(values) == 1:
        return out
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(Xb, axis=0), np.nanmax(Xb, axis=0)
    d = ispec.direction
    best, worst = np.where(d > 0, hi, lo), np.where(d > 0, lo, hi)
    w = np.ravel(res.weights)
    fixed = ispec.with_(
        normalisation="goalposts",
        normalisation_options={"best": best.tolist(), "worst": worst.tolist()},
        weighting="user", dimension_weights=None,
        indicators=tuple(i.__class__(name=i.name, direction=i.direction, weight=float(wj),
                                     dimension=i.dimension, target=None)
                         for i, wj in zip(ispec.indicators, w, strict=True)))
    if ispec.normalisation != "minmax" or ispec.dimension_weights is not None:
        fixed = ispec  # other normalisations: each year on its own terms
    for y, v in values.items():
        if y != base:
            out[y] = np.asarray(composite_index(v[ispec.names].to_numpy(float), fixed), float)
    return out


def _trend(panel: pd.DataFrame, spec: dict, units, year_used: pd.Series) -> pd.Series:
    """rising / stable / falling / unknown: relative change of the trend indicator from its
    previous observation to the one used for the assessed year (``year_used`` per unit)."""
    tcfg = spec.get("trend")
    out = pd.Series("unknown", index=list(units), dtype=object)
    if not tcfg or year_used.empty:
        return out
    p = panel[(panel["indicator_id"] == tcfg["indicator"])].dropna(subset=["value"])
    p = p[p["unit_id"].isin(list(units))].sort_values(["unit_id", "year"])
    p = p.assign(prev=p.groupby("unit_id")["value"].shift(1))
    want = year_used.dropna()
    cur = p.set_index(["unit_id", "year"])
    idx = pd.MultiIndex.from_arrays([want.index, want.to_numpy(dtype=int)])
    rows = cur.reindex(idx)
    with np.errstate(invalid="ignore", divide="ignore"):
        ch = (rows["value"] - rows["prev"]) / rows["prev"].abs()
    lab = np.where(ch > tcfg["rising_above"], "rising",
                   np.where(ch < tcfg["falling_below"], "falling", "stable"))
    lab = np.where(ch.isna() | ~np.isfinite(ch), "unknown", lab)
    out.loc[want.index] = lab
    return out


def _window_trend(panel: pd.DataFrame, tcfg: dict, units) -> pd.Series:
    """rising / stable / falling / unknown from the relative change of the trend indicator
    between the two years of ``tcfg['window']`` (e.g. the 2010 and 2020 censuses)."""
    y0, y1 = (int(y) for y in tcfg["window"])
    p = panel[panel["indicator_id"] == tcfg["indicator"]].dropna(subset=["value"])
    v = p.pivot_table(index="unit_id", columns="year", values="value", aggfunc="last")
    v = v.reindex(index=list(units), columns=[y0, y1])
    with np.errstate(invalid="ignore", divide="ignore"):
        ch = (v[y1] - v[y0]) / v[y0].abs()
    lab = np.where(ch > tcfg["rising_above"], "rising",
                   np.where(ch < tcfg["falling_below"], "falling", "stable"))
    return pd.Series(np.where(ch.isna() | ~np.isfinite(ch), "unknown", lab), index=list(units),
                     dtype=object)


def _cell(ty: str, spec: dict) -> dict:
    for rule in spec["rules"]:
        if rule["type"] == ty:
            return rule
    return {}


def _reason(u, ty, t13, r, s, r0, s0, trend, r_cut, s_cut, base_year, spec) -> str:
    """Chinese + English reason of a move from the 2013 type ``t13`` to ``ty``."""
    want = _cell(t13, spec)
    zh, en = [f"2013年{TYPE_ZH.get(t13, t13)}→{TYPE_ZH.get(ty, ty)}"], [f"{t13}→{ty}"]
    for dim, val, old, cut, lab_zh, lab_en in (
        ("resource", r, r0, r_cut, "资源保障能力", "resource score"),
        ("development", s, s0, s_cut, "可持续发展能力", "development score"),
    ):
        side = "high" if val >= cut else "low"
        if want.get(dim, "any") in ("any", side):
            continue
        rel_zh = "高于" if side == "high" else "低于"
        rel_en = "above" if side == "high" else "below"
        was = "" if old is None or np.isnan(old) else f"（{base_year}年 {old:.3f}）"
        was_en = "" if old is None or np.isnan(old) else f" ({base_year}: {old:.3f})"
        zh.append(f"{lab_zh}得分 {val:.3f} {rel_zh}临界值 {cut:.3f}（差 {abs(val - cut):.3f}）{was}")
        en.append(f"{lab_en} {val:.3f} {rel_en} cut-off {cut:.3f} by {abs(val - cut):.3f}{was_en}")
    ov = spec.get("trend_override") or {}
    if ty == ov.get("type") and trend == ov.get("trend") and len(zh) == 1:
        zh.append("资源指标上升（成长阶段）")
        en.append("resource indicator rising (growth phase)")
    return "；".join(zh) + " / " + "; ".join(en)


def run_classify(panel: pd.DataFrame, registry: pd.DataFrame, spec: dict,
                 year: int) -> EngineOutput:
    """Classify every registry city for ``year`` with cut-offs calibrated on the base year."""
    panel = to_registry_ids(panel, registry)
    units = list(registry["unit_id"])
    base = int(spec.get("base_year", year))
    age = int(spec.get("max_age_years", 5))
    rspec, sspec = index_spec(spec["resource"]), index_spec(spec["development"])
    inds = list(dict.fromkeys(rspec.names + sspec.names))
    years = [base] if base == year else [base, year]
    vals, used = {}, {}
    for y in years:
        vals[y], used[y] = as_of(panel, inds, y, age, units=units)
    R = base_year_scores(vals, rspec, base)
    if spec["development"].get("standardise") == "within_year":
        # each year min–max over its own cities: a drift every city shares does not move types
        S = {y: np.asarray(composite_index(v[sspec.names].to_numpy(float), sspec), float)
             for y, v in vals.items()}
    else:
        S = base_year_scores(vals, sspec, base)
    t13 = registry.set_index("unit_id")["type_2013"].reindex(units).fillna("").to_numpy(object)

    if (spec.get("trend") or {}).get("window"):
        trend_y = trend_b = _window_trend(panel, spec["trend"], units)
    else:
        trend_y = _trend(panel, spec, units, used[year][spec["trend"]["indicator"]]
                         if spec.get("trend") else pd.Series(dtype=float)).reindex(units)
        trend_b = _trend(panel, spec, units, used[base][spec["trend"]["indicator"]]
                         if spec.get("trend") else pd.Series(dtype=float)).reindex(units)
    Rb, Sb, Ry, Sy = R[base], S[base], R[year], S[year]
    c = spec["cutoffs"]
    if c.get("mode", "calibrate") == "calibrate":
        r_cut, s_cut, obj = calibrate(Rb, Sb, trend_b.to_numpy(object), t13, spec)
    else:
        r_cut, s_cut, obj = float(c["resource"]), float(c["development"]), float("nan")
    type_b = apply_rules(Rb, Sb, trend_b.to_numpy(object), r_cut, s_cut, spec)
    type_y = apply_rules(Ry, Sy, trend_y.to_numpy(object), r_cut, s_cut, spec)
    agree = agreement(type_b, t13)
    trb = trend_b.to_numpy(object)

    def rules_fp(tr, y, te):  # cut-offs calibrated on the training rows only
        if c.get("mode", "calibrate") == "calibrate":
            rc, sc, _ = calibrate(Rb[tr], Sb[tr], trb[tr], y, spec)
        else:
            rc, sc = r_cut, s_cut
        return apply_rules(Rb[te], Sb[te], trb[te], rc, sc, spec)

    sel = select_model(panel, units, spec, base, year, t13, ~np.isnan(Rb) & ~np.isnan(Sb),
                       rules_fp)
    if sel["chosen"] != "rules":
        type_b, type_y = sel["type_base"], sel["type_year"]
    agree_rules, agree = agree, agreement(type_b, t13)  # the kept model's (out-of-fold) types
    moved = np.where(type_y == "", np.nan, (type_y != t13).astype(float))

    not_computed = []
    if np.isnan(r_cut) or np.isnan(s_cut):
        not_computed.append(("*", f"classify: no city has both scores in the base year {base}: "
                                  f"cut-offs cannot be calibrated"))
    missing, reasons = [], []
    vy = used[year]
    for i, u in enumerate(units):
        if type_y[i] == "":
            lack = [n for n in inds if np.isnan(vy.loc[u, n])]
            msg = (f"no data at or before {year} (≤ {age} years old) for: {', '.join(lack)}"
                   if lack else "score not computable")
            missing.append(msg)
            not_computed.append((u, f"classify: {msg}"))
            reasons.append(None)
            continue
        missing.append(None)
        if moved[i] != 1:
            reasons.append(None)
        elif sel["chosen"] == "rules":
            reasons.append(_reason(u, type_y[i], t13[i], Ry[i], Sy[i], Rb[i], Sb[i],
                                   trend_y.iloc[i], r_cut, s_cut, base, spec))
        else:
            reasons.append(sel["reasons"][i])
    frame = pd.DataFrame({
        "unit_id": units, "resource_score": Ry, "development_score": Sy, "type": type_y,
        "type_2013": t13, "moved": moved, "reason": reasons, "missing": missing,
        "type_base": type_b, "trend": trend_y.to_numpy(object),
    })
    frame["type"] = frame["type"].where(frame["type"] != "", None)
    frame["type_base"] = frame["type_base"].where(frame["type_base"] != "", None)
    ok = type_y != ""
    if sel["chosen"] != "rules":
        for i, u in enumerate(units):
            if type_y[i] == "" and missing[i] is None:
                missing[i] = "features not available for the model"
                frame.loc[i, "missing"] = missing[i]
                not_computed.append((u, f"classify: {missing[i]}"))
    transition = {a: {b: int(((t13 == a) & (type_y == b) & ok).sum()) for b in TYPES}
                  for a in TYPES}
    data_years = sorted({int(x) for x in np.unique(vy.to_numpy(float)) if not np.isnan(x)})
    summary = {
        "base_year": base, "year": year,
        "cutoffs": {"resource": r_cut, "development": s_cut, "mode": c.get("mode", "calibrate"),
                    "objective": c.get("objective"), "objective_value": obj},
        "agreement": agree,
        "agreement_rules": agree_rules,
        "agreement_year": dict(agreement(type_y, t13), year=year),
        "transition": transition,
        "counts": {ty: int((type_y == ty).sum()) for ty in TYPES},
        "moved": int(np.nansum(moved)), "classified": int(ok.sum()),
        # real change, as opposed to disagreement with 2013: base-year model type → this year
        "changed_since_base": int(((type_b != "") & ok & (type_b != type_y)).sum()),
        "transition_from_base": {a: {b: int(((type_b == a) & (type_y == b)).sum())
                                     for b in TYPES} for a in TYPES},
        "indicators": {"resource": rspec.names, "development": sspec.names},
        "data_years": data_years,
        "model": sel["chosen"], "cv": sel["cv"],
        "validity": sel["card"].to_dict(),
    }
    summary["transition_verdict"] = summary["validity"]["verdict"]
    results = long_results(frame, year, values=["resource_score", "development_score", "moved"],
                           texts=["type", "type_2013", "reason", "missing", "type_base", "trend"])
    return EngineOutput("classify", year, results, summary, not_computed)
