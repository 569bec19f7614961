"""Property: random tables never crash the importer (no traceback, only reports or a
UserError), and nothing stored ever fails validation."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue
from rbcity.data.importer import ImportReport, import_file
from rbcity.errors import UserError
from store_urls import copy_url, is_postgres

CITIES = ["鹤岗市", "大庆", "230400", "220113", "毫州市", "巢湖市", "不存在市", "", " ", "北京市", "0", "九台",
          "X21140", "思茅市", "null", "—"]
YEARS = [2010, 2011, "2010", "20x", "", 1800, 2999, 2010.5, "2012 ", None]
UNITS = ["万元", "亿元", "元", "%", "ratio", "吨", "", "斤", "万人", "人", "张", "平方米", "‰", None]
IDS = list(load_catalogue()["indicator_id"]) + ["nope", "", "地区生产总值", "GDP"]
HEADERS = ["地区生产总值_当年价格_全市_万元", "年末总人口_全市_万人", "绿化覆盖率_市辖区_百分比%", "gdp[亿元]",
           "tertiary_share(%)", "Score", "财政收入占GDP比重_比值", "人均GDP", "城市", "年份", ""]

cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
                   st.sampled_from(["1,234.5", "abc", "", "-", "1e400", " 12 ", "50%", "NaN", "0x10"]), cell_text)


@st.composite
def tables(draw):
    n = draw(st.integers(0, 12))
    if draw(st.booleans()):  # long
        cols = {"city": st.one_of(st.sampled_from(CITIES), cell_text), "year": st.one_of(st.sampled_from(YEARS), st.integers(1900, 2100)),
                "indicator": st.one_of(st.sampled_from(IDS), cell_text), "value": values,
                "unit": st.one_of(st.sampled_from(UNITS), cell_text)}
        names = list(cols)
        if draw(st.booleans()):
            names.remove(draw(st.sampled_from(names)))  # sometimes a column is missing
        return pd.DataFrame({c: [draw(cols[c]) for _ in range(n)] for c in names}, dtype=object)
    heads = draw(st.lists(st.one_of(st.sampled_from(HEADERS), cell_text), min_size=1, max_size=5, unique=True))
    data = {"城市": [draw(st.sampled_from(CITIES)) for _ in range(n)],
            "年份": [draw(st.sampled_from(YEARS)) for _ in range(n)]}
    for h in heads:
        if h not in data:
            data[h] = [draw(values) for _ in range(n)]
    return pd.DataFrame(data, dtype=object)


# the parsing under test does not depend on the store; on PostgreSQL (a new database per
# example) fewer examples check that what lands there obeys the same rules
@settings(max_examples=15 if is_postgres() else 60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=tables(), fmt=st.sampled_from(["csv", "parquet", "gbk"]))
def test_random_tables(store_template, tmp_path_factory, df, fmt):
    from rbcity.data.store import open_store

    d = tmp_path_factory.mktemp("prop")
    engine = open_store(copy_url(store_template, d / "s.sqlite"))
    try:
        _check_one(engine, d, df, fmt)
    finally:
        engine.dispose()


def _check_one(engine, d, df, fmt):
    p = d / f"t.{'parquet' if fmt == 'parquet' else 'csv'}"
    if fmt == "parquet":
        try:
            df.astype(str).to_parquet(p)
        except Exception:  # pyarrow refuses some column names; not what is under test
            return
    elif fmt == "gbk":
        try:
            p.write_bytes(df.to_csv(index=False).encode("gbk"))
        except UnicodeEncodeError:
            p.write_text(df.to_csv(index=False), encoding="utf-8")
    else:
        df.to_csv(p, index=False)
    try:
        rep = import_file(engine, p)
    except UserError:
        return
    assert isinstance(rep, ImportReport)
    assert rep.status in ("committed", "no-op", "failed")
    assert rep.n_rejected == len(rep.rejects)
    assert all(r.reason_code and r.reason for r in rep.rejects), [r for r in rep.rejects if not r.reason]
    cat = load_catalogue().set_index("indicator_id")
    with engine.connect() as conn:
        stored = pd.read_sql(select(s.observation), conn)
        units = set(conn.execute(select(s.unit.c.unit_id)).scalars())
    assert len(stored) == rep.n_new
    for r in stored.itertuples():
        assert math.isfinite(r.value)
        assert r.unit == cat.at[r.indicator_id, "unit"]
        lo, hi = cat.at[r.indicator_id, "min_value"], cat.at[r.indicator_id, "max_value"]
        assert (pd.isna(lo) or r.value >= lo) and (pd.isna(hi) or r.value <= hi)
        assert r.unit_id in units and 1949 <= r.year <= 2100
