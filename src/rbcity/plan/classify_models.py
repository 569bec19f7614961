"""The classification's candidate models and their cross-validation against the 2013 types.

Three candidates (config/classify.yaml ``model``): the plan-shaped two-score ``rules`` (R × S
cut-offs calibrated on the training folds), a multinomial ``logistic`` regression and
gradient ``boosting`` on census (+ yearbook) indicators standardised within each year (so a
secular drift — every city urbanising — does not move types).  Each is measured with
stratified k-fold cross-validation on the base year; ``choice: auto`` keeps the one with the
best cross-validated score (``selection``).  The result goes on the classification's validity
card: accuracy vs calling every city the majority type, balanced accuracy vs chance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from rbcity.methods.typecv import out_of_fold, scores, stratified_folds
from rbcity.plan.validity import ValidityCard, verdict_by_rules

TYPES = ("growth", "mature", "declining", "regenerating")
SUPERVISED = ("logistic", "boosting")
TYPE_ZH = {"growth": "成长型", "mature": "成熟型", "declining": "衰退型", "regenerating": "再生型"}
NAMES_ZH = {"rules": "两维规则模型", "logistic": "多项逻辑回归", "boosting": "梯度提升"}


def within_year(values: pd.DataFrame) -> pd.DataFrame:
    """Each column z-scored over the units of that year (NaN kept)."""
    mu, sd = values.mean(), values.std(ddof=0)
    return (values - mu) / sd.where(sd > 0)


def estimator(name: str, params: dict | None = None):
    """A fresh scikit-learn estimator for a supervised candidate (missing values: median
    imputation plus missing-indicator columns for the logistic model; native for boosting)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    p = dict(params or {})
    if name == "logistic":
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                             StandardScaler(),
                             LogisticRegression(C=float(p.get("C", 1.0)), max_iter=2000,
                                                class_weight=p.get("class_weight")))
    if name == "boosting":
        return HistGradientBoostingClassifier(
            max_depth=int(p.get("max_depth", 3)), learning_rate=float(p.get("learning_rate", 0.05)),
            max_iter=int(p.get("max_iter", 100)), class_weight=p.get("class_weight"),
            random_state=int(p.get("random_state", 0)))
    raise ValueError(f"unknown supervised model {name!r}")


def supervised_fit_predict(name: str, params: dict | None = None):
    def fp(Xtr, ytr, Xte):
        from threadpoolctl import threadpool_limits

        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            m = estimator(name, params).fit(Xtr, np.asarray(ytr, dtype=str))
            return m.predict(Xte).astype(object)
    return fp


def fit_supervised(name: str, params: dict | None, X: np.ndarray, y) -> object:
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        return estimator(name, params).fit(X, np.asarray(y, dtype=str))


# In-process memo of supervised fits, keyed by everything they depend on (model name, its
# parameters and the exact bytes of X, y and the folds): assessing 2010 and then 2020 — as
# ``rbcity run`` does — cross-validates the same base-year rows twice otherwise.
_MEMO: dict[tuple, object] = {}
_MEMO_MAX = 32


def _data_key(*arrays) -> tuple:
    return tuple((a.dtype.str, a.shape, a.tobytes()) for a in
                 (np.ascontiguousarray(np.asarray(x, dtype=float if i == 0 else str))
                  for i, x in enumerate(arrays)))


def _memo(key: tuple, compute):
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = compute()
    return _MEMO[key]


def cross_validate(candidates: dict, y, folds: np.ndarray, *, keys: dict | None = None) -> dict:
    """``candidates``: name → (X, fit_predict).  Returns name → scores (+ out-of-fold
    predictions under ``"pred"``) on the rows in ``y`` that are labelled.  ``keys``: name →
    a hashable that fixes the candidate's fit (e.g. its parameters); such candidates'
    out-of-fold predictions are memoised on (key, X, y, folds)."""
    out = {}
    for name, (X, fp) in candidates.items():
        if keys and name in keys:
            k = ("oof", name, keys[name], _data_key(X, y, folds))
            pred = _memo(k, lambda X=X, fp=fp: out_of_fold(fp, X, y, folds)).copy()
        else:
            pred = out_of_fold(fp, X, y, folds)
        out[name] = dict(scores(pred, y, TYPES), pred=pred)
    return out


def choose(cv: dict, spec: dict) -> str:
    """The candidate to keep: the spec's ``choice`` or, with ``auto``, the best by
    ``selection`` (ties: the first candidate in the spec's order)."""
    m = spec.get("model") or {}
    choice = m.get("choice", "auto")
    if choice != "auto":
        return choice
    key = m.get("selection", "accuracy")
    return max(cv, key=lambda n: (cv[n][key], -list(cv).index(n)))


def classify_card(cv: dict | None, chosen: str, spec: dict, *, reason: str | None = None,
                  folds: int = 5) -> ValidityCard:
    """The classification card: cross-validated accuracy of the kept model vs the majority
    baseline; balanced accuracy vs chance in the details and the text.  Verdict rules in
    ``spec['validity']``: ``not_valid`` below the majority baseline; ``valid`` only when
    accuracy beats it by ``valid_margin`` AND balanced accuracy beats chance by
    ``balanced_margin``; ``indicative`` otherwise (or when no CV was possible)."""
    v = spec.get("validity") or {}
    if not cv or chosen not in cv:
        return ValidityCard(
            engine="classify", verdict="indicative",
            checked_against=("未能交叉验证", "no cross-validation possible"),
            metric=("交叉验证准确率", "cross-validated accuracy"), figure=None, baseline=None,
            baseline_name=("多数类基准", "majority-class baseline"), n=0,
            text=("未能与2013年类型交叉验证（" + (reason or "") + "）：类型仅供参考，不作调整依据。",
                  "Could not be cross-validated against the 2013 types (" + (reason or "")
                  + "): types are indicative only, not a basis for re-classification."),
            details={"unit": "share", "model": chosen, "reason": reason})
    s = cv[chosen]
    acc, base, bal, ch = s["accuracy"], s["majority_baseline"], s["balanced_accuracy"], s["chance"]
    verdict = verdict_by_rules(acc, base, {"valid_margin": float(v.get("valid_margin", 0.05))})
    if verdict == "valid" and not bal >= ch + float(v.get("balanced_margin", 0.1)):
        verdict = "indicative"
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    fig_zh = (f"{NAMES_ZH.get(chosen, chosen)}{folds}折交叉验证准确率 {pct(acc)}（全部判为多数类 "
              f"{pct(base)}），平衡准确率 {pct(bal)}（随机 {pct(ch)}）")
    fig_en = (f"{chosen} model, {folds}-fold cross-validated accuracy {pct(acc)} (all majority "
              f"type {pct(base)}), balanced accuracy {pct(bal)} (chance {pct(ch)})")
    use = {
        "valid": ("可作为类型调整的参考依据（仍需人工复核）。",
                  "may support re-classification (still to be reviewed by hand)."),
        "indicative": ("仅略优于或不明显优于基准：类型仅供参考，不作\u201c已调整\u201d结论。",
                       "not clearly better than the baseline: types are indicative only, never "
                       "a re-classification decision."),
        "not_valid": ("不如全部判为多数类：类型不适用于分类调整，仅供参考。",
                      "worse than calling every city the majority type: not valid for "
                      "re-classification; indicative only."),
    }[verdict]
    return ValidityCard(
        engine="classify", verdict=verdict,
        checked_against=(f"2013年官方类型，分层{folds}折交叉验证",
                         f"2013 official types, stratified {folds}-fold cross-validation"),
        metric=("交叉验证准确率", "cross-validated accuracy"), figure=acc, baseline=base,
        baseline_name=(f"多数类（全部{TYPE_ZH.get(s['majority_class'], '')}）",
                       f"majority class (all {s['majority_class']})"), n=s["n"],
        text=(f"{fig_zh}；{use[0]}", f"{fig_en}; {use[1]}"),
        details={"unit": "share", "model": chosen, "balanced_accuracy": bal, "chance": ch,
                 "per_type_recall": s["per_type_recall"],
                 "candidates": {k: {kk: x[kk] for kk in ("accuracy", "balanced_accuracy")}
                                for k, x in cv.items()},
                 "source": v.get("source")})


def _availability(X: np.ndarray) -> np.ndarray:
    return (~np.isnan(X)).mean(axis=1) if X.shape[1] else np.zeros(len(X))


def select_model(panel: pd.DataFrame, units: list, spec: dict, base: int, year: int,
                 t13: np.ndarray, rules_ok: np.ndarray, rules_fp) -> dict:
    """Cross-validate the spec's candidates on the base year and keep one.

    ``rules_ok``: rows where the rule model has both scores; ``rules_fp(train_idx, y,
    test_idx)`` predicts the rule types of ``test_idx`` with cut-offs calibrated on
    ``train_idx``.  All candidates are scored on the same rows (labelled, both rule scores,
    enough features).  Returns ``chosen``, ``cv`` (scores per candidate), ``card`` and, for a
    supervised choice, ``type_base`` (out-of-fold), ``type_year`` and ``reasons``."""
    from rbcity.plan.frames import as_of

    m = spec.get("model") or {}
    v = spec.get("validation") or {}
    k, seed = int(v.get("folds", 5)), int(v.get("seed", 0))
    cands = list(m.get("candidates") or ["rules"])
    feats = list(m.get("features") or [])
    age = int(spec.get("max_age_years", 5))
    min_av = float(m.get("min_availability", 0.5))
    n = len(units)
    Xb = Xy = np.empty((n, 0))
    if feats and any(c in SUPERVISED for c in cands):
        vb = as_of(panel, feats, base, age, units=units)[0]
        feats = [f for f in feats if vb[f].notna().sum() >= 2]  # a feature with no data: dropped
        out_feats = feats
        Xb = within_year(vb[feats]).to_numpy(float)
        Xy = Xb if year == base else \
            within_year(as_of(panel, feats, year, age, units=units)[0]).to_numpy(float)
    has_feats = _availability(Xb) >= min_av if Xb.shape[1] else np.ones(n, bool)
    rows = np.where((t13 != "") & rules_ok & has_feats)[0]
    out = {"chosen": "rules", "cv": {}, "card": None}
    if Xb.shape[1]:
        out["features"] = out_feats
    if not (Xb.shape[1] and has_feats.any()):
        cands = [c for c in cands if c not in SUPERVISED] or ["rules"]
    try:
        folds = stratified_folds(t13[rows], k, seed)
    except ValueError as exc:
        out["card"] = classify_card(None, "rules", spec, reason=str(exc), folds=k)
        return out
    y = t13[rows]
    candidates = {}
    for c in cands:
        if c == "rules":
            candidates[c] = (rows[:, None].astype(float),
                             lambda Xtr, ytr, Xte: rules_fp(Xtr[:, 0].astype(int), ytr,
                                                            Xte[:, 0].astype(int)))
        else:
            candidates[c] = (Xb[rows], supervised_fit_predict(c, (m.get("params") or {}).get(c)))
    params_of = m.get("params") or {}
    cv = cross_validate(candidates, y, folds,
                        keys={c: repr(sorted((params_of.get(c) or {}).items()))
                              for c in cands if c in SUPERVISED})
    chosen = choose(cv, spec)
    out["chosen"] = chosen
    out["card"] = classify_card(cv, chosen, spec, folds=k)
    out["card"].details["features"] = out.get("features")
    trend = spec.get("trend") or {}
    if chosen == "rules" and trend.get("window"):
        out["card"].details["look_ahead"] = (f"trend term uses the {trend['window'][0]}→"
                                             f"{trend['window'][1]} change, which postdates 2013")
    out["cv"] = {c: {kk: vv for kk, vv in s.items() if kk != "pred"} | {"rows": len(rows)}
                 for c, s in cv.items()}
    if chosen == "rules":
        return out
    params = (m.get("params") or {}).get(chosen)
    model = _memo(("fit", chosen, repr(sorted((params or {}).items())), _data_key(Xb[rows], y)),
                  lambda: fit_supervised(chosen, params, Xb[rows], y))
    type_base = np.full(n, "", dtype=object)
    type_base[rows] = cv[chosen]["pred"]
    rest = np.where(has_feats & ~np.isin(np.arange(n), rows))[0]
    if len(rest):  # no 2013 type or no rule score: predicted by the model fitted on all rows
        type_base[rest] = model.predict(Xb[rest]).astype(object)
    reasons = [None] * n
    if year == base:
        type_year = type_base
        for i in rows:
            reasons[i] = (f"{NAMES_ZH[chosen]}交叉验证预测（该城市不在训练折中）/ "
                          f"{chosen} model, out-of-fold prediction")
    else:
        ok_y = _availability(Xy) >= min_av
        type_year = np.full(n, "", dtype=object)
        idx = np.where(ok_y)[0]
        if len(idx):
            type_year[idx] = model.predict(Xy[idx]).astype(object)
            P = model.predict_proba(Xy[idx])
            cls = list(model.classes_)
            for j, i in enumerate(idx):
                ty, old = type_year[i], t13[i]
                pt = P[j, cls.index(ty)]
                po = P[j, cls.index(old)] if old in cls else float("nan")
                reasons[i] = (f"{NAMES_ZH[chosen]}：{TYPE_ZH.get(ty, ty)}概率 {pt:.2f}，2013年类型"
                              f"{TYPE_ZH.get(old, old)}概率 {po:.2f} / {chosen} model: "
                              f"P({ty}) = {pt:.2f}, P({old}) = {po:.2f}")
    out.update(type_base=type_base, type_year=type_year, reasons=reasons)
    return out
