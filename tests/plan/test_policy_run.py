"""run_did end to end on contract-shaped inputs, and the did_report rendering."""

import numpy as np
import pandas as pd
import pytest

from rbcity.plan.policy import run_did, simulate_panel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning",
                                        "ignore:.*inplace.*", "ignore:Glyph.*")



@pytest.fixture(scope="module")
def inputs():
    sim = simulate_panel(n_units=120, cohorts={2008: 0.2, 2009: 0.2, 2011: 0.2}, effect=1.0,
                         noise=0.5, missing=0.03, seed=5)
    # a never-treated unit that gets a treated county-level member
    parent = sorted(set(sim.wide["unit_id"]) - set(sim.registry["unit_id"]))[0]
    rng = np.random.default_rng(0)
    w = sim.wide
    pop = rng.uniform(50, 800, len(w))  # 万人
    long = pd.concat(
        [
            w[["unit_id", "year"]].assign(indicator_id="gdp", value=w["y"].to_numpy() * pop),
            w[["unit_id", "year"]].assign(indicator_id="population", value=pop),
            w[["unit_id", "year"]].assign(indicator_id="y", value=w["y"]),
        ],
        ignore_index=True,
    )
    extra = pd.DataFrame(
        [
            # county-level exhausted member under a control prefecture
            ("110001", "模拟县级市", "河北省", "county_city", parent, "declining", 2009, "A"),
            # treated prefecture absent from the panel
            ("999900", "无数据市", "河北省", "prefecture", "", "declining", 2011, "C"),
        ],
        columns=sim.registry.columns,
    )
    reg = pd.concat([sim.registry, extra], ignore_index=True)
    reg["exhausted_batch"] = pd.array(reg["exhausted_batch"], dtype="Int64")
    return sim, long, reg, parent


@pytest.fixture(scope="module")
def result(inputs):
    sim, long, reg, parent = inputs
    return run_did(long, reg, "gdp_per_capita", treatment="exhausted", event_study=True,
                   window=(-4, 3), n_placebo=9, seed=3, drop_contaminated_controls=False)


def test_run_did_recovers_effect(result, inputs):
    sim = inputs[0]
    h = result.headline()
    assert result.spec["headline_estimator"] == "did2s" and result.spec["staggered"]
    assert h["ci_low"] <= sim.truth["att"] <= h["ci_high"]
    assert result.spec["cohorts"] == [2008, 2009, 2011]
    assert "gdp / population" in result.spec["outcome_derivation"]
    assert result.pretrend["p"].gt(0.01).all()
    assert result.placebo["n"] == 9 and result.placebo["p_value"] == pytest.approx(0.1)


def test_derived_outcome_equals_direct(result, inputs):
    _, long, reg, parent = inputs
    direct = run_did(long, reg, "y", treatment="exhausted", drop_contaminated_controls=False)
    a = result.estimates.query("term == 'ATT'").set_index("estimator")["estimate"]
    b = direct.estimates.set_index("estimator")["estimate"]
    assert a["twfe"] == pytest.approx(b["twfe"], rel=1e-9)
    assert a["did2s"] == pytest.approx(b["did2s"], rel=1e-6)  # FE solver tolerance (~1e-8)


def test_sample_and_log(result, inputs):
    sim, _, reg, parent = inputs
    s = result.sample
    assert s["unit_id"].is_unique and len(s) == result.spec["n_units"]
    assert s["n_obs"].sum() == result.spec["n_obs"]
    log = result.sample_log
    assert "模拟县级市" in set(log.loc[log["stage"] == "treatment", "name"])
    assert "999900" in set(log.loc[log["reason"].str.contains("without data"), "unit_id"])
    assert parent in result.spec["contaminated_controls"]
    assert not s.set_index("unit_id").loc[parent, "treated"]  # kept as control
    treated_sim = set(sim.wide.loc[sim.wide["cohort"] > 0, "unit_id"])
    assert set(s.loc[s["treated"], "unit_id"]) == treated_sim


def test_parent_mapping_and_dropping_contaminated(inputs):
    _, long, reg, parent = inputs
    par = run_did(long, reg, "y", county_choice="parent")
    u = par.sample.set_index("unit_id")
    assert u.loc[parent, "treated"] and u.loc[parent, "cohort"] == 2009
    assert par.spec["county_choice"] == "parent"
    dropped = run_did(long, reg, "y")  # contaminated controls dropped by default (config)
    assert dropped.spec["drop_contaminated_controls"] is True
    assert parent not in set(dropped.sample["unit_id"])
    non_rbc = run_did(long, reg, "y", control_group="non_rbc")
    assert parent not in set(non_rbc.sample["unit_id"])
    assert non_rbc.spec["n_units"] == dropped.spec["n_units"]


def test_by_type(inputs):
    _, long, reg, parent = inputs
    res = run_did(long, reg, "y", by="type")
    groups = set(res.estimates["group"])
    assert groups >= {"all", "growth", "mature", "declining", "regenerating"}
    with pytest.raises(ValueError, match="resource_kind"):
        run_did(long, reg, "y", by="resource")


def test_rbc2013_needs_post_period(inputs):
    _, long, reg, parent = inputs
    with pytest.raises(ValueError, match="no treated post-period"):
        run_did(long, reg, "y", treatment="rbc2013")
    res = run_did(long, reg, "y", treatment="rbc2013", first_treated_2013=2010)
    assert res.spec["headline_estimator"] == "twfe" and res.spec["cohorts"] == [2010]


def test_report_rendering(result, tmp_path):
    from rbcity.outputs import did_report

    md = did_report.markdown_table(result)
    assert "| all | did2s (Gardner) |" in md and "Pre-trend" in md and "Placebo" in md
    tex = did_report.latex_table(result)
    assert tex.count(r"\begin{tabular}") == 1 and "Treated $\\times$ post" in tex
    txt = did_report.sample_text(result)
    assert "Treated cities by cohort" in txt and "without data" in txt
    for suffix in ("png", "svg"):
        path = tmp_path / f"es.{suffix}"
        did_report.plot_event_study(result, path)
        assert path.stat().st_size > 1000
    did_report.plot_placebo(result, tmp_path / "placebo.png")
    assert (tmp_path / "placebo.png").stat().st_size > 1000


def test_batch_years_and_names(inputs):
    _, long, reg, parent = inputs
    res = run_did(long, reg, "y", batch_years={2011: 2012}, unit_names={parent: "对照市"},
                  drop_contaminated_controls=False)
    assert res.spec["cohorts"] == [2008, 2009, 2012]
    assert res.sample.set_index("unit_id").loc[parent, "name"] == "对照市"
