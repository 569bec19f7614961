"""The plausibility checks on the bundled real data: 呼伦贝尔's 2012 GDP per capita (9,664 元
against 50,143 in 2011 — a scope break in the yearbook extract) is flagged and held out, so
the 2012 warning list no longer ranks the city on it; the README's counts per rule are the
store's."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundled(bundled_engine):
    """``ensure_bundled`` ran the checks after its batches (read-only use)."""
    from rbcity.data.panel import load_engine_panel, load_panel

    kept, held = load_engine_panel(bundled_engine)
    return {"full": load_panel(bundled_engine), "kept": kept, "held": held}


def _warning_2012(panel):
    from rbcity.plan.assess import run_engine
    from rbcity.plan.specs import load_spec
    from rbcity.registry.load import load_registry

    r = run_engine("warning", panel, load_registry(), pd.DataFrame(), load_spec("warning"), 2012).results
    return r[r.key == "safety_score"].dropna(subset=["value"]).sort_values("value").set_index("unit_id")["value"]


def test_hulunbuir_2012_gdp_per_capita_is_flagged_and_held_out(bundled):
    h = bundled["held"].set_index(["unit_id", "year", "indicator_id"])
    row = h.loc[("150700", 2012, "gdp_per_capita")]
    assert row["rules"] == "yoy_break" and row["value"] == pytest.approx(9664.39, abs=0.01)
    assert ("150700", 2012, "gdp") in h.index     # the GDP it was derived from, too
    k = bundled["kept"]
    assert not ((k.unit_id == "150700") & (k.year == 2012) & (k.indicator_id == "gdp_per_capita")).any()
    assert len(bundled["full"]) - len(k) == len(bundled["held"])


def test_the_2012_warning_list_does_not_rank_hulunbuir_on_that_value(bundled):
    full, kept = _warning_2012(bundled["full"]), _warning_2012(bundled["kept"])
    # the broken value makes 呼伦贝尔 look less safe than it is (with the plan's fixed 2012
    # reference and dimension-balanced composite, issue 15, it ranks among the least safe)
    rank_full, rank_kept = full.index.get_loc("150700") + 1, kept.index.get_loc("150700") + 1
    print(f"呼伦贝尔 2012 least-safe rank: {rank_full} with the broken value, {rank_kept} held out")
    assert rank_full < rank_kept
    # held out, the engine reads the latest value at or before 2012 instead: 2011's 50,143 元
    p = bundled["kept"]
    y2011 = p[(p.unit_id == "150700") & (p.indicator_id == "gdp_per_capita") & (p.year == 2011)]
    as_2011 = pd.concat([p, y2011.assign(year=2012)], ignore_index=True)
    assert _warning_2012(as_2011)["150700"] == pytest.approx(kept["150700"])
    assert kept["150700"] != pytest.approx(full["150700"])


def test_readme_counts_per_rule_are_the_bundled_stores(bundled_engine):
    from rbcity.data.checks import rule_counts

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- checks-counts -->"):readme.index("<!-- /checks-counts -->")]
    stated = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"\|\s*`(\w+)`\s*\|\s*\w+\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|",
                                                                section)}
    c = rule_counts(bundled_engine).set_index("rule")
    assert stated == {r: (int(c.loc[r, "open"]), int(c.loc[r, "checked"])) for r in c.index}
