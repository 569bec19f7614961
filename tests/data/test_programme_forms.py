"""The plan's programmes end to end: the 21 verified rows in the catalogue, the programme section of
a city's form, and progress against the national targets from values published through forms
(hand-worked: 鹤岗 and 鸡西 in 黑龙江, 阜新 in 辽宁; every other city reports nothing)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reporting_fill import fill, row_of

from rbcity.data.catalogue import load_targets
from rbcity.data.programmes import check_programmes, load_programmes, programme_quantities
from rbcity.data.reporting import workflow as wf
from rbcity.data.reporting.forms import NOTES, PROGRAMME_HEADING, SHEET, build_workbook
from rbcity.data.reporting.scope import Scope
from rbcity.outputs.assess_text import engine_lines
from rbcity.plan.assess import assess
from rbcity.plan.runs import latest_results

HEGANG, JIXI, FUXIN = "230400", "230300", "210900"
SHARED = Path("/work/shared/data/special_programs_2013.csv")


def test_the_21_verified_rows_are_shipped_and_agree_with_the_catalogue():
    p = load_programmes()
    assert len(p) == 21 and (p["verification"] == "verified_text").all()
    assert p["kind"].value_counts().to_dict() == {"target": 16, "baseline_fact": 5}
    check_programmes()  # same value, year and type as the catalogue's target rows
    tg = load_targets().set_index("indicator_id")
    assert (tg.at["successor_industry_parks", "target_value"], tg.at["successor_industry_parks", "mode"]) == (100, "count")
    assert tg.at["technical_schools_supported", "target_year"] == 2020  # no year in the text: horizon
    assert "rbcity 解读" in tg.at["technical_schools_supported", "source"]
    if SHARED.is_file():  # the verified numbers are the shared file's, row for row
        with SHARED.open(encoding="utf-8") as fh:
            ver = [r for r in csv.DictReader(fh) if r["status"] == "verified_text"]
        assert len(ver) == 21
        printed = sorted(r["quantity"] for r in ver if r["quantity"])
        # four targets state no number (停止, 基本完成, 完全达标, 不低于省平均): rbcity's reading is marked
        readings = p["target"].str.contains("读作")
        assert readings.sum() == 4
        assert printed == sorted(str(q) for q in p.loc[~readings, "quantity"])


def _publish(engine, unit, province, year, values):
    rep, prov, nat = (Scope("r", "reporter", unit, ""), Scope("p", "province_reviewer", "", province),
                      Scope("n", "national_reviewer"))
    v = wf.upload(engine, rep, unit, year, fill(build_workbook(engine, unit, year), values))["version"]
    v = wf.act(engine, rep, unit, year, "submit", version=v)["version"]
    v = wf.act(engine, prov, unit, year, "accept", version=v)["version"]
    assert wf.act(engine, nat, unit, year, "publish", version=v)["status"] == "published"


def test_form_has_a_programme_section(engine):
    data = build_workbook(engine, HEGANG, 2014)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    head = next(r for r in range(4, ws.max_row + 1) if ws[f"A{r}"].value == PROGRAMME_HEADING)
    below = {ws[f"D{r}"].value for r in range(head + 1, ws.max_row + 1)}
    assert below == set(programme_quantities())  # all of them, and only them, after the heading
    assert row_of(data, "successor_industry_parks") > head > row_of(data, "gdp")
    assert ws[f"F{row_of(data, 'subsidence_area_remediated')}"].value == "公顷"
    notes = [r[0] for r in load_workbook(io.BytesIO(data))[NOTES].iter_rows(min_row=2, values_only=True)]
    assert notes[-1] == "programme"


@pytest.fixture
def published(engine):
    _publish(engine, HEGANG, "黑龙江省", 2013, {"reemployed_persons": 1.2, "shantytown_area_renovated": 30})
    _publish(engine, HEGANG, "黑龙江省", 2014, {"reemployed_persons": 0.8, "successor_industry_parks": 2,
                                               "shantytown_area_renovated": 20})
    _publish(engine, JIXI, "黑龙江省", 2014, {"reemployed_persons": 0.5, "successor_industry_parks": 3})
    _publish(engine, FUXIN, "辽宁省", 2014, {"successor_industry_parks": 0, "demonstration_city": 1})
    return engine


def test_progress_by_city_province_and_nation(published):
    res = assess(published, 2014, engines=["targets"])
    w = latest_results(published, "targets", 2014).set_index("unit_id")
    k = "reemployed_persons"  # cumulative: flows since 2013 summed
    assert w.loc[HEGANG, f"{k}.value"] == pytest.approx(2.0) and w.loc[HEGANG, f"{k}.status"] == "reported"
    assert w.loc[HEGANG, f"{k}.share_covered"] == pytest.approx(2.0 / 500)
    assert w.loc["province:黑龙江省", f"{k}.value"] == pytest.approx(2.5)
    assert w.loc["province:辽宁省", f"{k}.status"] == "no_data" and math.isnan(w.loc["province:辽宁省", f"{k}.value"])
    assert w.loc["national", f"{k}.value"] == pytest.approx(2.5)
    # 2 observations: on schedule needs 2.5/500 ≥ (2014−2012)/(2020−2012) = 0.25 → behind, but
    # a sum over 2 of 262 cities is a lower bound: incomplete, not off track
    assert w.loc["national", f"{k}.status"] == "incomplete"
    p = "successor_industry_parks"  # count: items in place, summed; 阜新's 0 is a report, not a gap
    assert w.loc["national", f"{p}.value"] == 5 and w.loc["national", f"{p}.share_covered"] == pytest.approx(0.05)
    assert w.loc[FUXIN, f"{p}.value"] == 0 and w.loc[FUXIN, f"{p}.status"] == "reported"
    assert w.loc["province:辽宁省", f"{p}.value"] == 0
    rows = {t["indicator_id"]: t for t in res.summaries["targets"]["targets"]}
    assert (rows[p]["n_reporting"], rows[k]["n_reporting"], rows[p]["n_units"]) == (3, 2, 262)
    assert rows["demonstration_city"]["national_value"] == 1
    s = rows["skills_training_centres"]  # nobody reported: no_data, never zero
    assert s["national_status"] == "no_data" and s["n_reporting"] == 0 and math.isnan(s["national_value"])
    text = "\n".join(engine_lines("targets", res.summaries["targets"], "en"))
    assert "successor_industry_parks [合理引导产业集聚发展] (count >= 100 by 2020): national incomplete, " \
           "value 5 (5.0%), cities reporting 3/262" in text
    # targets nobody reported are one summary line (findings first), never a zero
    empty = next(line for line in text.splitlines() if "targets without data" in line)
    assert "skills_training_centres" in empty and "successor_industry_parks" not in empty
    assert "skills_training_centres [" not in text


def test_report_table_carries_the_published_progress(published):
    from rbcity.outputs.report.context import build_report_data

    assess(published, 2014, engines=["targets"])
    rows = {r["target"]: r for r in build_report_data(published, 2014, "zh").targets["programmes"]}
    parks = rows["改造建设100个接续替代产业园区和集聚区"]
    assert (parks["value"], parks["share"], parks["status"]) == (5.0, 0.05, "incomplete")
    assert parks["reporting"] == pytest.approx(3 / 262)
    re_ = rows["到2020年累计吸纳500万人再就业"]
    assert re_["value"] == pytest.approx(2.5) and re_["reporting"] == pytest.approx(2 / 262)
    assert rows["重点扶持200个职业技能实训中心（基地）"]["value"] is None  # nobody reported
