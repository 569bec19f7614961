"""How much of the panel is filled: per indicator, how many of the 262 registry cities (and
of all units) have values, and in which years — for ``rbcity data coverage``, the report and
the web."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue

N_REGISTRY = 262


def year_ranges(years) -> str:
    """``[2004, 2005, 2006, 2010, 2015]`` → ``"2004–2006, 2010, 2015"``."""
    ys = sorted({int(y) for y in years})
    out, start = [], None
    for i, y in enumerate(ys):
        if start is None:
            start = y
        if i + 1 == len(ys) or ys[i + 1] != y + 1:
            out.append(str(start) if start == y else f"{start}–{y}")
            start = None
    return ", ".join(out)


def coverage(engine: Engine) -> pd.DataFrame:
    """One row per catalogue indicator (and any other stored one): ``indicator_id, name_zh,
    name_en, unit, dimension, n_cities`` (of the 262 registry cities with ≥1 value),
    ``share_cities`` (n_cities/262), ``n_units`` (all units), ``n_values``, ``years`` (e.g.
    "2004–2012, 2015"), ``n_years``, ``sources`` (';'-joined)."""
    o = s.observation.c
    reg = select(s.city.c.unit_id)
    with engine.connect() as conn:
        base = pd.DataFrame(conn.execute(select(
            o.indicator_id, func.count().label("n_values"), func.count(distinct(o.unit_id)).label("n_units"))
            .group_by(o.indicator_id)).all(), columns=["indicator_id", "n_values", "n_units"])
        cities = pd.DataFrame(conn.execute(select(o.indicator_id, func.count(distinct(o.unit_id)))
                                           .where(o.unit_id.in_(reg)).group_by(o.indicator_id)).all(),
                              columns=["indicator_id", "n_cities"])
        yrs = pd.DataFrame(conn.execute(select(o.indicator_id, o.year).distinct()).all(),
                           columns=["indicator_id", "year"])
        srcs = pd.DataFrame(conn.execute(select(o.indicator_id, o.source).distinct()).all(),
                            columns=["indicator_id", "source"])
    cat = load_catalogue()[["indicator_id", "name_zh", "name_en", "unit", "dimension"]]
    extra = sorted(set(base["indicator_id"]) - set(cat["indicator_id"]))
    if extra:
        cat = pd.concat([cat, pd.DataFrame({"indicator_id": extra})], ignore_index=True)
    df = cat.merge(base, on="indicator_id", how="left").merge(cities, on="indicator_id", how="left")
    for c in ("n_values", "n_units", "n_cities"):
        df[c] = df[c].fillna(0).astype(int)
    df["share_cities"] = (df["n_cities"] / N_REGISTRY).round(3)
    ybi = yrs.groupby("indicator_id")["year"]
    df["years"] = df["indicator_id"].map(ybi.apply(year_ranges)).fillna("")
    df["n_years"] = df["indicator_id"].map(ybi.nunique()).fillna(0).astype(int)
    df["sources"] = df["indicator_id"].map(srcs.groupby("indicator_id")["source"].apply(
        lambda x: "; ".join(sorted(x)))).fillna("")
    return df[["indicator_id", "name_zh", "name_en", "unit", "dimension", "n_cities", "share_cities",
               "n_units", "n_values", "years", "n_years", "sources"]]
