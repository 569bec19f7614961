"""The bad-file corpus: every reject reason with its row and column, nothing half-imported,
the accepted rows of a mixed file land, re-import is a no-op, corrections become revisions."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from rbcity.data import schema as s
from rbcity.data.audit import history, rejects
from rbcity.data.importer import import_file
from rbcity.data.reader import ImportFileError


def count(engine, table):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def obs(engine, unit_id, year, ind):
    with engine.connect() as c:
        return c.execute(select(s.observation.c.value, s.observation.c.revision).where(
            s.observation.c.unit_id == unit_id, s.observation.c.year == year,
            s.observation.c.indicator_id == ind)).first()


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def only(rep, code):
    got = [r for r in rep.rejects if r.reason_code == code]
    assert got, f"no {code} in {rep.reasons()}"
    return got


LONG_HEAD = "city,year,indicator,value,unit\n"


def plain_codes(engine) -> list[str]:
    """Stored units whose code names exactly that unit (no registry city claims it as today's code)."""
    from rbcity.registry.codes import all_codes
    from rbcity.registry.load import load_registry

    claimed = set(load_registry()["successor_code"]) | set(load_registry()["unit_id"])
    codes = all_codes()
    with engine.connect() as c:
        units = c.execute(select(s.unit.c.unit_id).order_by(s.unit.c.unit_id)).scalars()
        return [u for u in units if u in codes and u not in claimed and not u.endswith("0000")]


@pytest.mark.parametrize("line,code,column,raw", [
    ("不存在市,2010,gdp,100,万元", "unknown_city", "city", "不存在市"),
    ("巢湖市,2010,gdp,100,万元", "ambiguous_city", "city", "巢湖市"),
    ("鹤岗市,2010,no_such_thing,100,万元", "unknown_indicator", "indicator", "no_such_thing"),
    ("鹤岗市,2010,gdp,100,", "unit_missing", "unit", ""),
    ("鹤岗市,2010,gdp,100,吨", "unit_incompatible", "unit", "吨"),
    ("鹤岗市,2010,gdp,abc,万元", "not_a_number", "value", "abc"),
    ("鹤岗市,2010,green_coverage,120,%", "out_of_range", "value", "120"),
    ("鹤岗市,1800,gdp,100,万元", "year_out_of_range", "year", "1800"),
    ("鹤岗市,20x0,gdp,100,万元", "bad_year", "year", "20x0"),
])
def test_each_reason_with_row_and_column(engine, tmp_path, line, code, column, raw):
    # line 2 is good, line 3 is the bad one: the good one lands, the bad one is kept
    p = write(tmp_path, "f.csv", LONG_HEAD + "鹤岗市,2011,gdp,5,亿元\n" + line + "\n")
    rep = import_file(engine, p)
    assert rep.status == "committed"
    assert rep.n_accepted == 1 and rep.n_rejected == 1
    (r,) = rep.rejects
    assert (r.reason_code, r.row, r.column, r.raw_value) == (code, 3, column, raw)
    assert obs(engine, "230400", 2011, "gdp") == (50000.0, 1)  # 5 亿元 = 50000 万元
    stored = rejects(engine, rep.batch_id)
    assert list(stored["reason_code"]) == [code] and stored["row"].iloc[0] == 3


def test_share_over_100_in_a_ratio_column_is_rejected_not_clipped(engine, tmp_path):
    p = write(tmp_path, "r.csv", "城市,年份,财政收入占GDP比重_全市_比值\n鹤岗市,2010,0.25\n鹤岗市,2011,1.6\n")
    rep = import_file(engine, p)
    assert obs(engine, "230400", 2010, "fiscal_revenue_share")[0] == pytest.approx(25.0)
    (r,) = rep.rejects
    assert r.reason_code == "out_of_range" and r.row == 3 and r.raw_value == "1.6" and "160" in r.reason
    assert obs(engine, "230400", 2011, "fiscal_revenue_share") is None


def test_duplicate_key_with_different_values(engine, tmp_path):
    p = write(tmp_path, "d.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\n鹤岗,2010,gdp,200,万元\n"
              "鹤岗市,2011,gdp,7,万元\n鹤岗市,2011,gdp,7,万元\n")
    rep = import_file(engine, p)
    dup = only(rep, "duplicate_conflict")
    assert sorted(r.row for r in dup) == [2, 3]
    assert obs(engine, "230400", 2010, "gdp") is None
    assert obs(engine, "230400", 2011, "gdp") == (7.0, 1)  # equal duplicates are one value
    assert rep.n_duplicate == 1


@pytest.mark.parametrize("name,content,code", [
    ("empty.csv", b"", "empty_file"),
    ("header_only.csv", "城市,年份,地区生产总值_全市_万元\n".encode(), "empty_file"),
    ("binary.csv", bytes(range(256)) * 20, "broken_file"),
    ("no_city.csv", b"foo,bar\n1,2\n", "bad_layout"),
    ("bad.xls", b"whatever", "unsupported_format"),
])
def test_whole_file_problems_are_failed_batches(engine, tmp_path, name, content, code):
    p = tmp_path / name
    p.write_bytes(content)
    before = count(engine, s.observation)
    rep = import_file(engine, p)
    assert rep.status == "failed" and rep.batch_id is not None
    assert [r.reason_code for r in rep.rejects] == [code]
    assert list(rejects(engine, rep.batch_id)["reason_code"]) == [code]
    assert count(engine, s.observation) == before


def _xlsx(tmp_path, name="t.xlsx", sheet="数据"):
    p = tmp_path / name
    df = pd.DataFrame({"城市": ["鹤岗市", "大庆市"], "年份": [2010, 2010], "地区生产总值_全市_亿元": [300.5, 3000]})
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"说明": ["封面 cover"]}).to_excel(xw, sheet_name="封面", index=False)
        df.to_excel(xw, sheet_name=sheet, index=False, startrow=2)  # a title block above the header
    return p


def test_xlsx_sheet_title_rows_and_conversion(engine, tmp_path):
    p = _xlsx(tmp_path)
    rep = import_file(engine, p, sheet="数据")
    assert rep.status == "committed" and rep.n_new == 2
    assert obs(engine, "230400", 2010, "gdp")[0] == pytest.approx(3005000.0)
    assert obs(engine, "230600", 2010, "gdp")[0] == pytest.approx(30000000.0)


def test_wrong_sheet(engine, tmp_path):
    rep = import_file(engine, _xlsx(tmp_path), sheet="Sheet9")
    (r,) = rep.rejects
    assert rep.status == "failed" and r.reason_code == "wrong_sheet" and "数据" in r.reason


def test_truncated_xlsx(engine, tmp_path):
    good = _xlsx(tmp_path).read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    rep = import_file(engine, p)
    assert rep.status == "failed" and [r.reason_code for r in rep.rejects] == ["broken_file"]
    assert count(engine, s.observation) == 0


def test_gbk_csv(engine, tmp_path):
    p = write(tmp_path, "gbk.csv", "城市,年份,第三产业占GDP的比重_全市_百分比\n鹤岗市,2010,30.5\n毫州市,2008,35\n",
              encoding="gbk")
    rep = import_file(engine, p)
    assert rep.status == "committed" and rep.n_new == 2 and not rep.rejects
    assert obs(engine, "230400", 2010, "tertiary_share")[0] == 30.5
    assert obs(engine, "341600", 2008, "tertiary_share")[0] == 35.0  # OCR typo 毫州 → 亳州


def test_parquet_long(engine, tmp_path):
    p = tmp_path / "l.parquet"
    pd.DataFrame({"city_code": ["230400", "220113"], "year": [2010, 2020], "indicator": ["population", "population"],
                  "value": [108.5, 56.0], "unit": ["万人", "万人"]}).to_parquet(p)
    rep = import_file(engine, p)
    assert rep.n_new == 2
    assert obs(engine, "220181", 2020, "population")[0] == 56.0  # 九台区 today = registry 九台市


def test_missing_file_raises_user_error(engine, tmp_path):
    with pytest.raises(ImportFileError):
        import_file(engine, tmp_path / "nope.csv")


def test_reimport_is_noop_and_correction_is_a_revision(engine, tmp_path):
    p = write(tmp_path, "a.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\n鹤岗市,2011,gdp,110,万元\nX,2011,gdp,1,万元\n")
    first = import_file(engine, p)
    n_rej = count(engine, s.rejected_row)
    again = import_file(engine, p)
    assert again.status == "no-op" and again.batch_id == first.batch_id
    assert count(engine, s.rejected_row) == n_rej  # rejects are not stored twice
    fixed = write(tmp_path, "b.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\n鹤岗市,2011,gdp,120,万元\n")
    rep = import_file(engine, fixed)
    assert (rep.status, rep.n_new, rep.n_revised, rep.n_unchanged) == ("committed", 0, 1, 1)
    assert obs(engine, "230400", 2011, "gdp") == (120.0, 2)
    h = history(engine, "230400", "gdp")
    h11 = h[h["year"] == 2011]
    assert list(h11["value"]) == [110.0, 120.0] and list(h11["revision"]) == [1, 2]
    assert list(h11["current"]) == [False, True]
    same = write(tmp_path, "c.csv", LONG_HEAD + "鹤岗市,2011,gdp,120,万元\n")
    assert import_file(engine, same).status == "no-op"


def test_dry_run_stores_nothing(engine, tmp_path):
    p = write(tmp_path, "a.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\nX,2011,gdp,1,万元\n")
    n = {t.name: count(engine, t) for t in (s.import_batch, s.observation, s.rejected_row)}
    rep = import_file(engine, p, dry_run=True)
    assert rep.status == "dry-run" and rep.n_new == 1 and rep.n_rejected == 1
    assert list(rep.accepted["indicator_id"]) == ["gdp"]
    assert {t.name: count(engine, t) for t in (s.import_batch, s.observation, s.rejected_row)} == n
    assert import_file(engine, p).status == "committed"


def test_import_is_one_transaction(engine, tmp_path, monkeypatch):
    """A failure while writing leaves no observation, no batch and no reject behind."""
    import rbcity.data.ingest.write as imp

    p = write(tmp_path, "a.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\n鹤岗市,2011,gdp,110,万元\nX,2011,gdp,1,万元\n")
    real = imp.insert_rejects

    def boom(conn, batch_id, rej):
        real(conn, batch_id, rej)
        conn.execute(select(func.count()).select_from(s.observation))
        raise RuntimeError("disk full")

    monkeypatch.setattr(imp, "insert_rejects", boom)
    n = {t.name: count(engine, t) for t in (s.import_batch, s.observation, s.rejected_row, s.observation_revision)}
    with pytest.raises(RuntimeError):
        import_file(engine, p)
    assert {t.name: count(engine, t) for t in (s.import_batch, s.observation, s.rejected_row,
                                               s.observation_revision)} == n


def test_wide_yearbook_headers_units_and_row_rejects(engine, tmp_path):
    p = write(tmp_path, "w.csv",
              "城市,年份,地区生产总值_当年价格_全市_万元,年末总人口_全市_万人,绿化覆盖率_市辖区_百分比%,Score,人均GDP\n"
              "巢湖市,2008,100,10,40,1,\n"
              "思茅市,2005,200,20,140,2,\n"
              "火星市,2005,300,30,40,3,\n")
    rep = import_file(engine, p)
    # 巢湖市 in 2008 is the prefecture 341400 (abolished 2011), not the 2013 county-level city
    assert obs(engine, "341400", 2008, "gdp")[0] == 100.0
    assert obs(engine, "530800", 2005, "gdp")[0] == 200.0  # 思茅市 → 普洱市
    codes = {(r.reason_code, r.row, r.column) for r in rep.rejects}
    assert ("out_of_range", 3, "绿化覆盖率_市辖区_百分比%") in codes
    assert ("unknown_city", 4, "城市") in codes
    assert ("unknown_indicator", None, "Score") in codes
    assert ("unit_missing", None, "人均GDP") not in codes  # an empty column is not a reject
    city_rej = [r for r in rep.rejects if r.reason_code == "unknown_city"]
    assert len(city_rej) == 1 and "3" in city_rej[0].reason  # one reject for the row's 3 values


def test_big_file_50mb(engine, tmp_path):
    """A ~50 MB long CSV imports whole; its one bad cell is found at its line."""
    import numpy as np

    units = plain_codes(engine)[:2000]
    inds = ["gdp", "retail_sales", "industrial_output", "fiscal_revenue", "so2_industrial", "hospital_beds"]
    years = list(range(1960, 2021))
    n_per = len(units) * len(inds) * len(years)
    grid = pd.MultiIndex.from_product([units, years, inds], names=["city_code", "year", "indicator"]).to_frame(index=False)
    rng = np.random.default_rng(0)
    grid["value"] = rng.uniform(1, 1e5, len(grid)).round(3)
    grid["unit"] = np.where(grid["indicator"].isin(["so2_industrial"]), "吨",
                            np.where(grid["indicator"] == "hospital_beds", "张", "万元"))
    grid["source"] = "synthetic test corpus, not real data"
    grid["value"] = grid["value"].astype(object)
    grid.loc[len(grid) - 1, "value"] = "n/a?"
    p = tmp_path / "big.csv"
    grid.to_csv(p, index=False)
    assert p.stat().st_size > 50 * 1024 * 1024
    rep = import_file(engine, p)
    assert rep.n_rows == n_per == len(grid)
    assert rep.n_new == len(grid) - 1
    (r,) = rep.rejects
    assert (r.reason_code, r.row, r.column, r.raw_value) == ("not_a_number", len(grid) + 1, "value", "n/a?")
    assert count(engine, s.observation) == len(grid) - 1


def test_explicit_column_map_and_cross_section_year(engine, tmp_path):
    p = write(tmp_path, "x.csv", "city,GDP10000,Foo\n金昌市,2245163,1\n")
    rep = import_file(engine, p, columns={"GDP10000": ("gdp", "万元"), "Foo": ("no_such_indicator", "万元")},
                      year=2015, level="prefecture")
    assert obs(engine, "620300", 2015, "gdp")[0] == 2245163
    assert [(r.reason_code, r.column) for r in rep.rejects] == [("unknown_indicator", "Foo")]


def test_repeated_xlsx_headers(engine, tmp_path):
    p = tmp_path / "dup.xlsx"
    pd.DataFrame([["鹤岗市", 2010, 1, 2]], columns=["城市", "年份", "gdp[万元]", "gdp[万元]"]).to_excel(p, index=False)
    rep = import_file(engine, p)
    assert rep.status == "committed"
    assert [(r.reason_code, r.column) for r in rep.rejects] == [("unknown_indicator", "gdp[万元].1")]


def test_reimporting_an_old_file_after_a_correction_restores_it(engine, tmp_path):
    a = write(tmp_path, "a.csv", LONG_HEAD + "鹤岗市,2010,gdp,100,万元\n")
    b = write(tmp_path, "b.csv", LONG_HEAD + "鹤岗市,2010,gdp,200,万元\n")
    assert import_file(engine, a).n_new == 1
    assert import_file(engine, b).n_revised == 1
    rep = import_file(engine, a)
    assert (rep.status, rep.n_revised) == ("committed", 1)
    assert obs(engine, "230400", 2010, "gdp") == (100.0, 3)
    assert import_file(engine, a).status == "no-op"


def test_xlsx_without_sheet_skips_a_cover_sheet(engine, tmp_path):
    rep = import_file(engine, _xlsx(tmp_path))  # sheets: 封面 (cover), 数据
    assert rep.status == "committed" and rep.sheet == "数据" and rep.n_new == 2


def test_wide_header_without_unit_is_one_column_reject(engine, tmp_path):
    p = write(tmp_path, "u.csv", "城市,年份,每千人拥有卫生技术人员数 市,gdp(斤)\n鹤岗市,2010,1.5,3\n大庆市,2010,2.5,4\n")
    rep = import_file(engine, p)
    got = sorted((r.reason_code, r.row, r.column) for r in rep.rejects)
    assert got == [("unit_incompatible", None, "gdp(斤)"), ("unit_missing", None, "每千人拥有卫生技术人员数 市")]
    assert all("2 values" in r.reason and "--map" in r.reason for r in rep.rejects)
    rep = import_file(engine, p, columns={"每千人拥有卫生技术人员数 市": ("health_workers_per_1000", "人")})
    assert rep.n_new == 2 and len(rep.rejects) == 1
