"""Reading the stored statistics back as a panel: long (canonical) or wide (for methods).

``load_panel`` returns the current value of each (unit, year, indicator) with its unit,
source and revision; ``load_engine_panel`` is the same without the values the plausibility
checks hold out (``rbcity.data.checks``), and says which those are; ``to_wide`` pivots it to one column per indicator; ``data_revision`` is
the newest committed import batch, recorded with every engine run so a result can be
regenerated from the same data.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s

LONG_COLUMNS = ["unit_id", "year", "indicator_id", "value", "unit", "source", "revision"]


def _list(x) -> list | None:
    if x is None:
        return None
    if isinstance(x, str | int):
        return [x]
    return list(x)


def load_panel(engine: Engine, indicators: Iterable[str] | str | None = None,
               years: Iterable[int] | int | None = None, units: Iterable[str] | str | None = None,
               registry_only: bool = False) -> pd.DataFrame:
    """Long panel ``unit_id, year, indicator_id, value, unit, source, revision`` sorted by
    unit, indicator, year. Filters: indicator ids, years, unit ids; ``registry_only`` keeps the
    262 resource-based cities of 2013."""
    o = s.observation.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value, o.unit, o.source, o.revision)
    if (ind := _list(indicators)) is not None:
        q = q.where(o.indicator_id.in_(ind))
    if (yrs := _list(years)) is not None:
        q = q.where(o.year.in_([int(y) for y in yrs]))
    if (uts := _list(units)) is not None:
        q = q.where(o.unit_id.in_([str(u) for u in uts]))
    if registry_only:
        q = q.where(o.unit_id.in_(select(s.city.c.unit_id)))
    q = q.order_by(o.unit_id, o.indicator_id, o.year)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            LONG_COLUMNS, ["object", "int64", "object", "float64", "object", "object", "int64"], strict=True)})
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype(float)
    df["revision"] = df["revision"].astype("int64")
    return df[LONG_COLUMNS]


def load_engine_panel(engine: Engine, indicators: Iterable[str] | str | None = None,
                      years: Iterable[int] | int | None = None, units: Iterable[str] | str | None = None,
                      registry_only: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What engines may read: ``(panel, held)`` — :func:`load_panel` without the values an open
    plausibility finding holds out, and those held-out values (``unit_id, name, year,
    indicator_id, value, rules, finding_ids, reason``, restricted to the same filters)."""
    from rbcity.data.checks.findings import held_out

    panel = load_panel(engine, indicators, years, units, registry_only)
    held = held_out(engine)
    if held.empty or panel.empty:
        return panel, held.iloc[0:0]
    key = ["unit_id", "year", "indicator_id"]
    m = panel[key].merge(held[key].assign(_held=True), on=key, how="left")["_held"].fillna(False)
    drop = m.to_numpy(dtype=bool)
    hk = held.merge(panel.loc[drop, key], on=key)
    return panel.loc[~drop].reset_index(drop=True), hk


def to_wide(long_df: pd.DataFrame) -> pd.DataFrame:
    """``long_df`` pivoted: index (unit_id, year), one float column per indicator_id."""
    if long_df.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["unit_id", "year"]))
    w = long_df.pivot(index=["unit_id", "year"], columns="indicator_id", values="value")
    w.columns.name = None
    return w.sort_index()


def data_revision(engine: Engine) -> int:
    """The newest committed import batch id (0 for a store without data)."""
    with engine.connect() as conn:
        v = conn.execute(select(func.max(s.import_batch.c.id)).where(
            s.import_batch.c.status == "committed")).scalar()
    return int(v or 0)


def group_means(long_df: pd.DataFrame, indicator_id: str, unit_ids: Iterable[str]) -> pd.DataFrame:
    """Yearly mean of one indicator over a group of units (e.g. a city's province peers or its
    2013 type), with the number of units behind each mean: index ``year``, columns
    ``mean, count``. Descriptive, unweighted; years where no unit of the group has data are
    absent (never zero)."""
    o = long_df[(long_df["indicator_id"] == indicator_id) & long_df["unit_id"].isin(list(unit_ids))]
    return o.groupby("year")["value"].agg(["mean", "count"])
