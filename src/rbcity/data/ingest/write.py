"""Storing one import: the batch, every reject, the new values and revisions — in ONE
transaction, written in chunks (bounded memory), consistent under concurrent imports.

The write lock is taken *first* (SQLite: the batch row's insert takes the database's write lock,
waiting up to the busy timeout; PostgreSQL: a transaction-scoped advisory lock), and only then
are the stored values read and compared, so two imports of overlapping keys serialise instead
of colliding. An import that cannot get the lock ends as a *failed* batch with reason
``store_busy`` (数据库忙) and a one-line message.

Revisions: ``observation`` holds the current value, superseded ones move to
``observation_revision``. A value equal to an *older* revision of its key (re-importing an old
file after a correction) does not override the newer one: it is kept out and reported as
``newer_revision_kept``, unless ``restore_older=True``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from rbcity.data import schema as s
from rbcity.data.ingest.report import ImportReport, Reject, label

KEY = ["unit_id", "year", "indicator_id"]
OLD = ["old_value", "old_revision", "old_unit", "old_source", "old_batch"]
WRITE_CHUNK = 100_000
IMPORT_LOCK_KEY = 0x72626369  # 'rbci': PostgreSQL advisory lock serialising imports


class StoreBusy(Exception):
    """The store's write lock could not be had within the busy timeout."""


def hash_file(path: Path, extra: dict) -> str:
    """SHA-256 of the file's bytes and the import options."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    h.update(json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def done_batch(engine, digest: str, kind: str, once: bool = False) -> int | None:
    """The batch that already imported these bytes with these options, if the store still holds
    what it imported: a committed batch none of whose values was superseded since, or a no-op
    batch with no committed batch after it. Otherwise the file is processed again (and a value
    a newer revision replaced is reported, not restored, unless asked). ``once``: any such
    batch counts (bundled data load once, so later corrections are never undone by a rerun)."""
    b = s.import_batch.c
    with engine.connect() as conn:
        rows = conn.execute(select(b.id, b.status).where(
            b.sha256 == digest, b.kind == kind, b.status.in_(("committed", "no-op"))).order_by(b.id.desc())).all()
        if not rows:
            return None
        bid, status = rows[0]
        if once:
            return bid
        if status == "committed" and kind == "observations":
            superseded = conn.execute(select(func.count()).select_from(s.observation_revision).where(
                s.observation_revision.c.batch_id == bid)).scalar()
            return None if superseded else bid
        later = conn.execute(select(func.count()).select_from(s.import_batch).where(
            b.id > bid, b.status == "committed", b.kind == kind)).scalar()
        return None if later and kind == "observations" else bid


def insert_batch(conn, file, digest, kind, source, user, status, message="") -> int:
    res = conn.execute(insert(s.import_batch).values(
        file=file, sha256=digest, kind=kind, source=source, status=status, n_rows=0, n_accepted=0,
        n_rejected=0, n_new=0, n_revised=0, user=user, created_at=datetime.now(UTC), message=message))
    return int(res.inserted_primary_key[0])


def bulk_insert(conn, table, columns: list[str], rows) -> None:
    """``executemany`` of plain tuples straight to the driver (no per-row SQLAlchemy parameter
    processing: ~3× faster for a million rows), in chunks of ``WRITE_CHUNK`` rows."""
    q = conn.dialect.identifier_preparer
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s", "numeric": None, "named": None}.get(conn.dialect.paramstyle)
    sql = (f"INSERT INTO {q.format_table(table)} ({', '.join(q.quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark or '?'] * len(columns))})")
    it = iter(rows)
    while True:
        block = [r for _, r in zip(range(WRITE_CHUNK), it, strict=False)]
        if not block:
            return
        if mark is None:  # pragma: no cover - other drivers: let SQLAlchemy bind
            conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in block])
        else:
            conn.exec_driver_sql(sql, block)


def insert_rejects(conn, batch_id: int, rejects: list[Reject]) -> None:
    bulk_insert(conn, s.rejected_row, ["batch_id", "file", "sheet", "row", "column", "raw_value", "reason_code", "reason"],
                ((batch_id, r.file, r.sheet, r.row, r.column, r.raw_value, r.reason_code, r.reason) for r in rejects))


def failed(engine, file, sheet, source, digest, code, message, user, dry_run, kind="observations") -> ImportReport:
    """A batch that stores nothing but one reject saying why (recorded even when the store was
    busy, if it frees up within the busy timeout)."""
    rej = Reject(file, sheet, None, "", "", code, f"{label(code)} {message}")
    rep = ImportReport(None, "failed" if not dry_run else "dry-run", n_rejected=1, rejects=[rej],
                       file=file, sheet=sheet, source=source, message=message)
    if dry_run:
        return rep
    try:
        with engine.begin() as conn:
            rep.batch_id = insert_batch(conn, file, digest, kind, source, user, "failed", message)
            insert_rejects(conn, rep.batch_id, [rej])
            conn.execute(update(s.import_batch).where(s.import_batch.c.id == rep.batch_id).values(n_rejected=1))
    except OperationalError:
        rep.message += " (未能记录失败批次 the failed batch could not be recorded: store still busy)"
    return rep


def _lock(conn) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK_KEY})


def _existing(conn, accepted: pd.DataFrame) -> pd.DataFrame:
    inds = sorted(map(str, accepted["indicator_id"].unique()))
    o = s.observation.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value.label("old_value"), o.revision.label("old_revision"),
               o.unit.label("old_unit"), o.source.label("old_source"), o.batch_id.label("old_batch")
               ).where(o.indicator_id.in_(inds))
    return pd.read_sql(q, conn)


def _older(conn, merged: pd.DataFrame) -> np.ndarray:
    """True where a revised value equals a superseded revision of its key (an older value)."""
    rev = merged["status"] == "revised"
    if not rev.any():
        return np.zeros(len(merged), bool)
    inds = sorted(map(str, merged.loc[rev, "indicator_id"].unique()))
    r = s.observation_revision.c
    old = pd.read_sql(select(r.unit_id, r.year, r.indicator_id, r.value).where(r.indicator_id.in_(inds)), conn)
    if old.empty:
        return np.zeros(len(merged), bool)
    old["year"] = old["year"].astype(int)
    old["k"] = old["unit_id"] + "|" + old["year"].astype(str) + "|" + old["indicator_id"]
    mk = (merged["unit_id"].astype(str) + "|" + merged["year"].astype(int).astype(str) + "|"
          + merged["indicator_id"].astype(str))
    hit = np.zeros(len(merged), bool)
    cand = rev.to_numpy() & mk.isin(set(old["k"])).to_numpy()
    if cand.any():
        pairs = set(zip(old["k"], old["value"].round(9), strict=True))
        vals = merged["value"].round(9).to_numpy()
        keys = mk.to_numpy()
        for i in np.flatnonzero(cand):
            hit[i] = (keys[i], vals[i]) in pairs
    return hit


def _compare(conn, accepted: pd.DataFrame, restore_older: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values to store with status new/revised/unchanged, values kept out by a newer revision)."""
    acc = accepted.astype({"unit_id": str, "indicator_id": str, "unit": str, "source": str, "column": str})
    old = _existing(conn, acc) if len(acc) else pd.DataFrame(columns=KEY + OLD)
    old["year"] = old["year"].astype(int)
    acc["year"] = acc["year"].astype(int)
    merged = acc.merge(old, on=KEY, how="left")
    same = np.isclose(merged["value"], merged["old_value"].astype(float), rtol=1e-12, atol=0.0)
    merged["status"] = np.where(merged["old_value"].isna(), "new", np.where(same, "unchanged", "revised"))
    kept = _older(conn, merged) if not restore_older else np.zeros(len(merged), bool)
    merged["revision"] = np.where(merged["old_value"].isna(), 1,
                                  merged["old_revision"].fillna(0).astype(int) + (merged["status"] == "revised").astype(int))
    return merged[~kept], merged[kept]


def store(engine, accepted: pd.DataFrame, rejects: list[Reject], *, file, sheet, source, user, dry_run, digest,
          kind, n_rows, n_blank, n_duplicate, restore_older: bool = False) -> ImportReport:
    """Write one import (see the module docstring); returns its report."""
    try:
        if dry_run:
            with engine.connect() as conn:
                merged, kept = _compare(conn, accepted, restore_older)
            return _report(merged, kept, rejects, None, file, sheet, source, n_rows, n_blank, n_duplicate, True)
        with engine.begin() as conn:
            _lock(conn)
            if conn.dialect.name == "sqlite":  # room for the primary-key and index pages of a big batch
                conn.exec_driver_sql("PRAGMA cache_size=-262144")
            bid = insert_batch(conn, file, digest, kind, source, user, "committed")  # takes the write lock
            merged, kept = _compare(conn, accepted, restore_older)
            rep = _report(merged, kept, rejects, bid, file, sheet, source, n_rows, n_blank, n_duplicate, False)
            _write(conn, bid, merged, rep)
        return rep
    except OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            return failed(engine, file, sheet, source, digest, "store_busy",
                          "数据库忙 store busy: another import holds the write lock; try again", user, False, kind)
        raise
    except IntegrityError as exc:  # a concurrent writer outside rbcity's lock
        return failed(engine, file, sheet, source, digest, "store_busy",
                      f"数据库忙 store busy: a concurrent write collided ({str(exc).splitlines()[0]}); try again",
                      user, False, kind)


def _report(merged, kept, rejects, bid, file, sheet, source, n_rows, n_blank, n_duplicate, dry_run) -> ImportReport:
    if len(kept):
        rejects = rejects + [
            Reject(file, sheet, int(r), str(col), f"{v:.12g}", "newer_revision_kept",
                   f"保留较新的修订 a newer revision is kept: stored {ov:.12g} (rev {int(orv)}, batch {int(ob)}) "
                   f"replaced this older value; 用 --restore-older 恢复 restore with --restore-older")
            for r, col, v, ov, orv, ob in zip(kept["row"], kept["column"], kept["value"], kept["old_value"],
                                              kept["old_revision"], kept["old_batch"], strict=True)]
    n_new = int((merged["status"] == "new").sum())
    n_rev = int((merged["status"] == "revised").sum())
    n_acc = len(merged)
    real = [r for r in rejects if r.reason_code != "newer_revision_kept"]
    if n_acc == 0 and real:
        status = "failed"
    elif n_new + n_rev == 0:
        status = "no-op"
    else:
        status = "committed"
    return ImportReport(bid, "dry-run" if dry_run else status, n_rows, n_acc, n_new, n_rev, len(rejects), rejects,
                        merged.drop(columns=OLD), file, sheet, source, n_unchanged=n_acc - n_new - n_rev,
                        n_blank=n_blank, n_duplicate=n_duplicate, n_kept_newer=len(kept))


def _write(conn, bid: int, merged: pd.DataFrame, rep: ImportReport) -> None:
    insert_rejects(conn, bid, rep.rejects)
    now = datetime.now(UTC)
    cols = ["unit_id", "year", "indicator_id", "value", "unit", "source", "revision"]
    # in primary-key order: B-tree appends instead of random page splits
    changed = merged[merged["status"] != "unchanged"].sort_values(KEY)
    isnew = (changed["status"] == "new").to_numpy()
    new = changed[isnew]
    for a in range(0, len(new), WRITE_CHUNK):
        part = new.iloc[a:a + WRITE_CHUNK]
        bulk_insert(conn, s.observation, cols + ["batch_id"], zip(
            part["unit_id"].tolist(), part["year"].astype(int).tolist(), part["indicator_id"].tolist(),
            part["value"].astype(float).tolist(), part["unit"].tolist(), part["source"].tolist(),
            part["revision"].astype(int).tolist(), [bid] * len(part), strict=True))
    rev = changed[~isnew]
    if len(rev):
        # the superseded values move to observation_revision (recorded_at = when superseded)
        stamp = f"{now:%Y-%m-%d %H:%M:%S.%f}" if conn.dialect.name == "sqlite" else now
        bulk_insert(conn, s.observation_revision, cols + ["batch_id", "recorded_at"], zip(
            rev["unit_id"].tolist(), rev["year"].astype(int).tolist(), rev["indicator_id"].tolist(),
            rev["old_value"].astype(float).tolist(), rev["old_unit"].tolist(), rev["old_source"].tolist(),
            rev["old_revision"].astype(int).tolist(), rev["old_batch"].astype(int).tolist(),
            [stamp] * len(rev), strict=True))
        o = s.observation.c
        conn.execute(update(s.observation).where(
            o.unit_id == bindparam("b_unit"), o.year == bindparam("b_year"),
            o.indicator_id == bindparam("b_ind")).values(
            value=bindparam("value"), unit=bindparam("unit"), source=bindparam("source"),
            revision=bindparam("revision"), batch_id=bindparam("batch_id")),
            [dict(b_unit=u, b_year=int(y), b_ind=i, value=float(v), unit=un, source=sr, revision=int(rv), batch_id=bid)
             for u, y, i, v, un, sr, rv in zip(*[rev[c].tolist() for c in cols], strict=True)])
    conn.execute(update(s.import_batch).where(s.import_batch.c.id == bid).values(
        status=rep.status, n_rows=rep.n_rows, n_accepted=rep.n_accepted, n_rejected=len(rep.rejects),
        n_new=rep.n_new, n_revised=rep.n_revised,
        message=f"blank {rep.n_blank}, duplicate {rep.n_duplicate}, unchanged {rep.n_unchanged}"
                + (f", newer revision kept {rep.n_kept_newer}" if rep.n_kept_newer else "")))
