"""Correcting a flagged value: the corrected number goes through the importer like any other
(a new batch, a new revision, the old value kept in ``observation_revision``), the finding is
marked ``corrected`` (audited), and the store is checked again — the new value is judged afresh."""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.checks.findings import FindingNotFound, decide
from rbcity.data.checks.run import ChecksRun, run_checks
from rbcity.errors import UserError


def correct(engine: Engine, finding_id: int, value: float, user: str, note: str,
            source: str | None = None) -> tuple[dict, object, ChecksRun]:
    """Store ``value`` as the new revision of the finding's (unit, year, indicator), in the
    catalogue unit of the stored value; returns (finding, import report, checks run)."""
    from rbcity.data.importer import import_frame
    from rbcity.data.reader import RawTable

    if not (note or "").strip():
        raise UserError("需要说明 --note is required: where the corrected value comes from")
    f, o = s.check_finding, s.observation
    with engine.connect() as conn:
        row = conn.execute(select(f).where(f.c.id == int(finding_id))).mappings().first()
        if row is None:
            raise FindingNotFound(f"没有该检查结果 no finding #{finding_id} (list them: rbcity checks)")
        cur = conn.execute(select(o.c.unit, o.c.revision).where(
            o.c.unit_id == row["unit_id"], o.c.year == row["year"],
            o.c.indicator_id == row["indicator_id"])).first()
    if cur is None or cur.revision != row["revision"]:
        raise UserError(f"检查结果 #{finding_id} 已过期 finding #{finding_id} is about revision {row['revision']}, "
                        f"the value has changed since; run `rbcity checks run`")
    col = f"corrected[{cur.unit}]"
    df = pd.DataFrame({"unit_id": [row["unit_id"]], "year": [str(row["year"])], col: [repr(float(value))]})
    table = RawTable(df, pd.Series([2]), f"checks:correct#{finding_id}", "")
    digest = hashlib.sha256(f"checks correct {finding_id} {value!r} {row['revision']}".encode()).hexdigest()
    rep = import_frame(engine, table, source=source or f"更正 correction of finding #{finding_id}: {note.strip()}",
                       user=user, columns={col: (row["indicator_id"], cur.unit)}, digest=digest)
    if rep.status != "committed":
        raise UserError(f"更正未写入 the correction was not stored ({rep.status}): "
                        f"{'; '.join(r.reason for r in rep.rejects[:3]) or rep.message}")
    finding = decide(engine, finding_id, "corrected", user, f"{note.strip()} (batch {rep.batch_id})")
    return finding, rep, run_checks(engine)
