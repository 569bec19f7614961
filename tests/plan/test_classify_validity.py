"""The classification's cross-validation and validity card (issue 15): figures by hand, the
wording of a below-baseline classifier, and how the terminal output words its types."""

from __future__ import annotations

import math

import numpy as np

from rbcity.methods.typecv import out_of_fold, scores, stratified_folds
from rbcity.outputs.assess_text import card_lines, engine_lines
from rbcity.plan.classify_models import TYPES, choose, classify_card
from rbcity.plan.validity import decision_wording_allowed


def test_scores_by_hand():
    truth = ["mature"] * 6 + ["declining"] * 3 + ["growth"]
    pred = ["mature"] * 5 + ["declining"] + ["declining", "mature", "mature"] + ["growth"]
    s = scores(pred, truth, TYPES)
    assert s["n"] == 10 and math.isclose(s["accuracy"], 0.7)
    assert math.isclose(s["majority_baseline"], 0.6) and s["majority_class"] == "mature"
    # recalls: mature 5/6, declining 1/3, growth 1 → mean over the 3 present types
    assert math.isclose(s["balanced_accuracy"], (5 / 6 + 1 / 3 + 1) / 3)
    assert math.isclose(s["chance"], 1 / 3)


def test_stratified_folds_and_out_of_fold():
    y = np.array(["a"] * 6 + ["b"] * 4, dtype=object)
    f = stratified_folds(y, 2, seed=1)
    for k in (0, 1):  # each class split evenly over the two folds
        assert (y[f == k] == "a").sum() == 3 and (y[f == k] == "b").sum() == 2
    X = np.arange(10, dtype=float)[:, None]
    seen = []

    def fp(Xtr, ytr, Xte):  # predicts the training majority; records what it was trained on
        seen.append(set(Xtr[:, 0]) & set(Xte[:, 0]))
        vals, n = np.unique(ytr, return_counts=True)
        return np.array([vals[np.argmax(n)]] * len(Xte), dtype=object)

    pred = out_of_fold(fp, X, y, f)
    assert all(not s for s in seen)  # no test row ever in its training fold
    assert (pred == "a").all()


def _cv(acc_model, bal_model):
    base = {"majority_baseline": 0.540, "chance": 0.25, "majority_class": "mature", "n": 252,
            "per_type_recall": {t: 0.3 for t in TYPES}}
    return {"rules": dict(base, accuracy=0.294, balanced_accuracy=0.272),
            "logistic": dict(base, accuracy=acc_model, balanced_accuracy=bal_model)}


def test_card_of_a_below_baseline_classifier():
    cv = _cv(0.50, 0.31)
    chosen = choose(cv, {"model": {"choice": "auto", "selection": "accuracy"}})
    assert chosen == "logistic"
    card = classify_card(cv, chosen, {"validity": {"valid_margin": 0.05}})
    assert card.verdict == "not_valid" and not decision_wording_allowed(card)
    assert card.figure == 0.50 and card.baseline == 0.540 and card.n == 252
    assert card.baseline_name == ("多数类（全部成熟型）", "majority class (all mature)")
    assert "50.0%" in card.text[0] and "54.0%" in card.text[0] and "不适用于分类调整" in card.text[0]
    assert "not valid for re-classification" in card.text[1]
    assert card.details["balanced_accuracy"] == 0.31


def test_card_margins():
    spec = {"validity": {"valid_margin": 0.05, "balanced_margin": 0.10}}
    assert classify_card(_cv(0.56, 0.315), "logistic", spec).verdict == "indicative"
    assert classify_card(_cv(0.60, 0.30), "logistic", spec).verdict == "indicative"  # balanced low
    assert classify_card(_cv(0.60, 0.40), "logistic", spec).verdict == "valid"
    none = classify_card(None, "rules", spec, reason="smallest class has 1 rows")
    assert none.verdict == "indicative" and "smallest class" in none.text[1]


def test_terminal_words_types_by_the_card():
    summ = {"year": 2020, "model": "logistic", "classified": 250, "moved": 111, "base_year": 2010,
            "changed_since_base": 34, "counts": {t: 1 for t in TYPES}}
    bad = classify_card(_cv(0.50, 0.31), "logistic", {})
    line = engine_lines("classify", dict(summ, validity=bad.to_dict()), "zh")[0]
    assert "与2013年不同 111" in line and "[不适用于此用途]" in line and "调整 111" not in line
    good = classify_card(_cv(0.70, 0.50), "logistic", {})
    line = engine_lines("classify", dict(summ, validity=good.to_dict()), "en")[0]
    assert "moved vs 2013 111" in line and "[valid]" in line
    lines = card_lines("classify", dict(summ, validity=bad.to_dict()), "en")
    assert lines[0] == "  validity: not valid for this use"
    assert "cross-validated accuracy 50.0% vs majority class (all mature) 54.0% (n=252)" in lines[2]
