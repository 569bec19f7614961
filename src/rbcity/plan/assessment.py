"""年度绩效考核评价 Annual assessment of the resource-exhausted cities (资源枯竭城市).

Each city is scored on the plan's seven assessment contents (资源有序开发、接续替代产业发展、
安全生产、失业问题解决、棚户区搬迁改造、矿山环境恢复治理、林区生态保护) with configurable
indicators and weights: indicator scores 0–100 by min–max among the assessed cities (over the
assessed and the previous year together), content score = weighted mean of its indicators
with data, total = weighted mean of the contents with data (a content with no data is
reported, never scored zero).  Cities are ranked and graded by rank share; the 有进有出 rule
(ours): top grade → reward, bottom grade → exit_watch, bottom grade two assessed years
running → exit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rbcity.methods.aggregate import aggregate_hierarchical
from rbcity.methods.normalise import minmax
from rbcity.plan.frames import EngineOutput, as_of, long_results, to_registry_ids, years_with
from rbcity.plan.validity import ValidityCard


def _flat(spec: dict):
    names, dirs, w, dims = [], [], [], []
    for cid, c in spec["contents"].items():
        for ind in c["indicators"]:
            names.append(ind["name"])
            dirs.append(int(ind.get("direction", 1)))
            w.append(float(ind.get("weight", 1.0)))
            dims.append(cid)
    return names, np.array(dirs, float), np.array(w, float), dims


def score_year(values: np.ndarray, R_all: np.ndarray, spec: dict):
    """(total 0–100, content scores (m, K) 0–100, n contents with data) for one year."""
    names, _, w, dims = _flat(spec)
    cids = list(spec["contents"])
    dw = {c: float(spec["contents"][c].get("weight", 1.0)) for c in cids}
    # within-content weights rescale over available indicators; contents with no data drop out
    wn = np.zeros_like(w)
    for c in cids:
        sel = np.array([d == c for d in dims])
        wn[sel] = w[sel] / w[sel].sum()
    _, Dm, labels = aggregate_hierarchical(R_all, wn, dims, dw, min_availability=0.0)
    Dm = Dm * 100.0
    n_ok = (~np.isnan(Dm)).sum(axis=-1)
    dwv = np.array([dw[c] for c in labels])
    num = np.nansum(np.where(np.isnan(Dm), 0, Dm) * dwv, axis=-1)
    den = np.sum(np.where(np.isnan(Dm), 0, 1) * dwv, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(den > 0, num / den, np.nan)
    total = np.where(n_ok >= int(spec.get("min_contents", 2)), total, np.nan)
    return total, Dm, labels, n_ok


def grade_by_rank(total: np.ndarray, spec: dict) -> tuple[np.ndarray, np.ndarray]:
    """Rank (1 = best, ties share the best rank) and grade by rank share."""
    s = pd.Series(total)
    rank = s.rank(ascending=False, method="min").to_numpy()
    n = int(s.notna().sum())
    grades = np.full(len(total), None, dtype=object)
    for i, r in enumerate(rank):
        if np.isnan(r):
            continue
        share = r / n
        for g in spec["grades"]:
            if share <= g["top_share"] + 1e-12:
                grades[i] = g["grade"]
                break
    return rank, grades


def baseline_years(reg: pd.DataFrame, spec: dict, year: int) -> list[int | None]:
    """Per city, the year progress is measured from: its designation (exhausted batch) year
    or a fixed year (``progress.baseline``: designation | a year); None when not before
    ``year``."""
    b = (spec.get("progress") or {}).get("baseline", "designation")
    out = []
    for batch in reg["exhausted_batch"]:
        y0 = (int(batch) if pd.notna(batch) else None) if b == "designation" else int(b)
        out.append(y0 if y0 is not None and y0 < year else None)
    return out


def progress(panel, names, dirs, dims, spec, units, base_years, year, age) -> np.ndarray:
    """Transformation progress per city: the weighted mean over contents of the mean over
    indicators of the relative change in the good direction, ``d·(x_year − x_base)/|x_base|``
    (capped at ±``progress.cap``), from each city's baseline year to ``year``; NaN when no
    indicator has both values."""
    cap = float((spec.get("progress") or {}).get("cap", 1.0))
    cur = as_of(panel, names, year, age, units=units)[0].to_numpy(float)
    base = np.full_like(cur, np.nan)
    for y0 in {b for b in base_years if b is not None}:
        rows = [i for i, b in enumerate(base_years) if b == y0]
        v = as_of(panel, names, y0, age, units=units)[0].to_numpy(float)
        base[rows] = v[rows]
    with np.errstate(invalid="ignore", divide="ignore"):
        ch = dirs * (cur - base) / np.abs(base)
    ch = np.where(np.isfinite(ch), np.clip(ch, -cap, cap), np.nan)
    cids = list(spec["contents"])
    dims = np.asarray(dims)
    with warnings.catch_warnings():  # a content with no indicator value: NaN, said later
        warnings.simplefilter("ignore", RuntimeWarning)
        cont = np.column_stack([np.nanmean(ch[:, dims == c], axis=1) if (dims == c).any()
                                else np.full(len(units), np.nan) for c in cids])
    w = np.array([float(spec["contents"][c].get("weight", 1.0)) for c in cids])
    num = np.nansum(np.where(np.isnan(cont), 0, cont) * w, axis=1)
    den = np.sum(np.where(np.isnan(cont), 0, 1) * w, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def criterion_grades(total: np.ndarray, prog: np.ndarray, spec: dict) -> np.ndarray:
    """Grade by thresholds (``criteria``, best first): a city takes the first grade whose
    ``min_progress`` and ``min_level`` it meets; no forced distribution.  A city without a
    progress baseline is not graded (never "poor" for lack of data)."""
    out = np.full(len(total), None, dtype=object)
    for i, (t, p) in enumerate(zip(total, prog, strict=True)):
        if np.isnan(t) or np.isnan(p):
            continue
        for g in spec["criteria"]:
            mp, ml = g.get("min_progress"), g.get("min_level")
            if mp is not None and (np.isnan(p) or p < mp):
                continue
            if ml is not None and t < ml:
                continue
            out[i] = g["grade"]
            break
    return out


def assessment_card(spec: dict, summary: dict) -> ValidityCard:
    """Indicative by construction: no official assessment results are open to check against;
    the actions are the tool's default, not the official method."""
    n = summary["assessed"]
    return ValidityCard(
        engine="exhausted_assessment", verdict="indicative",
        checked_against=("无公开的官方考核结果可供核对（国家发展改革委、财政部未公开考核结果与退出名单）",
                         "nothing: no official assessment results or exits are public to check "
                         "against"),
        metric=("有进展基准的城市数", "cities with a progress baseline"),
        figure=summary.get("with_progress"), baseline=None,
        baseline_name=("无基准", "no baseline"), n=n,
        text=("本考核为本工具默认方法，非官方考核方法：分级与奖励/保持/退出观察/退出建议仅供参考，"
              "不得作为奖惩或退出决定。",
              "This assessment is the tool's default, not the official method: grades and the "
              "reward/keep/exit-watch/exit actions are indicative only, never a decision on "
              "rewards or exits."),
        details={"grading": summary.get("grading"), "notice": summary.get("notice")})


def run_assessment(panel: pd.DataFrame, registry: pd.DataFrame, spec: dict,
                   year: int) -> EngineOutput:
    """Assess every resource-exhausted registry city for ``year``."""
    panel = to_registry_ids(panel, registry)
    reg = registry[registry["exhausted_batch"].notna()]
    units = list(reg["unit_id"])
    names, dirs, _, dims = _flat(spec)
    age = int(spec.get("max_age_years", 3))
    act = spec.get("actions") or {}
    prev_years = [y for y in years_with(panel, names) if year - int(act.get("max_gap_years", 1))
                  <= y < year]
    prev = max(prev_years) if prev_years else None
    yrs = [prev, year] if prev is not None else [year]
    V = np.stack([as_of(panel, names, y, age, units=units)[0].to_numpy(float) for y in yrs])
    R = minmax(V, dirs, pooled=True)  # (T, m, n), comparable between the two years
    out_total, out_grade = {}, {}
    for k, y in enumerate(yrs):
        total, Dm, labels, n_ok = score_year(V[k], R[k], spec)
        rank, grades = grade_by_rank(total, spec)
        out_total[y], out_grade[y] = (total, Dm, labels, n_ok, rank), grades
    total, Dm, labels, n_ok, rank = out_total[year]
    grades = out_grade[year]
    prev_grades = out_grade.get(prev) if prev is not None else None
    prog = base_years = None
    if spec.get("grading", "rank") == "criterion":
        base_years = baseline_years(reg, spec, year)
        prog = progress(panel, names, dirs, dims, spec, units, base_years, year, age)
        grades = criterion_grades(total, prog, spec)
        if prev is not None:
            pb = baseline_years(reg, spec, prev)
            prev_grades = criterion_grades(out_total[prev][0], progress(
                panel, names, dirs, dims, spec, units, pb, prev, age), spec)
    bottom, top = act.get("bottom_grade", "较差"), act.get("reward_grade", "优秀")
    action = np.full(len(units), None, dtype=object)
    for i in range(len(units)):
        if grades[i] is None:
            continue
        if grades[i] == top:
            action[i] = "reward"
        elif grades[i] == bottom:
            twice = prev_grades is not None and prev_grades[i] == bottom
            action[i] = "exit" if twice and int(act.get("exit_after_years", 2)) <= 2 else "exit_watch"
        else:
            action[i] = "keep"
    notice = spec.get("notice") or ["本工具默认方法，非官方考核方法", "the tool's default, not the "
                                                         "official method"]
    frame = pd.DataFrame({"unit_id": units, "score": total, "rank": rank, "grade": grades,
                          "action": action,
                          "action_notice": [f"{notice[0]} / {notice[1]}" if a else None
                                            for a in action]})
    if prog is not None:
        frame["progress"] = prog
        frame["baseline_year"] = [float(b) if b is not None and not np.isnan(pg) else np.nan
                                  for b, pg in zip(base_years, prog, strict=True)]
    for k, c in enumerate(labels):
        frame[f"content.{c}"] = Dm[:, k]
    not_computed = []
    for k, c in enumerate(labels):
        if np.isnan(Dm[:, k]).all():
            inds = [n for n, d in zip(names, dims, strict=True) if d == c]
            not_computed.append(("*", f"content {c} ({spec['contents'][c]['label'][0]}): no data "
                                      f"for {', '.join(inds)} at or before {year}"))
    for u, t, n in zip(units, total, n_ok, strict=True):
        if np.isnan(t):
            not_computed.append((u, f"exhausted assessment: {int(n)} content(s) with data, "
                                    f"{spec.get('min_contents', 2)} needed"))
    ok = ~np.isnan(total)
    summary = {
        "year": year, "previous_year": prev, "assessed": int(ok.sum()), "cities": len(units),
        "contents_with_data": [c for k, c in enumerate(labels) if not np.isnan(Dm[:, k]).all()],
        "contents_without_data": [c for k, c in enumerate(labels) if np.isnan(Dm[:, k]).all()],
        "grades": pd.Series(grades[ok]).value_counts().to_dict() if ok.any() else {},
        "actions": pd.Series(action[ok]).value_counts().to_dict() if ok.any() else {},
        "grading": spec.get("grading", "rank"), "notice": notice,
    }
    if prog is not None:
        for u, t, pg in zip(units, total, prog, strict=True):
            if not np.isnan(t) and np.isnan(pg):
                not_computed.append((u, "exhausted assessment: no baseline value to measure "
                                        "progress against (level scored, not graded)"))
        summary["progress_baseline"] = (spec.get("progress") or {}).get("baseline")
        summary["with_progress"] = int((~np.isnan(prog) & ok).sum())
    summary["validity"] = assessment_card(spec, summary).to_dict()
    results = long_results(frame, year, values=["score", "rank", "progress", "baseline_year"]
                           + [f"content.{c}" for c in labels],
                           texts=["grade", "action", "action_notice"])
    return EngineOutput("exhausted_assessment", year, results, summary, not_computed)
