"""Each plausibility rule on hand-made panels: what it must flag and what it must not (a real
30 % fall in a declining mining city's GDP is plausible; a tenfold fall is not)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rbcity.data.checks.history import repeated_value, scale_error, yoy_break
from rbcity.data.checks.identities import identity
from rbcity.data.checks.peers import peer_outlier
from rbcity.data.checks.run import evaluate
from rbcity.data.checks.sources import source_disagreement
from rbcity.data.checks.spec import load_checks_spec

RULES = load_checks_spec()["rules"]


def panel(records, unit="万元", level="prefecture"):
    """records: (unit_id, year, indicator_id, value) → the checks' long shape, sorted."""
    df = pd.DataFrame(records, columns=["unit_id", "year", "indicator_id", "value"])
    df = df.assign(revision=1, source="test", unit=unit, level=level)
    return df.sort_values(["unit_id", "indicator_id", "year"]).reset_index(drop=True)


def series(uid, ind, values, start=2004):
    return [(uid, start + i, ind, float(v)) for i, v in enumerate(values)]


def grow(v0, rates):
    out = [v0]
    for r in rates:
        out.append(out[-1] * (1 + r))
    return out


def flagged(res):
    return sorted(zip(res.findings["unit_id"], res.findings["year"], res.findings["indicator_id"], strict=True))


# five ordinary cities growing 8–12 % a year give the indicator its typical volatility
ORDINARY = [r for k in range(5) for r in series(f"c{k}", "gdp", grow(1e6, [0.08 + 0.01 * k, 0.12, 0.09, 0.11,
                                                                           0.10, 0.08, 0.12, 0.09]))]


def test_yoy_a_real_30_percent_fall_is_not_flagged_a_tenfold_fall_is():
    mining = grow(2e6, [0.10, 0.09, 0.11, -0.30, 0.05, 0.04, 0.06, 0.05])    # the fall is real
    slip = grow(3e6, [0.10, 0.09, 0.11, 0.10, 0.08, 0.12, 0.09])
    slip.append(slip[-1] * 1.1 / 10)                                        # 2012: a tenfold fall
    res = yoy_break(panel(ORDINARY + series("mine", "gdp", mining) + series("slip", "gdp", slip)),
                    RULES["yoy_break"])
    assert flagged(res) == [("slip", 2012, "gdp")]
    d = res.findings["detail"].iloc[0]
    assert d["prev_year"] == 2011 and d["ratio"] == pytest.approx(0.11, rel=1e-6)
    # 7 changes per city × 7 cities, all judged
    assert res.n_checked == 7 * 8


def test_yoy_a_spike_flags_only_its_year_and_volatile_series_are_judged_on_their_own_scale():
    spike = grow(1e6, [0.1] * 8)
    spike[4] = spike[4] / 10            # 2008 a tenth, 2009 back to normal
    # a series that swings ±80 % every year: a 3× jump is ordinary for it
    volatile = [100, 180, 100, 180, 100, 180, 100, 300, 170]
    res = yoy_break(panel(ORDINARY + series("spike", "gdp", spike) + series("vol", "gdp", volatile)),
                    RULES["yoy_break"])
    assert flagged(res) == [("spike", 2008, "gdp")]


def test_yoy_needs_min_years_and_ignores_gaps_longer_than_max_gap():
    short = series("short", "gdp", [100, 10, 100])                      # 3 years < min_years 4
    gap = [("gap", 2004, "gdp", 100.0), ("gap", 2005, "gdp", 110.0), ("gap", 2006, "gdp", 121.0),
           ("gap", 2011, "gdp", 1210.0)]                                 # 5-year gap > max_gap 3
    res = yoy_break(panel(ORDINARY + short + gap), RULES["yoy_break"])
    assert flagged(res) == []


def test_scale_error_power_of_ten_not_a_fivefold_change():
    steady = [100, 102, 104, 1060, 108, 110, 112]         # 2007 ×10 (万 vs 千 slip)
    five = [200, 204, 208, 1060, 216, 220, 224]           # 2007 ×5: a break, not a unit slip
    pct = [45, 46, 47, 0.48, 49, 50, 51]                  # 2007 a ratio among percentages
    res = scale_error(panel(series("a", "x", steady) + series("b", "x", five) + series("p", "y", pct)),
                      RULES["scale_error"])
    assert flagged(res) == [("a", 2007, "x"), ("p", 2007, "y")]
    by = res.findings.set_index("unit_id")["detail"]
    assert by["a"]["power_of_ten"] == 1 and by["p"]["power_of_ten"] == -2
    # neighbours 102, 104, 108, 110 → median 106; log10(1060 / 106) = 1 exactly
    assert by["a"]["neighbour_median"] == pytest.approx(106.0)
    assert by["a"]["log10_ratio"] == pytest.approx(1.0)


def test_scale_error_ignores_a_ten_times_swing_in_a_series_that_is_not_steady():
    fdi = [10, 300, 40, 1000, 90, 20, 700]                # neighbours disagree by far more than 2×
    assert flagged(scale_error(panel(series("f", "fdi", fdi)), RULES["scale_error"])) == []


def test_repeated_value_flags_the_copied_year_only():
    recs = (series("a", "gdp", [100, 110, 110, 130]) + series("b", "hospitals", [5, 5, 6, 6])
            + series("c", "so2_industrial", [0, 0, 3, 4]))
    res = repeated_value(panel(recs), RULES["repeated_value"])
    # hospitals is excluded (counts repeat), zeros are not judged
    assert flagged(res) == [("a", 2006, "gdp")]
    assert res.findings["detail"].iloc[0] == {"same_as_year": 2005}


def test_identity_per_capita_shares_and_components():
    recs = [
        # 100000 万元 / 10 万人 = 10000 元/人
        ("ok", 2010, "gdp", 1e5), ("ok", 2010, "population", 10.0), ("ok", 2010, "gdp_per_capita", 11000.0),
        ("bad", 2010, "gdp", 1e5), ("bad", 2010, "population", 10.0), ("bad", 2010, "gdp_per_capita", 1000.0),
        ("ok", 2010, "primary_employment_share", 60.0), ("ok", 2010, "secondary_employment_share", 30.0),
        ("ok", 2010, "tertiary_employment_share", 11.0),
        ("bad", 2010, "primary_employment_share", 50.0), ("bad", 2010, "secondary_employment_share", 30.0),
        ("bad", 2010, "tertiary_employment_share", 10.0),
        ("ok", 2010, "fiscal_revenue", 9e4), ("bad", 2010, "fiscal_revenue", 2e5),
    ]
    res = identity(panel(recs), RULES["identity"])
    assert flagged(res) == [("bad", 2010, "fiscal_revenue"), ("bad", 2010, "gdp_per_capita"),
                            ("bad", 2010, "tertiary_employment_share")]
    d = res.findings.set_index("indicator_id")["detail"]
    assert d["gdp_per_capita"]["computed"] == pytest.approx(10000.0)
    assert d["tertiary_employment_share"]["computed"] == pytest.approx(90.0)
    assert res.n_checked == 2 + 2 + 2


def test_peer_outlier_on_the_log_scale_and_not_for_percentages():
    # ln values: ln 1000 + 0.05·(k − 15), median offset 0.025, MAD 0.4 → scale 0.593
    recs = [(f"u{k}", 2010, "hospital_beds", 1000 * math.exp(0.05 * (k - 15))) for k in range(30)]
    recs += [("big", 2010, "hospital_beds", 1000 * 20), ("huge", 2010, "hospital_beds", 1000 * 1e4)]
    obs = panel(recs, unit="张")
    pct = panel([(f"u{k}", 2010, "green_coverage", 90.0 + k % 3) for k in range(30)]
                + [("low", 2010, "green_coverage", 5.0)], unit="%")
    res = peer_outlier(pd.concat([obs, pct], ignore_index=True), RULES["peer_outlier"])
    # a twentyfold city is big (z = (ln 20 − 0.025) / 0.593 ≈ 5.0), ten-thousandfold is not a city
    assert flagged(res) == [("huge", 2010, "hospital_beds")]
    assert res.findings["detail"].iloc[0]["robust_z"] == pytest.approx(
        (math.log(1e4) - 0.025) / (0.4 * 1.4826), rel=1e-6)
    assert res.n_checked == 32


def test_peer_outlier_needs_min_peers():
    recs = [(f"u{k}", 2010, "hospital_beds", 1000.0 + k) for k in range(5)] + [("x", 2010, "hospital_beds", 1e9)]
    assert flagged(peer_outlier(panel(recs, unit="张"), RULES["peer_outlier"])) == []


def test_source_disagreement_beyond_the_ratio_only():
    recs = [("a", 2010, "population", 100.0), ("a", 2010, "resident_population", 150.0),
            ("b", 2010, "population", 300.0), ("b", 2010, "resident_population", 100.0),
            ("c", 2011, "population", 300.0), ("c", 2010, "resident_population", 100.0)]
    res = source_disagreement(panel(recs), RULES["source_disagreement"])
    assert flagged(res) == [("b", 2010, "population")]
    assert res.findings["detail"].iloc[0]["other_value"] == 100.0
    assert res.n_checked == 2


def test_evaluate_counts_shares_and_marks_a_rule_firing_too_often():
    recs = series("a", "gdp", [100, 110, 110, 110, 110])       # three copied years of four judged
    spec = load_checks_spec()
    found, stats = evaluate(panel(recs), spec)
    st = {s.rule: s for s in stats}
    assert st["repeated_value"].n_flagged == 3 and st["repeated_value"].n_checked == 4
    assert st["repeated_value"].share == 0.75 and st["repeated_value"].too_many
    assert not st["yoy_break"].too_many
    assert set(found["rule"]) == {"repeated_value"}
    assert list(found["revision"]) == [1, 1, 1]
