"""Shared helpers of the bad-input corpus tests (stored values, not only reports)."""

from __future__ import annotations

from sqlalchemy import func, select

from rbcity.data import schema as s


def stored(engine, unit_id=None, year=None, ind=None) -> dict:
    """{(unit_id, year, indicator_id): value} of the observation table (optionally filtered)."""
    o = s.observation.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value)
    for col, v in ((o.unit_id, unit_id), (o.year, year), (o.indicator_id, ind)):
        if v is not None:
            q = q.where(col == v)
    with engine.connect() as c:
        return {(u, y, i): v for u, y, i, v in c.execute(q)}


def n_rows(engine, table) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar_one()


def put(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p
