"""Reading the registry back from the store, as frames the outputs layer renders."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s


def cities_frame(engine: Engine) -> pd.DataFrame:
    """The ``city`` table (262 rows, appendix order) with unit coordinates."""
    q = (select(s.city, s.unit.c.lon, s.unit.c.lat)
         .join(s.unit, s.unit.c.unit_id == s.city.c.unit_id).order_by(s.city.c.seq))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["exhausted_batch"] = df["exhausted_batch"].astype("Int64")
    return df


def code_history_frame(engine: Engine, unit_id: str) -> pd.DataFrame:
    """The stored code history of one unit, oldest first (undated lines first)."""
    q = select(s.code_history).where(s.code_history.c.unit_id == unit_id).order_by(s.code_history.c.id)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    for col in ("valid_from", "valid_to"):
        df[col] = df[col].astype("Int64")
    return df.drop(columns=["id", "unit_id"])


def unit_names(engine: Engine) -> dict[str, str]:
    """unit_id → name for every unit in the store (registry and non-registry)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(s.unit.c.unit_id, s.unit.c.name)).all())
