"""The staggered resource-exhausted designation (2008/2009/2011) on the bundled 2004–2012
yearbook panel, with TWFE cross-checked against linearmodels' PanelOLS on the exact sample
``run_did`` used (a second implementation of the same estimator)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rbcity.data.cities import unit_names
from rbcity.data.panel import load_panel
from rbcity.plan.policy import run_did
from rbcity.registry.load import load_registry

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")


@pytest.fixture(scope="module")
def panel(bundled_engine):
    return load_panel(bundled_engine)


@pytest.mark.parametrize("outcome", ["gdp_per_capita", "tertiary_share"])
def test_exhausted_on_real_panel_matches_panelols(panel, bundled_engine, outcome, capsys):
    from linearmodels.panel import PanelOLS

    res = run_did(panel, load_registry(), outcome, treatment="exhausted",
                  unit_names=unit_names(bundled_engine))
    est = res.estimates.set_index(["estimator", "term"])
    twfe = est.loc[("twfe", "ATT")]
    # the sample: yearbook years, prefecture units, the three batches as cohorts
    s = res.sample
    assert s["first_year"].min() == 2004 and s["last_year"].max() == 2012
    assert set(s.loc[s["treated"], "cohort"]) <= {2008, 2009, 2011}
    assert 200 < len(s) < 300 and 15 <= int(s["treated"].sum()) <= 25
    with capsys.disabled():
        h = res.headline()
        print(f"\n[real DID] {outcome}: units={len(s)} treated={int(s['treated'].sum())} "
              f"TWFE={twfe['estimate']:.4g} (se {twfe['se']:.3g}); {h['estimator']}={h['estimate']:.4g} "
              f"(se {h['se']:.3g}); n_obs={int(twfe['n_obs'])}")

    # second implementation: PanelOLS with entity and time effects, clustered by entity
    wide = panel.pivot_table(index=["unit_id", "year"], columns="indicator_id", values="value")
    y = wide[outcome] if outcome in wide else None
    assert y is not None
    used = s.set_index("unit_id")
    idx = y.index.to_frame(index=False)
    keep = idx["unit_id"].isin(used.index).to_numpy() & y.notna().to_numpy()
    d = idx[keep].copy()
    d["y"] = y.to_numpy()[keep]
    d["cohort"] = d["unit_id"].map(used["cohort"]).fillna(0).astype(int)
    d["D"] = ((d["cohort"] > 0) & (d["year"] >= d["cohort"])).astype(float)
    d = d.set_index(["unit_id", "year"])
    assert len(d) == int(twfe["n_obs"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = PanelOLS(d["y"], d[["D"]], entity_effects=True, time_effects=True).fit(
            cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    assert np.isclose(fit.params["D"], twfe["estimate"], rtol=1e-8, atol=1e-8)
    # Same sandwich; ours (pyfixest CRV1 default) does not count the unit effects nested in
    # the clusters, so the SEs differ exactly by sqrt((n - k_full)/(n - k_nested)).
    n, k_full = len(d), fit.df_model
    k_nested = k_full - (d.index.get_level_values(0).nunique() - 1)
    ratio = np.sqrt((n - k_full) / (n - k_nested))
    assert np.isclose(twfe["se"], fit.std_errors["D"] * ratio, rtol=1e-6)


def test_rbc2013_has_no_post_period_in_the_yearbook(panel):
    with pytest.raises(ValueError, match="no treated post-period"):
        run_did(panel, load_registry(), "gdp_per_capita", treatment="rbc2013")


def test_sample_log_counts_are_consistent(panel):
    res = run_did(panel, load_registry(), "tertiary_share", treatment="exhausted", county_choice="parent")
    assert isinstance(res.log_counts, pd.DataFrame)
    assert res.spec["county_choice"] == "parent"
