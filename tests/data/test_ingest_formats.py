"""Issue 13: the files analysts hold import with no option, converted, with the mapping shown.

Fixtures are made in tests/data/fmt_fixtures.py in each layout; expected values are the
fixture's numbers times the unit factor, computed by hand in each test."""

from __future__ import annotations

import pandas as pd
import pytest
from fmt_fixtures import (
    write_csmar,
    write_stata_labels,
    write_stata_names,
    write_yearbook_csv,
    write_yearbook_txt,
    write_yearbook_xlsx,
)

from rbcity.data.catalogue import twin
from rbcity.data.importer import import_file
from rbcity.data.ingest.colmap import map_column, split_glued_unit
from rbcity.data.ingest.headers import parse_header
from rbcity.data.ingest.readers.csmar import parse_des
from rbcity.data.ingest.readers.yearbook import parse_grid
from rbcity.data.panel import load_panel


def _value(engine, unit_id, year, ind):
    p = load_panel(engine, indicators=[ind], units=[unit_id], years=[year])
    assert len(p) == 1, p
    return float(p["value"].iloc[0])


def _maps(rep):
    return {m["column"]: m for m in rep.mapping}


# ------------------------------------------------------------------ catalogue identity (口径, price)
def test_district_header_maps_to_the_district_twin_never_to_the_whole_city():
    assert parse_header("地区生产总值_市辖区_万元").indicator_id == "gdp_district"
    assert parse_header("地区生产总值（市辖区）（万元）").indicator_id == "gdp_district"
    assert parse_header("地区生产总值_全市_万元").indicator_id == "gdp"
    assert parse_header("GDP（万元）").indicator_id == "gdp"  # no 口径 token: the 全市 entry
    no_twin = parse_header("医院数_市辖区")
    assert no_twin.indicator_id is None and no_twin.reason_code == "scope_mismatch"


def test_comparable_price_gdp_is_not_current_gdp():
    hm = parse_header("地区生产总值_可比价格_全市_万元")
    assert hm.indicator_id is None and hm.reason_code == "scope_mismatch" and "可比价" in hm.reason
    assert twin("gdp", "市辖区") == "gdp_district" and twin("gdp_district", "全市") == "gdp"
    assert twin("hospitals", "市辖区") is None


def test_glued_unit_and_label_matching():
    assert split_glued_unit("年末户籍人口万人") == ("年末户籍人口", "万人")
    assert split_glued_unit("地区生产总值亿元") == ("地区生产总值", "亿元")
    m = map_column("v1", "年末户籍人口（万人）")
    assert (m.indicator_id, m.unit, m.matched_by) == ("population", "万人", "label")
    m = map_column("年末户籍人口万人")
    assert (m.indicator_id, m.unit, m.matched_by) == ("population", "万人", "header name+unit")
    assert map_column("qq", "无此指标").indicator_id is None


# ------------------------------------------------------------------ CSMAR
def test_parse_des_lines():
    des = parse_des("Gdpct01 [国内生产总值] - 单位：亿元\nEect04 [人口密度(人/平方公里)] - \n垃圾行\n")
    assert des["Gdpct01"] == {"label": "国内生产总值", "note": "单位：亿元", "unit": "亿元"}
    assert des["Eect04"]["unit"] == "人/平方公里" and len(des) == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csmar_with_des_imports_without_options(engine, tmp_path, fmt):
    rep = import_file(engine, write_csmar(tmp_path, fmt))
    assert rep.status == "committed" and rep.kind == "csmar"
    # 大同 2015: Gdpct01 = 1000.5 亿元 = 10 005 000 万元; 鞍山 2016: 1101.5 亿元
    assert _value(engine, "140200", 2015, "gdp") == pytest.approx(10_005_000)
    assert _value(engine, "210300", 2016, "gdp") == pytest.approx(11_015_000)
    assert _value(engine, "150200", 2015, "tertiary_share") == pytest.approx(42.0)
    assert _value(engine, "140200", 2016, "fdi") == pytest.approx(5000.0)  # unit from the DES (万美元)
    maps = _maps(rep)
    assert (maps["Gdpct01"]["indicator"], maps["Gdpct01"]["unit"], maps["Gdpct01"]["scope"]) == ("gdp", "亿元", "全市")
    assert maps["Gdpct01"]["matched_by"] == "CSMAR profile + DES" and maps["Gdpct01"]["label"] == "国内生产总值"
    rej = [r for r in rep.rejects if r.column == "Gdpct99"]
    assert len(rej) == 1 and rej[0].row is None and "某项新指标" in rej[0].reason
    assert rep.n_accepted == 3 * 2 * 3  # 3 cities × 2 years × 3 mapped fields


def test_csmar_without_des_rejects_the_field_whose_unit_only_the_des_states(engine, tmp_path):
    rep = import_file(engine, write_csmar(tmp_path, "csv", des=False))
    assert _value(engine, "140200", 2015, "gdp") == pytest.approx(10_005_000)
    fdi = [r for r in rep.rejects if r.column == "Fict03"]
    assert len(fdi) == 1 and fdi[0].reason_code == "unit_missing"
    assert load_panel(engine, indicators=["fdi"]).empty


def test_csmar_des_saying_district_selects_the_twin(engine, tmp_path):
    path = write_csmar(tmp_path, "csv")
    (tmp_path / "CRE_Gdpct[DES][csv].txt").write_text(
        "Gdpct01 [国内生产总值] - 市辖区，单位：亿元\nGdpct04 [第三产业占GDP比重] - 市辖区\nFict03 [外商实际投资额] - 单位：万美元\n",
        encoding="utf-8")
    rep = import_file(engine, path)
    maps = _maps(rep)
    assert maps["Gdpct01"]["indicator"] == "gdp_district"
    assert maps["Gdpct04"]["indicator"] is None and "市辖区" in maps["Gdpct04"]["note"]  # no district twin
    assert _value(engine, "140200", 2015, "gdp_district") == pytest.approx(10_005_000)
    assert load_panel(engine, indicators=["gdp"]).empty


# ------------------------------------------------------------------ Stata / SPSS
def test_dta_with_chinese_labels(engine, tmp_path):
    rep = import_file(engine, write_stata_labels(tmp_path / "panel.dta"))
    assert rep.status == "committed" and rep.kind == "stata"
    assert _value(engine, "140200", 2016, "gdp") == pytest.approx(1.6e7)
    assert _value(engine, "210300", 2015, "population") == pytest.approx(350.0)
    maps = _maps(rep)
    assert maps["v_gdp"]["matched_by"] == "label" and maps["v_gdp"]["label"] == "地区生产总值（万元）"
    assert [r.column for r in rep.rejects] == ["v_odd"]


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_chinese_names_with_glued_units(engine, tmp_path, suffix):
    rep = import_file(engine, write_stata_names(tmp_path / f"names{suffix}", sav=suffix == ".sav"))
    assert rep.n_rejected == 0
    assert _value(engine, "210300", 2016, "gdp") == pytest.approx(2600.0 * 1e4)  # 亿元 → 万元
    assert _value(engine, "210300", 2015, "population") == pytest.approx(350.0)


# ------------------------------------------------------------------ yearbook tables
def test_two_level_yearbook_xlsx(engine, tmp_path):
    rep = import_file(engine, write_yearbook_xlsx(tmp_path / "yb.xlsx"))
    assert rep.status == "committed" and rep.kind == "yearbook"
    # year 2016 from the title; 大  同 → 大同; indicator over 全市/市辖区; 万人 in the header beats 单位：万元
    assert _value(engine, "140200", 2016, "gdp") == pytest.approx(11_000_000)
    assert _value(engine, "140200", 2016, "gdp_district") == pytest.approx(6_000_000)
    assert _value(engine, "210300", 2016, "population_district") == pytest.approx(150.0)
    assert rep.n_accepted == 8 and rep.n_rejected == 0
    assert any("notes rows skipped: 2" in n for n in rep.notes)


def test_tab_separated_txt_with_units_row(engine, tmp_path):
    rep = import_file(engine, write_yearbook_txt(tmp_path / "env.txt"))
    assert rep.n_accepted == 4 and rep.n_rejected == 0
    assert _value(engine, "150200", 2014, "industrial_wastewater") == pytest.approx(6000.0)
    assert _value(engine, "140200", 2014, "so2_industrial") == pytest.approx(120000.0)


def test_csv_with_title_lines(engine, tmp_path):
    rep = import_file(engine, write_yearbook_csv(tmp_path / "fiscal.csv"))
    assert rep.n_accepted == 4
    assert _value(engine, "210300", 2015, "fiscal_expenditure") == pytest.approx(2_500_000)


def test_parse_grid_fills_csv_merges_and_stops_at_notes():
    grid = [["城市", "地区生产总值", "", "人口"], ["", "全市", "市辖区", "万人"],
            ["甲", "1", "2", "3"], ["资料来源：年鉴", "", "", ""], ["乙", "9", "9", "9"]]
    got = parse_grid(grid, ".csv")
    assert got["headers"] == ["城市", "地区生产总值_全市", "地区生产总值_市辖区", "人口_万人"]
    assert got["body"] == [["甲", "1", "2", "3"]] and got["rows"] == [3]


def test_plain_wide_csv_still_reads_and_shows_its_mapping(engine, tmp_path):
    p = tmp_path / "plain.csv"
    pd.DataFrame({"城市": ["大同市"], "年份": [2012], "地区生产总值（万元）": [9.5e6]}).to_csv(p, index=False)
    rep = import_file(engine, p)
    assert rep.kind == "" and rep.n_accepted == 1
    assert [(m["column"], m["indicator"], m["matched_by"]) for m in rep.mapping] == [("地区生产总值（万元）", "gdp", "header")]


# ------------------------------------------------------------------ export for researchers
def test_stata_export_has_chinese_and_english_labels(engine, tmp_path):
    import pyreadstat

    from rbcity.data.export import export_panel

    import_file(engine, write_yearbook_xlsx(tmp_path / "yb.xlsx"))
    export_panel(engine, tmp_path / "panel.dta", layout="wide")
    df, meta = pyreadstat.read_dta(str(tmp_path / "panel.dta"))
    labels = meta.column_names_to_labels
    assert labels["gdp_district"] == "地区生产总值（市辖区） / GDP, urban districts (万元)"
    assert labels["year"] == "年份 / year"
    row = df[(df["unit_id"] == "140200") & (df["year"] == 2016)].iloc[0]
    assert row["gdp"] == pytest.approx(11_000_000) and row["population_district"] == pytest.approx(180.0)


def test_broken_or_keyless_stata_files_fail_with_a_reason(engine, tmp_path):
    import pyreadstat

    bad = tmp_path / "bad.dta"
    bad.write_bytes(b"not a stata file at all")
    rep = import_file(engine, bad)
    assert rep.status == "failed" and rep.reasons() == {"broken_file": 1}
    nokey = tmp_path / "nokey.dta"
    pyreadstat.write_dta(pd.DataFrame({"gdp": [1.0]}), str(nokey))
    rep = import_file(engine, nokey)
    assert rep.status == "failed" and rep.reasons() == {"bad_layout": 1}
    assert "no year or city variable" in rep.rejects[0].reason
