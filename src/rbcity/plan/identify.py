"""界定 Identification: which units are resource-based on a given year's data, and how well a
rule reproduces the 2013 list (confusion matrix, precision, recall, F1, threshold sweep).

A rule set (spec ``rule_sets``) is a set of groups (mining, forest …), each combining threshold
tests with ``any``/``all`` logic; a unit is predicted resource-based when any group passes or
it is a manual addition.  A test whose indicator has no data for a unit is *unavailable* — it
is never read as "below threshold because zero": with ``on_unavailable: available`` the group
decides on its tests that have data, and a unit with no usable test at all gets no prediction
(reported in ``not_computed``).  Indicators with no data anywhere are listed in the summary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbcity.plan.cards import identify_card
from rbcity.plan.frames import (
    EngineOutput,
    as_of,
    long_results,
    to_registry_ids,
    unit_level,
    years_with,
)

OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


def _test_values(test: dict, values: pd.DataFrame, levels: pd.Series,
                 threshold: float | None = None) -> np.ndarray:
    """1.0 pass / 0.0 fail / NaN unavailable for one test over all units."""
    ind = test["indicator"]
    x = values[ind].to_numpy(dtype=float) if ind in values else np.full(len(values), np.nan)
    if threshold is not None:
        thr = np.full(len(values), float(threshold))
    elif "threshold_by_level" in test:
        tbl = test["threshold_by_level"]
        thr = levels.map(lambda lv: tbl.get(lv, np.nan)).to_numpy(dtype=float)
    else:
        thr = np.full(len(values), float(test["threshold"]))
    op = OPS.get(test.get("op", ">="))
    if op is None:
        raise ValueError(f"unknown op {test.get('op')!r}")
    out = op(x, thr).astype(float)
    out[np.isnan(x) | np.isnan(thr)] = np.nan
    return out


def _group(results: list[np.ndarray], logic: str) -> np.ndarray:
    """Combine test results (1/0/NaN) with any/all logic over the available tests."""
    M = np.vstack(results)
    avail = ~np.isnan(M)
    hit = np.nan_to_num(M, nan=0.0)
    n_avail = avail.sum(axis=0)
    if logic == "any":
        g = (hit.sum(axis=0) > 0).astype(float)
    elif logic == "all":
        g = (hit.sum(axis=0) == n_avail).astype(float)
    else:
        raise ValueError(f"unknown group logic {logic!r}")
    g[n_avail == 0] = np.nan
    return g


def predict(spec: dict, values: pd.DataFrame, levels: pd.Series,
            override: dict[str, float] | None = None,
            cache: dict | None = None) -> tuple[np.ndarray, dict]:
    """Predicted resource-based flag (1/0/NaN) per unit under ``spec['rule_set']``.

    ``override`` replaces the threshold of named tests (used by the sweep); ``cache`` holds
    test results to reuse for the tests not overridden.  Returns the flag and the per-test
    results."""
    rs = spec["rule_sets"][spec["rule_set"]]
    override = override or {}
    tests = {k: v for k, v in (cache or {}).items() if k not in override}
    groups = []
    for gname, g in rs["groups"].items():
        res = []
        for t in g["tests"]:
            if t not in tests:
                tests[t] = _test_values(spec["tests"][t], values, levels, override.get(t))
            res.append(tests[t])
        groups.append(_group(res, g["logic"]))
        del gname
    pred = _group(groups, rs.get("combine", "any"))
    manual = set(spec.get("manual_additions") or [])
    if manual:
        pred = np.where(values.index.isin(list(manual)), 1.0, pred)
    return pred, tests


def confusion(pred: np.ndarray, truth: np.ndarray) -> dict:
    """Confusion matrix and precision / recall / F1 over units with a prediction."""
    ok = ~np.isnan(pred)
    p, t = pred[ok] == 1, truth[ok] == 1
    tp, fp = int((p & t).sum()), int((p & ~t).sum())
    fn, tn = int((~p & t).sum()), int((~p & ~t).sum())
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * prec * rec / (prec + rec) if tp and (prec + rec) else (0.0 if tp + fp + fn else
                                                                     float("nan"))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "n": int(ok.sum()),
            "precision": prec, "recall": rec, "f1": f1}


def _indicators(spec: dict) -> list[str]:
    rs = spec["rule_sets"][spec["rule_set"]]
    names = {spec["tests"][t]["indicator"] for g in rs["groups"].values() for t in g["tests"]}
    return sorted(names)


def run_identify(panel: pd.DataFrame, registry: pd.DataFrame, spec: dict,
                 year: int) -> EngineOutput:
    """Run identification on every prefecture- and county-level unit with data for ``year``.

    Data: the latest year at or before ``year`` (within ``spec['max_age_years']``) in which
    any of the rule's indicators has data — for the census 2010 or 2020 — and only that year.
    """
    panel = to_registry_ids(panel, registry)
    inds = _indicators(spec)
    # one data year for every unit (the latest census at or before ``year``): units that
    # existed only in an older census are not mixed in
    age = int(spec.get("max_age_years", 10))
    cand = [y for y in years_with(panel, inds) if year - age <= y <= year]
    data_year = max(cand) if cand else year
    values, years_used = as_of(panel, inds, data_year, 0)
    reg_level = dict(zip(registry["unit_id"], registry["level"], strict=True))
    levels = pd.Series([unit_level(u, reg_level) for u in values.index], index=values.index)
    keep = (levels != "province").to_numpy()
    values, years_used, levels = values[keep], years_used[keep], levels[keep]
    reg_ids = set(registry["unit_id"])
    # registry units without any data still appear (no prediction; reported)
    missing_reg = sorted(reg_ids - set(values.index))
    if missing_reg:
        values = pd.concat([values, pd.DataFrame(index=missing_reg, columns=values.columns,
                                                 dtype=float)])
        years_used = years_used.reindex(values.index)
        levels = pd.concat([levels, pd.Series([unit_level(u, reg_level) for u in missing_reg],
                                              index=missing_reg)])
    truth = values.index.isin(list(reg_ids)).astype(float)
    pred, tests = predict(spec, values, levels)

    rs = spec["rule_sets"][spec["rule_set"]]
    test_names = list(tests)
    unavailable_everywhere = [
        {"test": t, "indicator": spec["tests"][t]["indicator"],
         "reason": "库中无此指标的开放数据 no open data for this indicator in the store"}
        for t in test_names if np.isnan(tests[t]).all()
    ]
    not_computed: list[tuple[str, str]] = [
        ("*", f"test {u['test']} ({u['indicator']}): {u['reason']}")
        for u in unavailable_everywhere
    ]
    for u in values.index[np.isnan(pred)]:
        tag = "registry city" if u in reg_ids else "unit"
        not_computed.append((u, f"{tag}: no data for any identification test "
                                f"({', '.join(inds)}) in {data_year}"))

    share_col = spec["tests"][spec["sweep"]["test"]]["indicator"] if spec.get("sweep") else None
    frame = pd.DataFrame({"unit_id": values.index, "predicted": pred, "in_2013_list": truth})
    frame["level"] = levels.to_numpy()
    if "mining_employment_share" in values:
        frame["mining_employment_share"] = values["mining_employment_share"].to_numpy()
    if share_col and share_col in values and share_col != "mining_employment_share":
        frame[share_col] = values[share_col].to_numpy()
    used = years_used.max(axis=1)
    frame["data_year"] = used.to_numpy()
    frame["tests_unavailable"] = [
        ", ".join(t for t in test_names if np.isnan(tests[t][i])) or None
        for i in range(len(frame))
    ]

    cm = confusion(pred, truth)
    by_level = {lv: confusion(pred[(levels == lv).to_numpy()], truth[(levels == lv).to_numpy()])
                for lv in ("prefecture", "county")}
    sweep = []
    if spec.get("sweep"):
        sw = spec["sweep"]
        th = sw["thresholds"]
        grid = np.round(np.arange(th["start"], th["stop"] + th["step"] / 2, th["step"]), 6)
        for thr in grid:
            p_t, _ = predict(spec, values, levels, {sw["test"]: float(thr)}, cache=tests)
            c = confusion(p_t, truth)
            row = {"threshold": float(thr), "precision": c["precision"], "recall": c["recall"],
                   "f1": c["f1"]}
            for lv in ("prefecture", "county"):
                sel = (levels == lv).to_numpy()
                row[f"f1_{lv}"] = confusion(p_t[sel], truth[sel])["f1"]
            sweep.append(row)
    best = max(sweep, key=lambda r: -1 if np.isnan(r["f1"]) else r["f1"]) if sweep else None
    data_years = sorted({int(y) for y in used.dropna().unique()})
    summary = {
        "rule_set": spec["rule_set"], "rule_source": rs.get("source", ""),
        # the threshold of the swept test (the one with data), and every test's threshold
        "threshold": (spec["tests"][spec["sweep"]["test"]].get("threshold")
                      if spec.get("sweep") else None),
        "thresholds": {t: spec["tests"][t].get("threshold", spec["tests"][t].get(
            "threshold_by_level")) for t in test_names},
        "confusion": {k: cm[k] for k in ("tp", "fp", "fn", "tn")},
        "n": cm["n"], "precision": cm["precision"], "recall": cm["recall"], "f1": cm["f1"],
        "by_level": by_level, "sweep": sweep,
        "best_sweep_threshold": best, "data_years": data_years,
        "unavailable": unavailable_everywhere,
        "units": int(len(frame)), "registry_without_data": len(missing_reg),
    }
    summary["validity"] = identify_card(summary, spec).to_dict()
    # per unit: the share, the prediction and the truth (level, data year and the tests
    # without data are the same for whole groups of units: they are in the summary)
    results = long_results(frame, year, values=["mining_employment_share", "predicted",
                                                 "in_2013_list"])
    return EngineOutput("identify", year, results, summary, not_computed)
