"""The real, openly licensed data shipped with rbcity, loaded on the first ``rbcity run``.

Each source file is one import batch and goes through the same validation as a user's file
(:func:`rbcity.data.importer.import_file` / :func:`~rbcity.data.importer.import_frame`): values
that fail (e.g. the yearbook's green coverage > 100 %) end up in the rejects, never fixed.

=============================  ==========================================================
``census_leiii``               census 2010/2020 (leiii/census, MIT): prefecture file → resident
                               population, urban share, aged-65 share; county files → the same for
                               counties, and employment shares (mining, 1st/2nd/3rd sector; from
                               long-form *sample counts*, so only shares) for counties and
                               prefectures (rows selected by code pattern: xxyyzz county, xxyy00
                               prefecture; province and uncoded aggregate rows are not units)
``ccsy_2004_2012_jcdasheng``   city yearbook extract 2004–2012 (MIT): names only, resolved with
                               the row's year at prefecture level
``city2015_quanturban``        2015 cross-section (MIT): GDP, fiscal revenue, employment, lights
``derived``                    gdp_per_capita = gdp ÷ population where both exist for a unit-year
=============================  ==========================================================

Derived cells (a share computed from two census columns) carry the column expression, e.g.
``采矿业/各种行业人口总计``, and the spreadsheet row they came from, so a reject points at
the source cells. A part that is not a number is passed on as written (``"x/y"``) and is
rejected as *not a number*.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from rbcity.data.checks.run import after_import
from rbcity.data.importer import ImportReport, _done_batch, ensure_ready, import_file, import_frame
from rbcity.data.reader import RawTable, read_table

RECIPE_VERSION = "1"
SOURCES = {
    "census_leiii": "第六、七次全国人口普查 census 2010/2020 (leiii/census, MIT)",
    "ccsy_2004_2012_jcdasheng": "中国城市统计年鉴摘录 City Statistical Yearbook extract 2004–2012 "
                                "(jcdasheng/China_City_sustainability, MIT)",
    "city2015_quanturban": "2015 城市截面 + 夜间灯光 2015 cross-section (quanturban/firm, MIT)",
    "derived": "派生 derived (rbcity): gdp ÷ population",
}
YEARBOOK_FILE = "1999-2018 Cities data.xlsx"
#: yearbook headers that do not state their unit in the 指标_口径_单位 way; the unit given here
#: is read from the header's own words (占GDP比重 with values 0.04–1.63 is a ratio; 每千人…人员数
#: counts persons per 1,000 people). Documented in the source's SOURCE.md.
YEARBOOK_COLUMNS = {
    "财政收入 市 占GDP比重": ("fiscal_revenue_share", "ratio"),
    "每千人拥有卫生技术人员数 市": ("health_workers_per_1000", "人"),
}
CITY2015_COLUMNS = {
    "GDP10000": ("gdp", "万元"),
    "Fiscal10000": ("fiscal_revenue", "万元"),
    "Employment": ("urban_employment", "人"),
    "light_sum": ("night_lights", "DN sum"),
}


def bundled_path(*parts: str) -> Path:
    """Path of a file shipped in ``rbcity/data/bundled``."""
    return Path(str(resources.files("rbcity.data").joinpath("bundled", *parts)))


def label(*parts: str) -> str:
    return "bundled:" + "/".join(parts)


# ------------------------------------------------------------------ census recipes
def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _share(table: RawTable, num_cols: list[str], den_col: str, mask) -> tuple[str, pd.Series]:
    """``sum(num_cols) / den_col × 100`` as text, or the raw parts where not computable."""
    f = table.frame
    parts = [*num_cols, den_col]
    blank = pd.concat([f[c].isna() | (f[c].astype(str).str.strip() == "") for c in parts], axis=1).any(axis=1)
    num = sum(_num(f[c]) for c in num_cols)
    den = _num(f[den_col])
    val = num / den * 100.0
    raw = f[num_cols[0]].astype(str)
    for c in num_cols[1:]:
        raw = raw + "+" + f[c].astype(str)
    # a blank part leaves the share missing (nothing to compute); a part that is not a number
    # is passed on as written and rejected by the importer
    txt = np.where(blank, None, np.where(val.notna() & np.isfinite(val), val.map(lambda v: repr(float(v))),
                                         raw + "/" + f[den_col].astype(str)))
    name = "+".join(num_cols) + "/" + den_col
    return name.replace("\n", ""), pd.Series(txt, index=f.index).where(mask, None)


def _census_city() -> RawTable:
    rel = ("census_leiii", "census_city_2010-2020_v1.csv")
    t = read_table(bundled_path(*rel))
    f = t.frame
    parts = []
    for y in (2010, 2020):
        cols = {"city_code": f["city_code"], "city": f["city"], "year": str(y),
                f"popu_{y}[人]": f[f"popu_{y}"], f"age_65_{y}[%]": f[f"age_65_{y}"]}
        name, val = _share(t, [f"popu_urban_{y}"], f"popu_{y}", pd.Series(True, index=f.index))
        cols[f"{name}[%]"] = val
        parts.append((pd.DataFrame(cols), t.rows))
    return _stack(parts, label(*rel))


def _stack(parts, file, sheet="") -> RawTable:
    frames, rows = [], []
    for df, r in parts:
        frames.append(df.reset_index(drop=True))
        rows.append(r.reset_index(drop=True))
    allf = pd.concat(frames, ignore_index=True)
    allf = allf.astype(object).where(allf.notna(), None)
    return RawTable(allf, pd.concat(rows, ignore_index=True), file, sheet)


def _census_county(year: int) -> RawTable:
    rel = ("census_leiii", f"census_county_{year}_v1.xlsx")
    t = read_table(bundled_path(*rel))
    f = t.frame
    f.columns = [str(c) for c in f.columns]
    code = f["区划代码"].fillna("").astype(str).str.strip()
    ok = code.str.fullmatch(r"\d{6}")
    county = ok & (code.str[4:6] != "00")
    pref = ok & (code.str[4:6] == "00") & (code.str[2:4] != "00")
    total = next(c for c in f.columns if c.replace("\n", "").startswith("各种行业人口") and c.replace("\n", "").endswith("总计"))
    second = ["采矿业", "制造业", next(c for c in f.columns if c.startswith("电力")), "建筑业"]
    if year == 2010:
        name = f["地区"]
        pop, urban, aged = "合计", "城镇人口", "65岁及以上（%）"
    else:
        name = f["区县"].where(county, f["市"])
        pop, urban, aged = "人口数_合计", "城镇人口", "人口比重_65岁及以上"
    sel = county | pref
    cols = {"区划代码": code.where(sel, None), "地区": name, "year": str(year)}
    # population, urban and aged shares: counties only (prefectures come from the prefecture file)
    cols[f"{pop}[人]"] = f[pop].where(county, None)
    n, v = _share(t, [urban], pop, county)
    cols[f"{n}[%]"] = v
    cols[f"{aged}[%]"] = f[aged].where(county, None)
    # employment shares (sample counts → shares): counties and prefectures
    n, v = _share(t, ["采矿业"], total, sel)
    cols[f"mining_employment_share:{n}[%]"] = v
    if year == 2010:
        for ind, c in (("primary", "第一产业（%）"), ("secondary", "第二产业（%）"), ("tertiary", "第三产业（%）")):
            cols[f"{ind}_employment_share:{c}[%]"] = f[c].where(sel, None)
    else:
        n, v = _share(t, ["农林牧渔业"], total, sel)
        cols[f"primary_employment_share:{n}[%]"] = v
        n, v = _share(t, second, total, sel)
        cols[f"secondary_employment_share:{n}[%]"] = v
        num = _num(f[total]) - _num(f["农林牧渔业"]) - sum(_num(f[c]) for c in second)
        ter = (num / _num(f[total]) * 100).where(sel)
        cols[f"tertiary_employment_share:({total}-第一-第二产业)/{total}[%]".replace("\n", "")] = \
            ter.map(lambda x: None if pd.isna(x) else repr(float(x)))
    df = pd.DataFrame(cols)
    keep = sel.to_numpy()
    return RawTable(df[keep].reset_index(drop=True).astype(object).where(df[keep].reset_index(drop=True).notna(), None),
                    t.rows[keep].reset_index(drop=True), label(*rel), t.sheet)


def _census_columns(table: RawTable) -> dict:
    """``indicator:expression[unit]`` headers → (indicator, unit); plain ones by their words."""
    out = {}
    simple = {"popu_": "resident_population", "age_65_": "aged_65_share", "popu_urban_": "urban_population_share",
              "合计": "resident_population", "人口数_合计": "resident_population", "城镇人口/": "urban_population_share",
              "65岁及以上": "aged_65_share", "人口比重_65岁及以上": "aged_65_share"}
    for c in table.frame.columns:
        if not c.endswith("]"):
            continue
        head, unit = c[:-1].rsplit("[", 1)
        if ":" in head:
            out[c] = (head.split(":", 1)[0], unit)
            continue
        for prefix, ind in sorted(simple.items(), key=lambda kv: -len(kv[0])):
            if head.startswith(prefix):
                out[c] = (ind, unit)
                break
    return out


# ------------------------------------------------------------------ loading
def _digest(*parts: str) -> str:
    h = hashlib.sha256(f"recipe {RECIPE_VERSION}".encode())
    for p in parts:
        with open(bundled_path(*p.split("/")), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def _census(engine: Engine, build, rel: str, level: str) -> ImportReport:
    digest = _digest(rel)
    prev = _done_batch(engine, digest, "observations", once=True)
    if prev is not None:
        return ImportReport(prev, "no-op", file=label(rel), source=SOURCES["census_leiii"],
                            message=f"已载入 already loaded (batch {prev})")
    table = build()
    return import_frame(engine, table, source=SOURCES["census_leiii"], columns=_census_columns(table),
                        level=level, digest=digest, user="rbcity")


def derive_gdp_per_capita(engine: Engine) -> ImportReport:
    """gdp_per_capita (元/人) = gdp (万元) ÷ population (万人) for every unit-year with both;
    stored as its own batch with source 'derived', through the importer."""
    from rbcity.data.panel import load_panel

    p = load_panel(engine, indicators=["gdp", "population"])
    w = p.pivot_table(index=["unit_id", "year"], columns="indicator_id", values="value").dropna()
    if w.empty or "gdp" not in w or "population" not in w:
        return ImportReport(None, "no-op", file="derived:gdp_per_capita", source=SOURCES["derived"],
                            message="没有可派生的数据 nothing to derive")
    w = w.reset_index()
    df = pd.DataFrame({"unit_id": w["unit_id"], "year": w["year"].astype(str),
                       "gdp/population[元/人]": (w["gdp"] / w["population"]).map(repr)})
    table = RawTable(df, pd.Series(range(2, len(df) + 2)), "derived:gdp_per_capita", "")
    # the inputs' batches identify the inputs: a value changed and changed back has a new batch
    from sqlalchemy import func, select

    from rbcity.data import schema as s

    with engine.connect() as conn:
        inputs = conn.execute(select(func.max(s.observation.c.batch_id), func.count()).where(
            s.observation.c.indicator_id.in_(["gdp", "population"]))).one()
    h = hashlib.sha256(f"derived gdp_per_capita {RECIPE_VERSION} {tuple(inputs)}".encode())
    h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    digest = h.hexdigest()
    prev = _done_batch(engine, digest, "observations", once=True)
    if prev is not None:
        return ImportReport(prev, "no-op", file="derived:gdp_per_capita", source=SOURCES["derived"],
                            message=f"已派生 already derived (batch {prev})")
    return import_frame(engine, table, source=SOURCES["derived"], digest=digest,
                        columns={"gdp/population[元/人]": ("gdp_per_capita", "元/人")}, user="rbcity")


def ensure_bundled(engine: Engine) -> list[ImportReport]:
    """Load the catalogue and the bundled sources into ``engine`` (idempotent: each source file
    is imported once; later calls return ``no-op`` reports, and a user's correction of a bundled
    value is never undone by a rerun). One report per batch."""
    ensure_ready(engine)
    reports = [
        _census(engine, _census_city, "census_leiii/census_city_2010-2020_v1.csv", "prefecture"),
        _census(engine, lambda: _census_county(2010), "census_leiii/census_county_2010_v1.xlsx", "county"),
        _census(engine, lambda: _census_county(2020), "census_leiii/census_county_2020_v1.xlsx", "county"),
        import_file(engine, bundled_path("ccsy_2004_2012_jcdasheng", YEARBOOK_FILE), sheet="new",
                    source=SOURCES["ccsy_2004_2012_jcdasheng"], columns=YEARBOOK_COLUMNS, level="prefecture",
                    user="rbcity", label=label("ccsy_2004_2012_jcdasheng", YEARBOOK_FILE), once=True),
        import_file(engine, bundled_path("city2015_quanturban", "yearbook_light.csv"),
                    source=SOURCES["city2015_quanturban"], columns=CITY2015_COLUMNS, year=2015,
                    level="prefecture", user="rbcity", label=label("city2015_quanturban", "yearbook_light.csv"), once=True),
    ]
    reports.append(derive_gdp_per_capita(engine))
    after_import(engine, reports)  # plausibility checks (rbcity.data.checks) on what was committed
    return reports
