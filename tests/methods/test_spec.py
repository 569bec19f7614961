"""IndexSpec / composite_index / panel helpers: the whole chain on hand and random panels."""

import json

import numpy as np
import pandas as pd
import pytest

from rbcity.methods import IndexSpec, Indicator, array_to_panel, composite_index, panel_to_array

nan = np.nan


def _spec(**kw):
    inds = kw.pop("indicators", [Indicator("gdp", 1), Indicator("pollution", -1)])
    return IndexSpec(indicators=inds, **kw)


def test_chain_hand_equal_weights():
    """2 years × 3 units; gdp (benefit) year0 (1, 2, 3), year1 (3, 4, 5); pollution (cost)
    year0 (10, 10, 20), year1 (20, 0, 10).  Pooled min–max: gdp (x - 1)/4, pollution
    (20 - x)/20.  Equal weights, arithmetic: year0 = ((0 + .5)/2, (.25 + .5)/2, (.5 + 0)/2)
    = (.25, .375, .25); year1 = ((.5 + 0)/2, (.75 + 1)/2, (1 + .5)/2) = (.25, .875, .75)."""
    X = np.array([[[1, 10], [2, 10], [3, 20]], [[3, 20], [4, 0], [5, 10.0]]])
    s = composite_index(X, _spec(weighting="equal"))
    np.testing.assert_allclose(s, [[0.25, 0.375, 0.25], [0.25, 0.875, 0.75]])
    # per-year normalisation instead: year0 gdp (0, .5, 1), pollution (1, 1, 0) → (.5, .75, .5)
    s2 = composite_index(X, _spec(weighting="equal", pooled=False))
    np.testing.assert_allclose(s2[0], [0.5, 0.75, 0.5])
    res = composite_index(X, _spec(weighting="equal"), details=True)
    np.testing.assert_allclose(res.weights, [0.5, 0.5])
    assert res.normalised.shape == (2, 3, 2) and res.availability.shape == (2, 3)


def test_entropy_topsis_equals_per_year_pymcdm():
    """Differential: per-year entropy weights (pymcdm ``entropy_weights`` on the raw, positive
    matrix = our entropy of the raw data) are not what the spec does — the spec learns weights
    from the *normalised* matrix.  So compare: weights from our entropy on per-year min–max data
    fed to pymcdm TOPSIS (min–max, per year) = composite_index(topsis, all per-year)."""
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(21)
    X = rng.uniform(1, 100, (3, 30, 5))
    d = np.array([1, -1, 1, 1, -1])
    spec = IndexSpec([Indicator(f"x{j}", int(d[j])) for j in range(5)], pooled=False,
                     weighting="entropy", weighting_pooled=False, aggregation="topsis")
    res = composite_index(X, spec, details=True)
    for t in range(3):
        np.testing.assert_allclose(res.scores[t], TOPSIS()(X[t], res.weights[t], d), atol=1e-9)


def test_dataframe_roundtrip_and_series_output():
    rng = np.random.default_rng(22)
    X = rng.uniform(0, 1, (3, 4, 2))
    units, years = ["c1", "c2", "c3", "c4"], [2015, 2016, 2017]
    df = array_to_panel(X, years, units, ["gdp", "pollution"])
    assert df.index.names == ["unit", "year"] and df.shape == (12, 2)
    df = df.sample(frac=1, random_state=0)  # order must not matter
    X2, y2, u2, cols = panel_to_array(df)
    np.testing.assert_allclose(X2, X)
    assert list(y2) == years and list(u2) == units and cols == ["gdp", "pollution"]
    s = composite_index(df, _spec())
    assert isinstance(s, pd.Series) and s.name == "score"
    np.testing.assert_allclose(s.loc[("c2", 2016)], composite_index(X, _spec())[1, 1])
    # missing (unit, year) rows become all-NaN → no score
    s2 = composite_index(df.drop(index=("c1", 2015)), _spec())
    assert np.isnan(s2.loc[("c1", 2015)])
    with pytest.raises(ValueError, match="duplicate"):
        panel_to_array(pd.concat([df, df.iloc[:1]]))


def test_availability_and_imputation_in_chain():
    """5 indicators, unit 0 misses 2 in year 1 (60 % < 80 %) → NaN; interpolation fills them
    from years 0 and 2 → scored; group_median fills from the other units."""
    rng = np.random.default_rng(23)
    X = rng.uniform(1, 2, (3, 4, 5))
    X[1, 0, :2] = nan
    spec = IndexSpec([Indicator(f"x{j}") for j in range(5)], weighting="equal")
    assert np.isnan(composite_index(X, spec)[1, 0])
    assert np.isfinite(composite_index(X, spec.with_(imputation="interpolate"))[1, 0])
    assert np.isfinite(composite_index(X, spec.with_(imputation="group_median"))[1, 0])
    assert np.isfinite(composite_index(X, spec.with_(min_availability=0.6))[1, 0])
    # all-missing unit → NaN, others unaffected
    X[:, 3] = nan
    s = composite_index(X, spec.with_(imputation="interpolate"))
    assert np.isnan(s[:, 3]).all() and np.isfinite(s[:, 1:3]).all()


def test_hierarchical_dimensions_and_vikor():
    inds = [Indicator("a", dimension="E"), Indicator("b", dimension="E"),
            Indicator("c", dimension="S")]
    X = np.array([[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.5]]])
    spec = IndexSpec(inds, weighting="equal", dimension_weights={"E": 0.25, "S": 0.75})
    res = composite_index(X, spec, details=True)
    np.testing.assert_allclose(res.weights, [0.125, 0.125, 0.75])
    np.testing.assert_allclose(res.scores[0], [0.875, 0.125, 0.5])
    np.testing.assert_allclose(res.dimension_scores[0], [[0.5, 1], [0.5, 0], [0.5, 0.5]])
    v = composite_index(X, spec.with_(aggregation="vikor"))
    assert np.argmax(v[0]) == 0 and np.argmin(v[0]) == 1


def test_one_unit_one_indicator_and_goalposts():
    one_ind = IndexSpec([Indicator("x", target=10.0)], normalisation="goalposts",
                        normalisation_options={"worst": [0.0]}, weighting="equal")
    np.testing.assert_allclose(composite_index(np.array([[[5.0], [20.0]]]), one_ind), [[0.5, 1]])
    one_unit = composite_index(np.array([[[5.0, 1.0]]]), _spec())
    np.testing.assert_allclose(one_unit, [[1.0]])  # constant columns → 1, equal weights


def test_spec_serialisation_and_validation():
    spec = _spec(normalisation_options={"scale": [0.002, 0.996]}, aggregation="topsis",
                 dimension_weights=None)
    again = IndexSpec.from_json(spec.to_json())
    assert again == spec
    assert json.loads(spec.to_json())["indicators"][1]["direction"] == -1
    X = np.random.default_rng(0).uniform(size=(2, 5, 2))
    np.testing.assert_allclose(composite_index(X, again), composite_index(X, spec))
    with pytest.raises(ValueError, match="unknown normalisation"):
        _spec(normalisation="log")
    with pytest.raises(ValueError, match="direction"):
        Indicator("x", 0)
    with pytest.raises(ValueError, match="unique"):
        IndexSpec([Indicator("x"), Indicator("x")])
    with pytest.raises(ValueError, match="needs a weight"):
        _spec(weighting="user")
    with pytest.raises(ValueError, match="indicators"):
        composite_index(np.ones((2, 3, 4)), _spec())


def test_dataframe_groups_mapping_for_group_median():
    X = np.array([[[1.0, 1.0], [nan, 2.0], [3.0, 3.0], [10.0, 4.0]]])
    df = array_to_panel(X, [2020], ["a", "b", "c", "d"], ["gdp", "pollution"])
    spec = _spec(weighting="equal", imputation="group_median")
    # b is grouped with a and c → gdp imputed as median(1, 3) = 2; without groups 3
    res_g = composite_index(df, spec, groups={"a": "g1", "b": "g1", "c": "g1", "d": "g2"})
    res_all = composite_index(df, spec)
    assert res_g.loc[("b", 2020)] < res_all.loc[("b", 2020)]
