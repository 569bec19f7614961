"""The all-pairs calibrate grid (plan/classify.py) returns exactly what the previous
per-R-cut-off loop returned (kept here as the second implementation), on random scores with
ties, a trend override and both objectives."""

from __future__ import annotations

import numpy as np
import pytest

from rbcity.plan.classify import TYPES, _rule_types, calibrate
from rbcity.plan.specs import load_spec


def _old_rule_types(rh, sh, trend, spec):
    """The rule table as it was (string arrays), the reference for ``_rule_types``."""
    rh, sh = np.broadcast_arrays(rh, sh)
    out = np.full(rh.shape, "", dtype=object)
    for rule in spec["rules"]:
        m = np.ones(rh.shape, bool)
        if rule.get("resource", "any") != "any":
            m &= rh if rule["resource"] == "high" else ~rh
        if rule.get("development", "any") != "any":
            m &= sh if rule["development"] == "high" else ~sh
        out = np.where((out == "") & m, rule["type"], out)
    ov = spec.get("trend_override")
    if ov and trend is not None:
        t = np.asarray(trend, dtype=object)
        m = (rh if ov.get("resource") == "high" else ~rh) & (t == ov["trend"])
        out = np.where(m, ov["type"], out)
    return out


def _loop_calibrate(R, S, trend, truth, spec):
    c = spec["cutoffs"]
    q = np.arange(c["quantiles"]["start"], c["quantiles"]["stop"] + 1e-9, c["quantiles"]["step"])
    ok = ~np.isnan(R) & ~np.isnan(S) & (truth != "")
    rq, sq = np.unique(np.quantile(R[ok], q)), np.unique(np.quantile(S[ok], q))
    tr, t = trend[ok], truth[ok]
    present = [ty for ty in TYPES if (t == ty).any()]
    sh = S[ok][None, :] >= sq[:, None]
    best = (-1.0, float(rq[0]), float(sq[0]))
    for r in rq:
        P = _old_rule_types((R[ok] >= r)[None, :], sh, tr, spec)
        if c.get("objective") == "accuracy":
            obj = (P == t[None, :]).mean(axis=1)
        else:
            obj = np.mean([((P == ty) & (t == ty)[None, :]).sum(axis=1) / (t == ty).sum()
                           for ty in present], axis=0)
        j = int(np.argmax(obj))
        if obj[j] > best[0] + 1e-12:
            best = (float(obj[j]), float(r), float(sq[j]))
    return best[1], best[2], best[0]


@pytest.mark.parametrize("objective", ["balanced_accuracy", "accuracy"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_all_pairs_grid_equals_the_loop(objective, seed):
    spec = load_spec("classify", {"cutoffs": {"objective": objective}})
    rng = np.random.default_rng(seed)
    n = 230
    R = np.round(rng.random(n), 2)  # rounded: tied scores and tied quantiles
    S = np.round(rng.random(n), 2)
    R[:5] = np.nan
    truth = rng.choice(np.array(list(TYPES) + [""], dtype=object), n, p=[.12, .5, .26, .08, .04])
    truth = truth.astype(object)
    trend = rng.choice(np.array(["rising", "stable", "falling", "unknown"], dtype=object), n)
    got = calibrate(R, S, trend, truth, spec)
    want = _loop_calibrate(R, S, trend, truth, spec)
    assert got == want
    assert 0.25 < got[2] <= 1.0


def test_rule_types_equal_the_string_table():
    spec = load_spec("classify")
    rng = np.random.default_rng(3)
    rh, sh = rng.random((4, 50)) > 0.5, rng.random((1, 50)) > 0.4
    trend = rng.choice(np.array(["rising", "stable", "falling"], dtype=object), 50)
    got = _rule_types(rh, sh, trend, spec)
    assert got.shape == (4, 50)
    assert (got == _old_rule_types(rh, sh, trend, spec)).all()
    assert (_rule_types(rh, sh, None, spec) == _old_rule_types(rh, sh, None, spec)).all()
    # by hand: R high, S low, stable → growth; R low, S high → regenerating
    one = _rule_types(np.array([True, False]), np.array([False, True]),
                      np.array(["stable", "stable"], dtype=object), spec)
    assert list(one) == ["growth", "regenerating"]
