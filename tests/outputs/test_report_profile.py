"""City profile: identity and code history, type and why, trends against hand-computed
province/type averages, warnings, targets; missing results labelled, never zero."""

from __future__ import annotations

import pytest

from rbcity.outputs.report.profile import PROFILE_SECTIONS, build_profile_data, render_profile


@pytest.fixture(scope="module")
def hegang(fx_engine):
    return build_profile_data(fx_engine, "230400", 2020, "zh")


def test_trends_against_province_and_type_means(hegang):
    (tr,) = hegang.trends
    assert tr["indicator_id"] == "gdp_per_capita" and tr["years"] == [2018, 2019, 2020]
    assert tr["city"] == [30000, 31000, 32000]
    # 黑龙江 registry cities with data: 鹤岗 32000, 大庆 110000, 伊春 22000 (2020)
    assert tr["province"][2] == pytest.approx((32000 + 110000 + 22000) / 3) and tr["province_n"] == 3
    # declining (2013) cities with data: 鹤岗, 伊春, 阜新
    assert tr["type"] == [pytest.approx(25000), pytest.approx(26000), pytest.approx(27000)] and tr["type_n"] == 3


def test_profile_html(hegang, tables):
    html = render_profile(hegang, "html")
    assert "{{" not in html and "<script" not in html  # static: no scripts needed
    for sid, zh, _ in PROFILE_SECTIONS:
        assert f'<section id="{sid}"' in html and zh in html
    t = tables(html)
    assert t["identity"][0][:2] == ["名称（2013）", "鹤岗市"] and t["identity"][2][3] == "2011"
    assert t["code_history"][1][0] == "230400"
    assert "资源0.30&lt;0.40" in html and "重警" in html and "38.5" in html
    assert t["obstacles"][1] == ["人均地区生产总值", "31.0%"]
    assert "勉强协调" in html and "排名 2 / 3" in html
    assert html.count("<svg") == 1  # one trend chart


def test_profile_missing_results_are_labelled(fx_engine, tables):
    p = build_profile_data(fx_engine, "410800", 2020, "zh")  # 焦作: classify says why it is missing
    html = render_profile(p, "html")
    assert 'data-not-computed="classify"' in html and "缺少2020年指标数据" in html
    assert 'data-not-computed="warning"' in html and 'data-not-computed="trends"' in html
    assert "排名 3 / 3" in html  # its assessment is there
    assert 'data-not-computed="targets"' in html


def test_profile_english(fx_engine):
    html = render_profile(build_profile_data(fx_engine, "140200", 2020, "en"), "html")
    assert "City profile: Datong" in html and "Shanxi" in html and "achieved" in html
    assert "大同" not in html  # the city name in pinyin, not Chinese
