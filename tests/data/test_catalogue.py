"""The catalogue: the contract's ids, units and dimensions; only verified targets shipped;
header parsing; unit conversion; idempotent sync."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from rbcity.data import schema as s
from rbcity.data.catalogue import (
    CATALOGUE_COLUMNS,
    TARGET_COLUMNS,
    load_catalogue,
    load_targets,
    match_header,
    sync_catalogue,
)
from rbcity.data.units import UnitProblem, factor

CONTRACT = {
    "gdp": "万元", "gdp_per_capita": "元/人", "industrial_output": "万元", "retail_sales": "万元", "fdi": "万美元",
    "tertiary_share": "%", "fiscal_revenue": "万元", "fiscal_revenue_share": "%", "population": "万人",
    "urban_population_share": "%", "mining_employment_share": "%", "primary_employment_share": "%",
    "secondary_employment_share": "%", "tertiary_employment_share": "%", "aged_65_share": "%",
    "hospital_beds": "张", "health_workers_per_1000": "人", "school_students": "人", "so2_industrial": "吨",
    "nox_industrial": "吨", "garbage_treatment_rate": "%", "green_area_per_capita": "平方米",
    "green_coverage": "%", "night_lights": "DN sum", "urban_employment": "人",
}
PLAN_ONLY = ["resource_productivity", "successor_industry_share", "solid_waste_utilisation", "mining_water_reuse",
             "reemployed_persons", "shantytown_renovation", "industrial_wastewater_compliance"]


def test_contract_ids_units_dimensions():
    cat = load_catalogue()
    assert list(cat.columns) == CATALOGUE_COLUMNS
    assert cat["indicator_id"].is_unique
    units = dict(zip(cat["indicator_id"], cat["unit"], strict=True))
    for ind, unit in CONTRACT.items():
        assert units[ind] == unit, ind
    assert set(PLAN_ONLY) <= set(units)
    assert set(cat["dimension"]) == {"resource", "economy", "society", "environment"}
    assert set(cat["direction"]) == {1, -1}
    d = cat.set_index("indicator_id")["direction"]
    assert d["so2_industrial"] == d["nox_industrial"] == -1 and d["gdp"] == 1
    shares = cat[cat["unit"] == "%"]
    assert (shares["min_value"] == 0).all() and (shares["max_value"] == 100).all()
    assert (cat["name_zh"].str.len() > 0).all() and (cat["name_en"].str.len() > 0).all()


def test_only_verified_text_targets_are_shipped():
    t = load_targets()
    assert list(t.columns) == TARGET_COLUMNS
    assert set(t["status"]) <= {"verified_text", "text_reading"}
    assert set(t["mode"]) <= {"level", "change", "cumulative", "count"}
    by = t.set_index("indicator_id")
    assert by.at["solid_waste_utilisation", "target_value"] == 85 and by.at["solid_waste_utilisation", "target_year"] == 2020
    assert by.at["mining_water_reuse", "target_value"] == 90
    assert (by.at["reemployed_persons", "target_value"], by.at["reemployed_persons", "mode"]) == (500, "cumulative")
    assert (by.at["resource_productivity", "target_value"], by.at["resource_productivity", "mode"]) == (25, "change")
    assert by.at["successor_industry_share", "target_value"] == 6
    # nothing from the unrecovered 专栏1 table (its legible numbers are 15.7, 16033, 7607, 62)
    assert not set(t["target_value"]) & {15.7, 19.8, 20.1, 16033, 20200, 29700, 7607, 9600, 14100, 62, 62.6, 63.6}


@pytest.mark.parametrize("header,ind,unit,pref", [
    ("地区生产总值_当年价格_全市_万元", "gdp", "万元", True),
    ("第三产业占GDP的比重_全市_百分比", "tertiary_share", "%", True),
    ("绿化覆盖率_市辖区_百分比%", "green_coverage", "%", True),
    ("人均公共绿化面积_市辖区_平方米", "green_area_per_capita", "平方米", True),
    ("普通中小学在校学生数_市_人", "school_students", "人", False),
    ("GDP（亿元）", "gdp", "亿元", False),
    ("gdp[万元]", "gdp", "万元", False),
    ("gdp", "gdp", None, False),
    ("每千人拥有卫生技术人员数 市", "health_workers_per_1000", None, False),
    ("财政收入 市 占GDP比重", "fiscal_revenue_share", None, False),
    ("Score", None, None, False),
    ("公厕数量", None, None, False),
])
def test_match_header(header, ind, unit, pref):
    m = match_header(header)
    assert (m.indicator_id, m.unit, m.prefecture) == (ind, unit, pref)


@pytest.mark.parametrize("src,dst,f", [("亿元", "万元", 1e4), ("元", "万元", 1e-4), ("万元", "万元", 1.0),
                                       ("人", "万人", 1e-4), ("ratio", "%", 100.0), ("百分比", "%", 1.0),
                                       ("‰", "%", 0.1), ("万美元", "万美元", 1.0), ("公顷", "平方米", 1e4)])
def test_unit_factors(src, dst, f):
    assert factor(src, dst) == pytest.approx(f)


@pytest.mark.parametrize("src,dst,code", [(None, "万元", "unit_missing"), ("", "%", "unit_missing"),
                                          ("吨", "万元", "unit_incompatible"), ("美元", "万元", "unit_incompatible"),
                                          ("斤", "吨", "unit_incompatible")])
def test_unit_problems(src, dst, code):
    with pytest.raises(UnitProblem) as e:
        factor(src, dst)
    assert e.value.code == code


def test_sync_is_idempotent_and_keeps_imported_targets(engine):
    with engine.connect() as c:
        n_ind = c.execute(select(func.count()).select_from(s.indicator)).scalar()
        tg = pd.read_sql(select(s.target), c)
    assert n_ind == len(load_catalogue()) and len(tg) == len(load_targets())
    assert sync_catalogue(engine)["changed"] == 0
    with engine.begin() as c:
        c.execute(s.target.insert().values(indicator_id="gdp", scope="national", target_year=2020, target_value=1,
                                           comparator=">=", mode="level", attribute="", source="x", status="imported",
                                           batch_id=None))
    sync_catalogue(engine)  # the shipped rows are re-written; the count goes back
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(s.target)).scalar() == len(load_targets())


def test_catalogue_override_by_env(tmp_path, monkeypatch):
    import shutil

    from rbcity.data.catalogue import catalogue_path

    p = tmp_path / "ind.yaml"
    shutil.copy(catalogue_path(), p)
    text = p.read_text(encoding="utf-8").replace("max: 150", "max: 5000")
    p.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RBCITY_INDICATORS", str(p))
    assert load_catalogue().set_index("indicator_id").at["green_area_per_capita", "max_value"] == 5000
