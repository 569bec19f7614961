"""The bundled real data after the main job's data step: values checked against a second,
direct reading of the shipped raw files; impossible values rejected with reasons; every
value tagged with its source; loading twice changes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from rbcity.data import schema as s
from rbcity.data.audit import rejects
from rbcity.data.bundled import SOURCES, YEARBOOK_FILE, bundled_path, ensure_bundled
from rbcity.data.coverage import coverage
from rbcity.data.panel import load_panel


def value(engine, unit_id, year, ind):
    with engine.connect() as c:
        return c.execute(select(s.observation.c.value, s.observation.c.source).where(
            s.observation.c.unit_id == unit_id, s.observation.c.year == year,
            s.observation.c.indicator_id == ind)).first()


@pytest.fixture(scope="module")
def yearbook():
    return pd.read_excel(bundled_path("ccsy_2004_2012_jcdasheng", YEARBOOK_FILE), sheet_name="new")


def batch_of(engine, file_part):
    return next(r for r in engine.reports if file_part in r.file)


def test_one_batch_per_source_all_committed(bundled_engine):
    reps = bundled_engine.reports
    assert [r.status for r in reps] == ["committed"] * 6
    assert len({r.batch_id for r in reps}) == 6
    with bundled_engine.connect() as c:
        srcs = set(c.execute(select(s.observation.c.source).distinct()).scalars())
        empty = c.execute(select(func.count()).select_from(s.observation).where(s.observation.c.source == "")).scalar()
    assert srcs == set(SOURCES.values()) and empty == 0


def test_census_mining_share_is_a_share_of_sample_counts(bundled_engine):
    raw = pd.read_excel(bundled_path("census_leiii", "census_county_2010_v1.xlsx"))
    row = raw[raw["区划代码"] == 230400].iloc[0]  # 鹤岗市 (prefecture row)
    assert row["采矿业"] == 9124
    expected = row["采矿业"] / row["各种行业人口\n总计"] * 100
    v, src = value(bundled_engine, "230400", 2010, "mining_employment_share")
    assert v == pytest.approx(expected) and src == SOURCES["census_leiii"]
    assert 15 < v < 30  # a coal city: about one employed person in five works in mining
    sjz = value(bundled_engine, "130100", 2010, "mining_employment_share")[0]  # 石家庄市
    assert sjz < 1 and v > 20 * sjz


def test_census_2020_code_resolves_to_the_registry_city(bundled_engine):
    raw = pd.read_excel(bundled_path("census_leiii", "census_county_2020_v1.xlsx"))
    pop = raw.loc[raw["区划代码"] == 220113, "人口数_合计"].iloc[0]  # 九台区 today
    assert value(bundled_engine, "220181", 2020, "resident_population")[0] == pytest.approx(pop / 1e4)
    assert value(bundled_engine, "220113", 2020, "resident_population") is None


def test_census_city_file_population_and_urban_share(bundled_engine):
    raw = pd.read_csv(bundled_path("census_leiii", "census_city_2010-2020_v1.csv"), dtype={"city_code": str})
    r = raw[raw["city_code"] == "230400"].iloc[0]
    assert value(bundled_engine, "230400", 2020, "resident_population")[0] == pytest.approx(r["popu_2020"] / 1e4)
    assert value(bundled_engine, "230400", 2010, "urban_population_share")[0] == pytest.approx(
        r["popu_urban_2010"] / r["popu_2010"] * 100)
    assert value(bundled_engine, "230400", 2020, "aged_65_share")[0] == r["age_65_2020"]


def test_yearbook_values_names_and_typo(bundled_engine, yearbook):
    r = yearbook[(yearbook["城市"] == "安康市") & (yearbook["年份"] == 2004)].iloc[0]
    assert value(bundled_engine, "610900", 2004, "gdp")[0] == r["地区生产总值_当年价格_全市_万元"]
    # the column states a ratio: ×100 to the catalogue's %
    assert value(bundled_engine, "610900", 2004, "fiscal_revenue_share")[0] == pytest.approx(r["财政收入 市 占GDP比重"] * 100)
    assert value(bundled_engine, "610900", 2004, "gdp_per_capita")[0] == pytest.approx(
        r["地区生产总值_当年价格_全市_万元"] / r["年末总人口_全市_万人"])
    assert value(bundled_engine, "610900", 2004, "gdp_per_capita")[1] == SOURCES["derived"]
    bozhou = yearbook[yearbook["城市"] == "毫州市"]
    assert len(bozhou) > 0
    for rec in bozhou.itertuples():
        assert value(bundled_engine, "341600", rec.年份, "gdp")[0] == rec[3]


def test_yearbook_impossible_values_are_rejects_with_reasons(bundled_engine, yearbook):
    b = batch_of(bundled_engine, "ccsy_2004_2012")
    rj = rejects(bundled_engine, b.batch_id)
    oor = rj[rj["reason_code"] == "out_of_range"].groupby("column").size()
    assert oor["绿化覆盖率_市辖区_百分比%"] == (yearbook["绿化覆盖率_市辖区_百分比%"] > 100).sum() == 5
    assert oor["生活垃圾无害化处理率_全市_百分比"] == (yearbook["生活垃圾无害化处理率_全市_百分比"] > 100).sum() == 1
    assert oor["财政收入 市 占GDP比重"] == (yearbook["财政收入 市 占GDP比重"] > 1).sum()
    assert oor["年末总人口_全市_万人"] == (yearbook["年末总人口_全市_万人"] > 5000).sum()
    # the per-capita green area column holds values of a total area (median > 2000): rejected, not rescaled
    assert oor["人均公共绿化面积_市辖区_平方米"] == (yearbook["人均公共绿化面积_市辖区_平方米"] > 150).sum()
    cols = set(rj.loc[rj["reason_code"] == "unknown_indicator", "column"])
    assert cols == {"Score", "公厕数量"}
    worst = rj[rj["column"] == "绿化覆盖率_市辖区_百分比%"]
    assert worst["row"].notna().all() and "100" in worst["reason"].iloc[0]
    # nothing stored for the rejected cells
    with bundled_engine.connect() as c:
        assert c.execute(select(func.max(s.observation.c.value)).where(
            s.observation.c.indicator_id == "green_coverage")).scalar() <= 100


def test_2015_cross_section(bundled_engine):
    assert value(bundled_engine, "620300", 2015, "gdp")[0] == 2245163  # 金昌市, GDP10000 = 万元
    assert value(bundled_engine, "310100", 2015, "gdp")[0] == pytest.approx(25123.45 * 1e4, rel=1e-6)  # SOURCE.md
    assert value(bundled_engine, "620300", 2015, "night_lights")[0] == pytest.approx(9512.603311)


def test_coverage_table(bundled_engine):
    cov = coverage(bundled_engine).set_index("indicator_id")
    assert cov.at["mining_employment_share", "years"] == "2010, 2020"
    assert cov.at["mining_employment_share", "n_cities"] >= 250
    assert cov.at["gdp", "years"] == "2004–2012, 2015"
    assert cov.at["successor_industry_share", "n_cities"] == 0
    with bundled_engine.connect() as c:
        n = c.execute(select(func.count(s.observation.c.unit_id.distinct())).where(
            s.observation.c.indicator_id == "gdp", s.observation.c.unit_id.in_(select(s.city.c.unit_id)))).scalar()
    assert cov.at["gdp", "n_cities"] == n
    assert set(cov.index) >= {"gdp", "population", "night_lights"}


def test_second_load_is_a_noop(bundled_engine):
    n = len(load_panel(bundled_engine))
    again = ensure_bundled(bundled_engine)
    assert [r.status for r in again] == ["no-op"] * 6
    assert len(load_panel(bundled_engine)) == n


def test_derived_series_follows_its_inputs(engine, tmp_path):
    """gdp_per_capita is re-derived when gdp changes, also when it changes back (A → B → A)."""
    from rbcity.data.bundled import derive_gdp_per_capita
    from rbcity.data.importer import import_file

    def put(name, gdp):
        p = tmp_path / name
        p.write_text(f"city,year,indicator,value,unit\n鹤岗市,2010,gdp,{gdp},万元\n鹤岗市,2010,population,100,万人\n",
                     encoding="utf-8")
        import_file(engine, p)
        return derive_gdp_per_capita(engine)

    assert put("a.csv", 1000).n_new == 1 and value(engine, "230400", 2010, "gdp_per_capita")[0] == 10.0
    assert derive_gdp_per_capita(engine).status == "no-op"
    assert put("b.csv", 2000).n_revised == 1 and value(engine, "230400", 2010, "gdp_per_capita")[0] == 20.0
    # c.csv states A again in a new file (a byte-identical copy of a.csv would be an older file whose
    # values never override newer revisions silently: see test_import_revisions.py)
    assert put("c.csv", "1000.0").n_revised == 1 and value(engine, "230400", 2010, "gdp_per_capita")[0] == 10.0


def test_user_correction_of_bundled_value_survives_a_rerun(bundled_engine, tmp_path):
    p = tmp_path / "fix.csv"
    p.write_text("城市,年份,地区生产总值_当年价格_全市_万元\n金昌市,2015,2245164\n", encoding="utf-8")
    from rbcity.data.importer import import_file

    assert import_file(bundled_engine, p).n_revised == 1
    assert [r.status for r in ensure_bundled(bundled_engine)] == ["no-op"] * 6
    assert value(bundled_engine, "620300", 2015, "gdp")[0] == 2245164
