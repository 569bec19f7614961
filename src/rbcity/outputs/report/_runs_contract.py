"""Stand-in for ``rbcity.plan.runs`` while the engines branch is not merged: the contract's
reading API over the ``run``/``result`` tables (read only, no computation).

``latest_run(engine, name, year=None)`` → the newest run row of that engine (for that year if
given) as a dict, or None. ``latest_results(engine, name, year=None)`` → that run's results,
wide: one row per (unit_id, year), one column per key (numbers from ``value``, text from
``text``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s


def latest_run(engine: Engine, name: str, year: int | None = None) -> dict | None:
    q = select(s.run).where(s.run.c.engine == name)
    if year is not None:
        q = q.where(s.run.c.year == year)
    q = q.order_by(s.run.c.created_at.desc(), s.run.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def latest_results(engine: Engine, name: str, year: int | None = None) -> pd.DataFrame:
    run = latest_run(engine, name, year)
    if run is None:
        return pd.DataFrame(columns=["unit_id", "year"])
    q = select(s.result).where(s.result.c.run_id == run["id"])
    with engine.connect() as conn:
        long = pd.read_sql(q, conn)
    if long.empty:
        return pd.DataFrame(columns=["unit_id", "year"])
    long["cell"] = long["text"].where(long["text"].notna(), long["value"])
    wide = (long.drop_duplicates(["unit_id", "year", "key"])
            .set_index(["unit_id", "year", "key"])["cell"].unstack("key").reset_index())
    wide.columns.name = None
    for col in wide.columns[2:]:
        if long.loc[long["key"] == col, "text"].isna().all():
            wide[col] = pd.to_numeric(wide[col], errors="coerce")
    return wide
