"""Issue 11, values never on the wrong 口径, price basis, city or year — asserted on what is STORED."""

from __future__ import annotations

import pytest
from import_helpers import put, stored

from rbcity.data.importer import import_file


# ------------------------------------------------------------------ header tokens: 口径 and price basis
def test_urban_district_gdp_is_not_whole_city_gdp(engine, tmp_path):
    """The catalogue's 市辖区 twin takes the column; whole-city ``gdp`` stays empty."""
    p = put(tmp_path, "d.csv", "城市,年份,地区生产总值_市辖区_万元\n鹤岗市,2010,123\n")
    rep = import_file(engine, p)
    assert rep.rejects == []
    assert stored(engine, ind="gdp") == {}
    assert stored(engine, ind="gdp_district") == {("230400", 2010, "gdp_district"): 123.0}


def test_urban_district_column_without_a_catalogue_twin_is_rejected(engine, tmp_path):
    p = put(tmp_path, "d.csv", "城市,年份,第三产业占GDP比重_市辖区_%\n鹤岗市,2010,50\n")
    rep = import_file(engine, p)
    assert stored(engine) == {}
    (r,) = rep.rejects
    assert r.reason_code == "scope_mismatch" and "口径 市辖区 has no catalogue indicator" in r.reason
    assert r.column == "第三产业占GDP比重_市辖区_%"


def test_comparable_price_gdp_is_not_current_price_gdp(engine, tmp_path):
    p = put(tmp_path, "k.csv", "城市,年份,地区生产总值_可比价格_万元,地区生产总值(可比价,万元)\n鹤岗市,2010,123,124\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {}
    assert [r.reason_code for r in rep.rejects] == ["scope_mismatch", "scope_mismatch"]
    assert all("价格 可比价" in r.reason for r in rep.rejects)


def test_whole_city_value_kept_beside_an_urban_district_column(engine, tmp_path):
    p = put(tmp_path, "b.csv", "城市,年份,地区生产总值_全市_万元,地区生产总值_市辖区_万元\n鹤岗市,2010,300,120\n")
    rep = import_file(engine, p)
    assert rep.rejects == []
    assert stored(engine, unit_id="230400") == {("230400", 2010, "gdp"): 300.0,
                                                ("230400", 2010, "gdp_district"): 120.0}


def test_the_catalogue_urban_district_indicator_takes_the_column(engine, tmp_path):
    """Scope is part of matching: the catalogue's 市辖区 GDP (``gdp_district``) gets its column."""
    p = put(tmp_path, "b.csv", "城市,年份,地区生产总值_全市_万元,地区生产总值_市辖区_万元,地区生产总值(万元)\n"
                               "鹤岗市,2010,300,120,\n鹤岗市,2011,,,310\n")
    rep = import_file(engine, p)
    assert rep.rejects == []
    assert stored(engine, unit_id="230400") == {("230400", 2010, "gdp"): 300.0,
                                                ("230400", 2010, "gdp_district"): 120.0,
                                                ("230400", 2011, "gdp"): 310.0}  # no 口径 token: the 全市 entry


def test_unknown_header_token_rejects_the_column(engine, tmp_path):
    p = put(tmp_path, "t.csv", "城市,年份,地区生产总值_农村_万元\n鹤岗市,2010,1\n")
    rep = import_file(engine, p)
    assert stored(engine) == {} and rep.reasons() == {"unknown_indicator": 1}


# ------------------------------------------------------------------ every key of the row, and its year
@pytest.mark.parametrize("province,name,wrong", [("黑龙江省", "大同", "140200"), ("北京市", "朝阳", "211300"),
                                                 ("黑龙江", "大同市", "140200")])
def test_province_that_disagrees_rejects_the_row(engine, tmp_path, province, name, wrong):
    p = put(tmp_path, "p.csv", f"省份,城市,年份,gdp(万元)\n{province},{name},2010,5\n山西省,大同,2010,7\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("140200", 2010, "gdp"): 7.0}  # only the 山西 row
    assert (wrong, 2010, "gdp") not in stored(engine, ind="gdp") or wrong == "140200"
    (r,) = [r for r in rep.rejects if r.row == 2]
    assert r.reason_code in ("unknown_city", "ambiguous_city") and province in r.reason


def test_code_and_name_that_disagree_reject_the_row(engine, tmp_path):
    p = put(tmp_path, "c.csv", "代码,城市,年份,gdp(万元)\n140200,鹤岗市,2010,5\n230400,鹤岗市,2010,6\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("230400", 2010, "gdp"): 6.0}
    assert [(r.row, r.reason_code) for r in rep.rejects] == [(2, "city_keys_disagree")]


def test_whole_city_token_never_overrides_the_year(engine, tmp_path):
    p = put(tmp_path, "y.csv", "城市,年份,地区生产总值_当年价格_全市_万元\n巢湖市,2015,100\n哈密市,2013,200\n"
                               "巢湖市,2008,50\n")
    rep = import_file(engine, p)
    assert rep.rejects == []
    assert stored(engine, ind="gdp") == {("340181", 2015, "gdp"): 100.0,   # county-level, not 341400
                                         ("652201", 2013, "gdp"): 200.0,   # county-level, not 650500
                                         ("341400", 2008, "gdp"): 50.0}    # the prefecture until 2011


def test_a_merged_city_after_its_merger_is_rejected_naming_its_successor(engine, tmp_path):
    p = put(tmp_path, "l.csv", "城市,年份,gdp(万元)\n莱芜市,2020,100\n莱芜市,2018,90\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("371200", 2018, "gdp"): 90.0}
    (r,) = rep.rejects
    assert (r.row, r.reason_code) == (2, "city_not_in_year") and "济南" in r.reason and "2019" in r.reason


def test_level_column_is_a_key(engine, tmp_path):
    p = put(tmp_path, "v.csv", "城市,级别,年份,gdp(万元)\n巢湖市,prefecture,2015,1\n巢湖市,county,2015,2\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("340181", 2015, "gdp"): 2.0}
    assert [(r.row, r.reason_code) for r in rep.rejects] == [(2, "city_keys_disagree")]
