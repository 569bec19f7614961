"""The national report's programme table: one row per programme target of the plan, national
progress from the targets run, share of cities reporting, and no_data shown as such."""

from __future__ import annotations

from rbcity.data.programmes import load_programmes
from rbcity.outputs.report.context import _programmes


def test_programme_rows_from_a_run_summary():
    summary = {"targets": [
        {"indicator_id": "successor_industry_parks", "national_value": 5.0, "national_share": 0.05,
         "n_reporting": 3, "n_units": 262, "national_status": "off_track"},
        {"indicator_id": "skills_training_centres", "national_value": float("nan"),
         "national_share": float("nan"), "n_reporting": 0, "n_units": 262, "national_status": "no_data"}]}
    rows = {r["target"]: r for r in _programmes(summary, "zh")}
    assert len(rows) == (load_programmes()["kind"] == "target").sum() == 16
    parks = rows["改造建设100个接续替代产业园区和集聚区"]
    assert (parks["value"], parks["share"], parks["status"], parks["unit"]) == (5.0, 0.05, "off_track", "个")
    assert abs(parks["reporting"] - 3 / 262) < 1e-12
    none = rows["重点扶持200个职业技能实训中心（基地）"]
    assert none["value"] is None and none["reporting"] == 0 and none["status"] == "no_data"
    # a target the run does not carry is no_data too, never zero
    assert rows["培育50个接续替代产业集群"]["status"] == "no_data" and rows["培育50个接续替代产业集群"]["value"] is None
    dur = rows["用8—10年时间新建一批重要矿产勘查开发基地"]
    assert dur["status"] == "not_evaluated" and dur["reason"].startswith("全国勘查工作的时长")


def test_national_report_shows_the_programme_table(fx_html, tables):
    t = tables(fx_html)["targets_programmes"]
    assert t[0] == ["专项", "目标（规划原文）", "全国进展", "占目标", "填报城市比例", "状态"]
    assert len(t) == 17
    body = {r[1]: r for r in t[1:]}
    r = body["培育50个接续替代产业集群（2020）"]  # the fixture run has no programme data
    assert r[2] == "无数据" and r[-1] == "无数据"
    assert body["用8—10年时间新建一批重要矿产勘查开发基地"][-1].startswith("不评估")
