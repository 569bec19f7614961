"""The national report's content: every section, the engines' numbers, nothing unresolved,
missing engine results shown as 'not computed' with a reason (never as zeros)."""

from __future__ import annotations

import engine_rows as fx
import pytest

from rbcity.outputs.report._runs_contract import latest_results
from rbcity.outputs.report.national import SECTIONS, render_national
from store_urls import fresh_url


def _section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}"')
    return html[start:html.index("</section>", start)]


def test_every_section_present_in_order_and_nothing_unresolved(fx_html):
    pos = [fx_html.index(f'<section id="{sid}"') for sid, _, _ in SECTIONS]
    assert pos == sorted(pos)
    body = fx_html[:fx_html.index("<script>")]  # the inlined echarts.min.js is not ours
    assert "{{" not in body and "{%" not in body and "Undefined" not in body
    for _, zh, _ in SECTIONS:
        assert zh in body


def test_registry_at_a_glance(fx_html, tables):
    t = tables(fx_html)
    lt = t["level_type"]
    assert lt[0] == ["级别", "成长型", "成熟型", "衰退型", "再生型", "合计"]
    # totals row: the 2013 plan's 31 growth, 141 mature, 67 declining, 23 regenerating = 262
    assert lt[-1] == ["合计", "31", "141", "67", "23", "262"]
    assert lt[1][0] == "地级行政区" and lt[1][-1] == "126"
    prov = {c.split()[0]: int(c.split()[1]) for row in t["provinces"] for c in row}
    assert prov["云南省"] == 17 and prov["辽宁省"] == 15 and sum(prov.values()) == 262 and len(prov) == 28
    assert t["exhausted_batches"][1] == ["城市数", "12", "32", "25", "69"]
    assert 'data-not-computed="resource_kind"' in fx_html  # blank in the registry: said so, not counted


def test_classification_numbers_equal_engine_results(fx_html, tables):
    t = tables(fx_html)
    m = {r[0]: r[1:] for r in t["transitions"][1:]}
    assert m["衰退型"] == ["0", "0", "1", "1", "2"]  # declining → declining 1, → regenerating 1
    assert m["再生型"] == ["0", "0", "0", "2", "2"]
    moved = t["moved"][1:]
    assert len(moved) == 1 and moved[0][:5] == ["阜新市", "衰退型", "再生型", "0.220", "0.580"]
    assert "超过再生型阈值0.55" in moved[0][5]
    assert t["moved_groups"][1:] == [["衰退型 → 再生型", "1", "阜新市"]]
    sec = _section(fx_html, "sec-classification")
    assert "一致率：80.0%" in sec
    # the section only counts the unscored; the appendix counts them by reason
    assert "未评分城市 257 个" in sec and "焦作市" not in sec
    gaps = {(r[0], r[1]): r[2] for r in t["not_computed"][1:]}
    # 焦作 has a stored 'missing' reason; the other 256 have no row at all
    assert gaps[("综合分类与动态调整", "缺少2020年指标数据")] == "1"
    assert gaps[("综合分类与动态调整", "无结果：存储的运行中没有该城市的结果（通常因缺少数据）")] == "256"


def test_targets_warning_coordination_exhausted(fx_engine, fx_html, tables):
    t = tables(fx_html)
    nat = {r[0]: r[1:] for r in t["targets_national"][1:]}
    assert nat["urbanization_rate"] == ["57.80", "63.10", "60.00", "64.00", "92%", "↑ 已实现"]
    assert nat["forest_coverage"][-1] == "➚ 进度滞后"
    assert t["targets_type:declining"][1][-1] == "➚ 进展顺利"
    ser = t["warning_serious"][1:]
    assert [r[0] for r in ser] == ["鹤岗市"]
    wr = latest_results(fx_engine, "warning", 2020).set_index("unit_id")
    assert ser[0][3] == f"{wr.loc[fx.HEGANG, 'safety_score']:.1f}" == "38.5"
    assert "人均地区生产总值 31%" in ser[0][5]  # obstacle named from the indicator catalogue
    co = t["coordination"][1:]
    assert [r[0] for r in co] == ["唐山市", "大同市", "鹤岗市"]  # by D descending
    assert co[0][1:5] == ["0.835", "0.990", "0.705", "良好协调"]
    rank = t["exhausted_ranking"][1:]
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rank] == [
        ("1", "阜新市", "82.5", "优秀", "奖励"), ("2", "鹤岗市", "61.0", "合格", "保持"),
        ("3", "焦作市", "48.0", "较差", "退出预警")]
    assert t["confusion"][1][1:] == ["150", "30"] and t["confusion"][2][1:] == ["40", "120"]


def test_specs_and_coverage(fx_html, tables):
    t = tables(fx_html)
    cov = {r[0]: r[1:] for r in t["engine_coverage"][1:]}
    assert cov["预警"] == ["#4", "4", "4 / 262"]
    sec = _section(fx_html, "sec-methods")
    assert sec.count("spec_hash") == 6 and "warn0123456789abcdef" in sec and "data_revision 7" in sec
    assert t["coverage_years"][1:] == [["2018", "4", "4", "1"], ["2019", "4", "4", "1"], ["2020", "4", "4", "1"]]
    assert "测试数据 test fixture" in _section(fx_html, "sec-attribution")


def test_attributions_and_map_caption(fx_html):
    sec = _section(fx_html, "sec-attribution")
    for name in ("FIERsity", "CC BY 4.0", "leiii/census", "Apache ECharts", "cpca"):
        assert name in sec
    assert "示意图，非标准地图" in fx_html


@pytest.fixture(scope="module")
def empty_html(registry_engine):
    from rbcity.outputs.report.context import build_report_data

    return render_national(build_report_data(registry_engine, 2020, "zh"), "html")


def test_no_runs_every_engine_section_says_not_computed(empty_html, tables):
    for sid, eng in [("sec-classification", "classify"), ("sec-targets", "targets"), ("sec-warning", "warning"),
                     ("sec-coordination", "coordination"), ("sec-exhausted", "exhausted_assessment"),
                     ("sec-identify", "identify")]:
        sec = _section(empty_html, sid)
        assert f'data-not-computed="{eng}"' in sec and "未计算" in sec and "没有该引擎2020年的运行记录" in sec
        assert "<table" not in sec  # no table of zeros
    t = tables(empty_html)
    assert all(r[1] == "未计算" for r in t["engine_coverage"][1:])
    assert 'data-not-computed="observations"' in _section(empty_html, "sec-coverage")
    assert 'id="map-type"' in empty_html and 'id="map-warning"' not in empty_html


def test_english_report(fx_engine):
    from rbcity.outputs.report.context import build_report_data

    html = render_national(build_report_data(fx_engine, 2020, "en"), "html")
    body = html[:html.index("<script>")]
    assert "The registry at a glance" in body and "Executive summary" in body and "Heilongjiang" in body
    assert "{{" not in body


def test_exact_reasons_from_assess_and_scope_from_summary(fx_engine):
    from rbcity.outputs.report.context import build_report_data

    detail = [("warning", fx.BAOTOU, "指标不足 too few indicators"), ("targets", "*", "目标缺数据 no target data")]
    d = build_report_data(fx_engine, 2020, "zh", not_computed=detail)
    nc = {(n.engine, n.reason): n.names for n in d.not_computed}
    assert nc[("warning", "指标不足 too few indicators")] == ["包头市"]
    assert nc[("targets", "目标缺数据 no target data")] == []
    # the coordination run's summary says only growth/mature cities are evaluated
    scope = [n for n in d.not_computed if n.engine == "coordination" and "不在评价范围" in n.reason]
    assert len(scope) == 1 and "鹤岗市" not in scope[0].names and "阜新市" in scope[0].names


def test_lang_part_of_bilingual_reason():
    from rbcity.outputs.report.context import lang_part

    s = "资源得分0.30低于阈值0.40 / resource 0.30 below 0.40"
    assert lang_part(s, "zh") == "资源得分0.30低于阈值0.40" and lang_part(s, "en") == "resource 0.30 below 0.40"
    assert lang_part("a / b", "zh") == "a / b"  # no Chinese half: left whole


def test_run_without_any_city_result_shows_no_zero_chart(tmp_path, tables):
    """An engine that ran but scored nobody (all values NULL): no chart or map, a labelled box."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from rbcity.data import schema as s
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.report.context import build_report_data

    eng = open_store(fresh_url(tmp_path / 'w.sqlite'))
    load_registry_into(eng)
    with eng.begin() as conn:
        rid = conn.execute(insert(s.run).values(
            engine="warning", year=2020, spec={}, spec_hash="x", data_revision=0, version="0",
            created_at=datetime(2026, 1, 1, tzinfo=UTC), summary={})).inserted_primary_key[0]
        conn.execute(insert(s.result), [dict(run_id=rid, unit_id=u, year=2020, key="level", value=None, text=None)
                                        for u in (fx.HEGANG, fx.DATONG)])
    html = render_national(build_report_data(eng, 2020, "zh"), "html")
    sec = _section(html, "sec-warning")
    assert "<svg" not in sec and 'id="map-warning"' not in sec
    assert "未评分城市 262 个" in sec
    gaps = {(r[0], r[1]): r[2] for r in tables(html)["not_computed"][1:]}
    assert gaps[("预警", "无结果：存储的运行中没有该城市的结果（通常因缺少数据）")] == "262"


def test_engine_whose_data_end_earlier_shows_its_last_year(tmp_path, tables):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from rbcity.data import schema as s
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.map_layers import map_layer
    from rbcity.outputs.report.context import build_report_data

    eng = open_store(fresh_url(tmp_path / 'y.sqlite'))
    load_registry_into(eng)
    with eng.begin() as conn:
        for year, level in ((2010, 1), (2012, 4)):
            rid = conn.execute(insert(s.run).values(
                engine="warning", year=year, spec={}, spec_hash="x", data_revision=0, version="0",
                created_at=datetime(2026, 1, 1, tzinfo=UTC), summary={})).inserted_primary_key[0]
            conn.execute(insert(s.result), [
                dict(run_id=rid, unit_id=fx.HEGANG, year=year, key="level", value=level, text=None),
                dict(run_id=rid, unit_id=fx.HEGANG, year=year, key="level_label", value=None, text="巨警"),
                dict(run_id=rid, unit_id=fx.HEGANG, year=year, key="safety_score", value=12.0, text=None)])
    html = render_national(build_report_data(eng, 2020, "zh"), "html")
    sec = _section(html, "sec-warning")
    assert "2020年无该引擎的运行（数据止于2012年），本节显示2012年的结果" in sec
    assert tables(html)["warning_serious"][1][:3] == ["鹤岗市", "黑龙江省", "巨警"]  # the 2012 run, not 2010
    cov = {r[0]: r for r in tables(html)["engine_coverage"][1:]}
    assert cov["预警"][1] == "#2（2012）"
    from rbcity.outputs.report.profile import build_profile_data, render_profile

    prof = render_profile(build_profile_data(eng, fx.HEGANG, 2020, "zh"), "html")
    assert "预警等级（2012年结果）：<b>巨警</b>（4）" in prof
    layer = map_layer(eng, "warning", 2020)
    assert "2012" in layer.note and layer.frame.loc[layer.frame["name"] == "鹤岗市", "warning"].item() == 4


def test_map_titles_carry_the_run_year(fx_data):
    from rbcity.outputs.report.national import map_options

    opts = map_options(fx_data)
    assert opts["map-type"]["title"]["text"] == "城市类型（2013）"
    assert opts["map-warning"]["title"]["text"] == "预警等级（2020年）"
    assert len(opts["map-warning"]["series"][4]["data"]) == 0  # nobody at 巨警 in the fixture
    assert [len(s["data"]) for s in opts["map-warning"]["series"][:4]] == [1, 1, 1, 1]


def test_classification_check_comes_first_and_words_follow_the_verdict(fx_html):
    """The section opens with its validity box; a type the model gives is worded as a
    re-classification (发生变化) only under a valid card, otherwise as 'the model's type differs'."""
    import re

    sec = _section(fx_html, "sec-classification")
    verdict = re.search(r'data-validity="(\w+)"', sec).group(1)
    assert sec.index("data-validity=") < sec.index('data-table="transitions"')
    assert verdict == "not_checked"  # the fixture's classify run carries no card
    assert "模型类型与2013年类型不同 1 个" in sec and "发生变化" not in sec
    assert "模型类型与2013年不同的城市（仅供参考）" in sec and "类型变化的城市" not in sec
