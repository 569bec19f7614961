"""What the store remembers about its data: batches, rejected cells, and each value's history."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import desc, func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s


def batches(engine: Engine, limit: int | None = 50) -> pd.DataFrame:
    """Import batches, newest first."""
    b = s.import_batch
    q = select(b.c.id, b.c.created_at, b.c.kind, b.c.status, b.c.file, b.c.source, b.c.n_rows,
               b.c.n_accepted, b.c.n_new, b.c.n_revised, b.c.n_rejected, b.c.user).order_by(desc(b.c.id))
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(q, conn)


def last_batch_with_rejects(engine: Engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(s.rejected_row.c.batch_id))).scalar()


def rejects(engine: Engine, batch_id: int | None = None, reason: str | None = None,
            limit: int | None = None) -> pd.DataFrame:
    """Rejected cells (``batch_id, file, sheet, row, column, raw_value, reason_code, reason``)
    in file order; all batches when ``batch_id`` is None."""
    r = s.rejected_row
    q = select(r.c.batch_id, r.c.file, r.c.sheet, r.c.row, r.c.column, r.c.raw_value, r.c.reason_code, r.c.reason)
    if batch_id is not None:
        q = q.where(r.c.batch_id == batch_id)
    if reason:
        q = q.where(r.c.reason_code == reason)
    q = q.order_by(r.c.batch_id, r.c.id)
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["row"] = df["row"].astype("Int64")
    return df


def history(engine: Engine, unit_id: str, indicator_id: str) -> pd.DataFrame:
    """Every revision of one unit's indicator, by year then revision: ``year, revision, value,
    unit, source, batch_id, file, imported_at, current`` (superseded values come from
    ``observation_revision``, the current one from ``observation``)."""
    r, o, b = s.observation_revision, s.observation, s.import_batch
    cols = ["year", "revision", "value", "unit", "source", "batch_id"]
    q_old = select(*[r.c[c] for c in cols]).where(r.c.unit_id == unit_id, r.c.indicator_id == indicator_id)
    q_cur = select(*[o.c[c] for c in cols]).where(o.c.unit_id == unit_id, o.c.indicator_id == indicator_id)
    with engine.connect() as conn:
        old = pd.DataFrame(conn.execute(q_old).all(), columns=cols).assign(current=False)
        cur = pd.DataFrame(conn.execute(q_cur).all(), columns=cols).assign(current=True)
        bat = pd.DataFrame(conn.execute(select(b.c.id, b.c.file, b.c.created_at)).all(),
                           columns=["batch_id", "file", "imported_at"])
    df = pd.concat([d for d in (old, cur) if len(d)] or [old], ignore_index=True)
    df = df.merge(bat, on="batch_id", how="left").sort_values(["year", "revision"]).reset_index(drop=True)
    return df[["year", "revision", "value", "unit", "source", "batch_id", "file", "imported_at", "current"]]


def record_action(conn, username: str, action: str, detail: dict | None = None) -> None:
    """Append one ``audit_log`` row inside the caller's transaction ``conn`` (so a decision and
    its audit row commit together or not at all)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    conn.execute(insert(s.audit_log).values(at=datetime.now(UTC), username=username or "",
                                            action=action, detail=detail or None))
