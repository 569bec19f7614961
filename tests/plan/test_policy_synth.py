"""Synthetic-control weights against pysyncon (second implementation) and a hand case; the
placebo-in-space p-value on a simulated panel with one strongly treated unit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rbcity.plan.policy.synth import synth_control, synth_weights


def test_exact_convex_combination_is_recovered():
    X0 = np.array([[1.0, 3.0, 10.0], [2.0, 5.0, 0.0], [4.0, 1.0, 2.0], [0.0, 2.0, 7.0]])
    x1 = X0 @ np.array([0.25, 0.75, 0.0])
    assert synth_weights(X0, x1) == pytest.approx([0.25, 0.75, 0.0], abs=1e-7)


def test_weights_match_pysyncon():
    from pysyncon import Dataprep, Synth

    rng = np.random.default_rng(0)
    T0, J = 12, 5
    X0 = rng.normal(0, 1, (T0, J)).cumsum(axis=0) + np.arange(J)
    x1 = X0 @ np.array([0.5, 0.3, 0.2, 0, 0]) + rng.normal(0, 0.3, T0)
    w = synth_weights(X0, x1)
    years = list(range(2000, 2000 + T0))
    df = pd.DataFrame([{"unit": f"d{j}", "year": yr, "y": X0[t, j]} for j in range(J)
                       for t, yr in enumerate(years)]
                      + [{"unit": "tr", "year": yr, "y": x1[t]} for t, yr in enumerate(years)])
    dp = Dataprep(foo=df, predictors=[], predictors_op="mean", time_predictors_prior=years,
                  dependent="y", unit_variable="unit", time_variable="year",
                  treatment_identifier="tr", controls_identifier=[f"d{j}" for j in range(J)],
                  time_optimize_ssr=years, special_predictors=[("y", [yr], "mean") for yr in years])
    s = Synth()
    # pysyncon divides each predictor by its cross-unit sd; V = sd^2 undoes that (our V = I)
    sd = df.pivot(index="year", columns="unit", values="y").std(axis=1).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.fit(dataprep=dp, custom_V=sd ** 2)
    assert w == pytest.approx(np.asarray(s.W), abs=1e-4)


def test_placebo_in_space_ranks_a_real_effect_first():
    rng = np.random.default_rng(3)
    years = np.arange(2000, 2012)
    f = rng.normal(0, 1, (len(years), 3)).cumsum(axis=0)  # common factors
    rows = []
    for i in range(30):
        load = rng.dirichlet(np.ones(3))
        y = f @ load + rng.normal(0, 0.05, len(years))
        if i == 0:
            y = y + 3.0 * (years >= 2008)
        rows += [{"unit_id": f"u{i:02d}", "year": int(t), "y": v, "cohort": 2008 if i == 0 else 0}
                 for t, v in zip(years, y, strict=True)]
    sc = synth_control(pd.DataFrame(rows), "u00", 2008)
    assert sc.att == pytest.approx(3.0, abs=0.3)
    assert sc.p_value == pytest.approx(1 / 30)  # the largest ratio of 30 cities
    assert len(sc.placebo) == 29 and sc.placebo_gaps.shape == (12, 29)
