"""The stored findings (``check_finding``): keep them in step with a fresh run of the rules,
list them, confirm one (audited), and say which values are held out of the engines.

A finding is about one observation *revision*. When a corrected value arrives (a new revision),
open findings on the old revision become ``corrected`` and the new value is checked afresh.
An open finding the rules no longer raise (thresholds changed, neighbours corrected) and that
nobody acted on is dropped; confirmed and corrected ones are kept as the record.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.audit import record_action
from rbcity.errors import UserError

KEY = ["rule", "unit_id", "year", "indicator_id", "revision"]
LIST_COLUMNS = ["id", "rule", "unit_id", "name", "year", "indicator_id", "value", "revision", "severity",
                "status", "detail", "note", "decided_by", "decided_at"]


class FindingNotFound(UserError):
    """No finding with that id."""


def sync(conn, found: pd.DataFrame, current: pd.DataFrame, now: datetime | None = None) -> dict[str, int]:
    """Bring ``check_finding`` in step with ``found`` (rule, unit_id, year, indicator_id,
    revision, value, detail, severity) given the current observation revisions ``current``
    (unit_id, year, indicator_id, revision). Returns counts new / kept / dropped / superseded."""
    f = s.check_finding
    now = now or datetime.now(UTC)
    stored = pd.DataFrame([tuple(r) for r in conn.execute(select(
                              f.c.id, f.c.rule, f.c.unit_id, f.c.year, f.c.indicator_id, f.c.revision, f.c.status))],
                          columns=["id", *KEY, "status"])
    cur = current.rename(columns={"revision": "current_revision"})
    st = stored.merge(cur, on=["unit_id", "year", "indicator_id"], how="left")
    superseded = st[(st["status"] == "open") & (st["current_revision"] != st["revision"])]
    fk = found[KEY].astype({"year": "int64", "revision": "int64"})
    st_open = st[(st["status"] == "open") & (st["current_revision"] == st["revision"])]
    gone = st_open.merge(fk, on=KEY, how="left", indicator=True)
    gone = gone[gone["_merge"] == "left_only"]
    new = found.merge(stored[KEY].astype({"year": "int64", "revision": "int64"}), on=KEY, how="left",
                      indicator=True)
    new = new[new["_merge"] == "left_only"]
    if len(superseded):
        conn.execute(update(f).where(f.c.id.in_(superseded["id"].astype(int).tolist())).values(
            status="corrected", decided_by="import", decided_at=now,
            note="值已被新版本取代 superseded by a new revision"))
    if len(gone):
        conn.execute(delete(f).where(f.c.id.in_(gone["id"].astype(int).tolist())))
    if len(new):
        conn.execute(insert(f), [dict(rule=r.rule, unit_id=r.unit_id, year=int(r.year),
                                      indicator_id=r.indicator_id, revision=int(r.revision),
                                      value=float(r.value), detail=r.detail, severity=r.severity,
                                      status="open", note="", created_at=now, decided_by="")
                                 for r in new.itertuples(index=False)])
    return {"new": len(new), "kept": len(found) - len(new), "dropped": len(gone),
            "superseded": len(superseded)}


def _open_current(hold_severities=None):
    """Select of open findings on the current revision of their value."""
    f, o = s.check_finding, s.observation
    q = select(f.c.id, f.c.rule, f.c.unit_id, f.c.year, f.c.indicator_id, f.c.revision, f.c.value,
               f.c.severity, f.c.detail).select_from(f.join(o, and_(
                   o.c.unit_id == f.c.unit_id, o.c.year == f.c.year, o.c.indicator_id == f.c.indicator_id,
                   o.c.revision == f.c.revision))).where(f.c.status == "open")
    if hold_severities is not None:
        q = q.where(f.c.severity.in_(list(hold_severities)))
    return q


def held_out(engine: Engine) -> pd.DataFrame:
    """Values held out of the engines: one row per (unit_id, year, indicator_id) with an open
    finding of a holding severity on its current revision — ``unit_id, year, indicator_id,
    value, rules, finding_ids, reason``."""
    from rbcity.data.checks.spec import load_checks_spec

    cols = ["unit_id", "name", "year", "indicator_id", "value", "rules", "finding_ids", "reason"]
    if not _has_table(engine):
        return pd.DataFrame(columns=cols)
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(_open_current(load_checks_spec()["hold_out_severities"])).all(),
                            columns=["id", "rule", "unit_id", "year", "indicator_id", "revision", "value",
                                     "severity", "detail"])
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows.sort_values("id")
    g = rows.groupby(["unit_id", "year", "indicator_id"], sort=True)
    out = g.agg(value=("value", "first"), rules=("rule", lambda x: ", ".join(dict.fromkeys(x))),
                finding_ids=("id", list)).reset_index()
    with engine.connect() as conn:
        names = dict(conn.execute(select(s.unit.c.unit_id, s.unit.c.name).where(
            s.unit.c.unit_id.in_(out["unit_id"].unique().tolist()))).all())
    out["name"] = out["unit_id"].map(names).fillna(out["unit_id"])
    out["reason"] = [f"held out: {n} {y} {i} = {v:g} flagged by {r} (finding "
                     f"{', '.join(f'#{k}' for k in ids)}; rbcity checks confirm/correct)"
                     for n, y, i, v, r, ids in out[["name", "year", "indicator_id", "value", "rules",
                                                    "finding_ids"]].itertuples(index=False)]
    return out[cols]


def _has_table(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("check_finding")


def list_findings(engine: Engine, year: int | None = None, indicator: str | None = None,
                  unit_id: str | None = None, status: str | None = None, rule: str | None = None) -> pd.DataFrame:
    """Stored findings, newest value first within unit order, with the unit's name."""
    f, u = s.check_finding, s.unit
    q = select(f.c.id, f.c.rule, f.c.unit_id, u.c.name, f.c.year, f.c.indicator_id, f.c.value, f.c.revision,
               f.c.severity, f.c.status, f.c.detail, f.c.note, f.c.decided_by, f.c.decided_at).select_from(
        f.outerjoin(u, u.c.unit_id == f.c.unit_id))
    for col, val in ((f.c.year, year), (f.c.indicator_id, indicator), (f.c.unit_id, unit_id),
                     (f.c.status, status), (f.c.rule, rule)):
        if val is not None:
            q = q.where(col == val)
    q = q.order_by(f.c.rule, f.c.unit_id, f.c.indicator_id, f.c.year, f.c.id)
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).all(), columns=LIST_COLUMNS)
    df["name"] = df["name"].fillna("")
    return df


def last_run_stats(engine: Engine) -> dict:
    """The per-rule figures of the newest checks run (``audit_log`` action ``checks.run``):
    rule → {n_checked, n_flagged, share, too_many}; {} before the first run."""
    a = s.audit_log
    with engine.connect() as conn:
        d = conn.execute(select(a.c.detail).where(a.c.action == "checks.run").order_by(a.c.id.desc())
                         .limit(1)).scalar()
    return (d or {}).get("rules", {})


def rule_counts(engine: Engine) -> pd.DataFrame:
    """Findings per rule and status: ``rule, severity, open, confirmed, corrected, held_out,
    checked, share, too_many`` (held_out: open findings on current values of a holding severity;
    checked/share/too_many: from the newest run — too_many marks a rule firing on more than the
    spec's ``max_share`` of the values it judged)."""
    df = list_findings(engine) if _has_table(engine) else pd.DataFrame(columns=LIST_COLUMNS)
    cols = ["rule", "severity", "open", "confirmed", "corrected", "held_out", "checked", "share", "too_many"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    t = df.pivot_table(index=["rule", "severity"], columns="status", values="id", aggfunc="count",
                       fill_value=0).reset_index()
    for c in ("open", "confirmed", "corrected"):
        if c not in t:
            t[c] = 0
    with engine.connect() as conn:
        from rbcity.data.checks.spec import load_checks_spec

        held = pd.DataFrame(conn.execute(_open_current(load_checks_spec()["hold_out_severities"])).all())
    hc = held.groupby("rule").size() if len(held) else pd.Series(dtype=int)
    t["held_out"] = t["rule"].map(hc).fillna(0).astype(int)
    stats = last_run_stats(engine)
    t["checked"] = t["rule"].map(lambda r: stats.get(r, {}).get("n_checked")).astype("Int64")
    t["share"] = t["rule"].map(lambda r: stats.get(r, {}).get("share")).astype(float)
    t["too_many"] = t["rule"].map(lambda r: bool(stats.get(r, {}).get("too_many", False)))
    t.columns.name = None
    return t[cols].reset_index(drop=True)


def decide(engine: Engine, finding_id: int, status: str, user: str, note: str) -> dict:
    """Set one finding's status (``confirmed`` or ``corrected``) with who, when and why, and
    write the audit row in the same transaction. Returns the finding as a dict."""
    f = s.check_finding
    if status not in ("confirmed", "corrected"):
        raise UserError(f"状态无效 status must be confirmed or corrected, not {status!r}")
    if not (note or "").strip():
        raise UserError("需要说明 --note is required: say why (source checked, document, …)")
    with engine.begin() as conn:
        row = conn.execute(select(f).where(f.c.id == int(finding_id))).mappings().first()
        if row is None:
            raise FindingNotFound(f"没有该检查结果 no finding #{finding_id} (list them: rbcity checks)")
        now = datetime.now(UTC)
        conn.execute(update(f).where(f.c.id == int(finding_id)).values(
            status=status, note=note.strip(), decided_by=user or "", decided_at=now))
        record_action(conn, user or "", f"checks.{status[:-2] if status.endswith('ed') else status}",
                      {"finding": int(finding_id), "rule": row["rule"], "unit_id": row["unit_id"],
                       "year": int(row["year"]), "indicator_id": row["indicator_id"],
                       "revision": int(row["revision"]), "value": float(row["value"]), "note": note.strip()})
    return dict(row, status=status, note=note.strip(), decided_by=user or "")


def confirm(engine: Engine, finding_id: int, user: str, note: str) -> dict:
    """A user checked the value against its source and it stands: the finding is ``confirmed``
    and no longer holds the value out (audited)."""
    return decide(engine, finding_id, "confirmed", user, note)


def flagged_values(engine: Engine, unit_id: str | None = None, limit: int | None = None) -> tuple[int, list[dict]]:
    """For pages: (number of, and up to ``limit``) open or confirmed findings — one dict each
    with ``id, rule, unit_id, name, year, indicator_id, value, severity, status, held_out``
    (held_out: the value is kept out of the engines now) and ``detail`` as ``k=v`` text."""
    if not _has_table(engine):
        return 0, []
    df = list_findings(engine, unit_id=unit_id)
    df = df[df["status"].isin(["open", "confirmed"])]
    held = held_out(engine)
    hk = set(zip(held["unit_id"], held["year"], held["indicator_id"], strict=True))
    rows = []
    for r in df.head(limit).to_dict("records") if limit else df.to_dict("records"):
        r["held_out"] = (r["unit_id"], r["year"], r["indicator_id"]) in hk
        r["detail"] = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                for k, v in (r["detail"] or {}).items())
        rows.append({k: r[k] for k in ("id", "rule", "unit_id", "name", "year", "indicator_id", "value",
                                        "severity", "status", "held_out", "detail")})
    return len(df), rows
