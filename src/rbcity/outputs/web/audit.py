"""The audit log: every write through the web (import, engine re-run, sign-in) leaves one row in
``audit_log`` — who, when, what, and from which file (name and SHA-256) — written in the same
request as the change, so a change without its row does not happen unnoticed."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s


def record(engine: Engine, username: str, action: str, **detail) -> int:
    """Append one audit row; returns its id. ``detail`` must be JSON-serialisable."""
    with engine.begin() as conn:
        res = conn.execute(insert(s.audit_log).values(at=datetime.now(UTC), username=username,
                                                      action=action, detail=detail or None))
        return int(res.inserted_primary_key[0])


def audit_frame(engine: Engine, limit: int = 200, offset: int = 0) -> tuple[int, pd.DataFrame]:
    """(total rows, newest ``limit`` rows from ``offset``) of the audit log."""
    from sqlalchemy import func

    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(s.audit_log)).scalar_one()
        rows = conn.execute(select(s.audit_log).order_by(s.audit_log.c.id.desc())
                            .limit(limit).offset(offset)).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows], columns=["id", "at", "username", "action", "detail"])
    return int(total), df


#: the audit actions that move a form (``api.forms.upload_as`` / ``act_as``), in workflow order
FORM_ACTIONS = ("form_upload", "form_submit", "form_return", "form_accept", "form_publish")


def form_history(engine: Engine, unit_id: str, year: int) -> list[dict]:
    """The transitions of one form, oldest first: ``at, username, action, detail`` from the
    audit log (every upload and action through the web leaves one; refused requests are not
    part of a form's history)."""
    a = s.audit_log.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.at, a.username, a.action, a.detail).where(a.action.in_(FORM_ACTIONS))
                            .order_by(a.id)).mappings().all()
    return [dict(r) for r in rows if isinstance(r["detail"], dict)
            and r["detail"].get("unit_id") == unit_id and r["detail"].get("year") == year]
