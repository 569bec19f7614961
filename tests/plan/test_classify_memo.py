"""The memo of supervised cross-validation (plan/classify_models.py) changes no figure: a
warm-memo run equals a cold one on a synthetic 2010/2020 census panel of 48 cities, and the
cached out-of-fold accuracy equals a direct cross-validation (second implementation)."""

from __future__ import annotations

import json

import numpy as np
from plan_helpers import make_panel, make_registry

from rbcity.methods.typecv import out_of_fold, scores, stratified_folds
from rbcity.plan import classify_models
from rbcity.plan.classify import run_classify
from rbcity.plan.classify_models import supervised_fit_predict
from rbcity.plan.specs import load_spec

TYPES = ("growth", "mature", "declining", "regenerating")
FEATS = ["mining_employment_share", "urban_population_share", "tertiary_employment_share",
         "primary_employment_share", "secondary_employment_share", "aged_65_share"]


def _data():
    rng = np.random.default_rng(7)
    reg, rec = [], []
    for i in range(48):
        u, ty = f"5{i:05d}", TYPES[i % 4]
        reg.append((u, "prefecture", ty, "河北省", None, u))
        mu = np.array([10 if ty in ("growth", "mature") else 3, 60 if ty in ("mature", "regenerating")
                       else 30, 40, 20, 40, 9], float)
        for y in (2010, 2020):
            x = mu + rng.normal(0, 6, size=6) + (5 if y == 2020 else 0)
            rec += [(u, y, f, float(v)) for f, v in zip(FEATS, x, strict=True)]
    return make_panel(rec), make_registry(reg)


def _dump(out):
    return (json.dumps(out.summary, sort_keys=True, default=str),
            out.results.sort_values(list(out.results.columns[:3])).to_json())


def test_warm_memo_equals_cold_run_and_direct_cross_validation():
    panel, reg = _data()
    spec = load_spec("classify", {"model": {"choice": "boosting"}})
    classify_models._MEMO.clear()
    run_classify(panel, reg, spec, 2010)  # fills the memo with the base-year fits
    n_memo = len(classify_models._MEMO)
    warm = run_classify(panel, reg, spec, 2020)
    assert len(classify_models._MEMO) == n_memo  # 2020 reused every base-year fit
    classify_models._MEMO.clear()
    cold = run_classify(panel, reg, spec, 2020)
    assert _dump(warm) == _dump(cold)
    assert warm.summary["model"] == "boosting"

    # second implementation: cross-validate boosting directly on all 48 labelled cities
    X = panel[panel["year"] == 2010].pivot(index="unit_id", columns="indicator_id",
                                           values="value")[FEATS]
    X = ((X - X.mean()) / X.std(ddof=0)).to_numpy(float)
    y = reg.set_index("unit_id")["type_2013"].to_numpy(object)
    folds = stratified_folds(y, 5, 0)
    params = spec["model"]["params"]["boosting"]
    pred = out_of_fold(supervised_fit_predict("boosting", params), X, y, folds)
    s = scores(pred, y, TYPES)
    assert warm.summary["cv"]["boosting"]["rows"] == 48
    assert warm.summary["cv"]["boosting"]["accuracy"] == s["accuracy"]
    assert warm.summary["cv"]["boosting"]["balanced_accuracy"] == s["balanced_accuracy"]
    assert warm.summary["validity"]["figure"] == s["accuracy"]
