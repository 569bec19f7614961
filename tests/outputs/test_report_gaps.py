"""The appendix counts held-out values by plausibility rule, not one row per city and value."""

from rbcity.outputs.report.gaps import reason_group


def test_held_out_values_group_by_rule():
    a = reason_group("warning: held out: 北京市 2011 so2_industrial = 154714 flagged by yoy_break "
                     "(finding #1; rbcity checks confirm/correct)")
    b = reason_group("warning: held out: 呼伦贝尔市 2012 gdp_per_capita = 9664.39 flagged by yoy_break "
                     "(finding #77; rbcity checks confirm/correct)")
    c = reason_group("warning: held out: 东营市 2010 population = 656.6 flagged by source_disagreement "
                     "(finding #9; rbcity checks confirm/correct)")
    assert a == b and a != c
    assert "yoy_break" in a and "北京" not in a and "source_disagreement" in c


def test_missing_indicator_tails_still_dropped():
    assert reason_group("warning: fewer than 0.5 of the indicators; missing: gdp, tertiary_share") == \
        "warning: fewer than 0.5 of the indicators"
