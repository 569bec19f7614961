"""Storing one import: the batch, every reject, the new values and revisions — in ONE
transaction, written in chunks (bounded memory), consistent under concurrent imports.

The write lock is taken *first* (SQLite: the batch row's insert takes the database's write lock,
waiting up to the busy timeout; PostgreSQL: a transaction-scoped advisory lock), and only then
are the stored values read and compared, so two imports of overlapping keys serialise instead
of colliding. An import that cannot get the lock ends as a *failed* batch with reason
``store_busy`` (数据库忙) and a one-line message.

Revisions: ``observation`` holds the current value, superseded ones move to
``observation_revision``. Re-importing a file that was imported before (same bytes and options)
after another file revised some of its values does not override those newer revisions: the
file's values are kept out and reported as ``newer_revision_kept``, unless ``restore_older=True``.
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
from rbcity.data.ingest.keys import frame_keys, keys, sorted_categorical
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
    """PostgreSQL: the import lock, waited for no longer than the busy timeout (as SQLite)."""
    if conn.dialect.name == "postgresql":
        import os

        from rbcity.data.store import BUSY_TIMEOUT, BUSY_TIMEOUT_VAR

        ms = int(1000 * float(os.environ.get(BUSY_TIMEOUT_VAR) or BUSY_TIMEOUT))
        conn.execute(text(f"SET LOCAL lock_timeout = {ms}"))  # an int: no user text in the SQL
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK_KEY})
        conn.execute(text("SET LOCAL lock_timeout = 0"))


def _existing(conn, units: pd.Index, inds: pd.Index, want: np.ndarray) -> dict[str, np.ndarray | pd.Categorical]:
    """The stored values whose keys are in ``want`` (sorted int64 keys over ``units``/``inds``),
    read in chunks of ``WRITE_CHUNK`` rows and kept as arrays: only matches are held, so memory
    is bounded by the file, not by the store."""
    o = s.observation.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value, o.revision, o.unit, o.source, o.batch_id
               ).where(o.indicator_id.in_(list(inds)))
    parts: dict[str, list] = {k: [] for k in ("key", "old_value", "old_revision", "old_unit", "old_source", "old_batch")}
    res = conn.execute(q.execution_options(stream_results=True))  # this query only, not the connection
    while rows := res.fetchmany(WRITE_CHUNK):
        u, y, i, v, rv, un, sr, b = zip(*rows, strict=True)
        uc, ic = pd.Categorical(u, categories=units).codes, pd.Categorical(i, categories=inds).codes
        key = keys(uc, y, ic, len(inds))
        pos = np.minimum(np.searchsorted(want, key), max(len(want) - 1, 0))
        hit = (uc >= 0) & (ic >= 0) & (want[pos] == key) if len(want) else np.zeros(len(key), bool)
        if not hit.any():
            continue
        parts["key"].append(key[hit])
        parts["old_value"].append(np.asarray(v, float)[hit])
        parts["old_revision"].append(np.asarray(rv, float)[hit])
        parts["old_batch"].append(np.asarray(b, float)[hit])
        parts["old_unit"].append(pd.Categorical(np.asarray(un, object)[hit]))
        parts["old_source"].append(pd.Categorical(np.asarray(sr, object)[hit]))
    if not parts["key"]:
        return {"key": np.zeros(0, np.int64)}
    from pandas.api.types import union_categoricals

    return {k: (union_categoricals(v) if k in ("old_unit", "old_source") else np.concatenate(v))
            for k, v in parts.items()}


def prior_batch(engine, digest: str, kind: str) -> int | None:
    """The newest earlier batch that committed these same bytes and options (None: a new file)."""
    b = s.import_batch.c
    with engine.connect() as conn:
        return conn.execute(select(func.max(b.id)).where(
            b.sha256 == digest, b.kind == kind, b.status == "committed")).scalar()


def _older(merged: pd.DataFrame, prior: int | None) -> np.ndarray:
    """True where this file was imported before (batch ``prior``) and the stored value it would
    revise came from a later batch: the file is older than that revision."""
    if prior is None or "old_batch" not in merged.columns:
        return np.zeros(len(merged), bool)
    return ((merged["status"] == "revised") & (merged["old_batch"].astype(float) > prior)).to_numpy()


def _compare(conn, accepted: pd.DataFrame, restore_older: bool, prior: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values to store with status new/revised/unchanged, values kept out by a newer revision).

    Keys stay categorical (integer codes over sorted categories, :mod:`~rbcity.data.ingest.keys`)
    and are matched to the stored values as int64 keys, so a 5-million-row file never becomes
    millions of Python strings. ``accepted`` is extended in place (no copy of a big frame); the
    ``old_*`` columns exist only when some value is already stored."""
    acc = accepted
    for c in ("unit_id", "indicator_id", "unit", "source", "column"):
        acc[c] = sorted_categorical(acc[c])
    acc["year"] = acc["year"].astype("int16")
    n = len(acc)
    key = frame_keys(acc)
    if n:
        want = np.sort(key)
        old = _existing(conn, acc["unit_id"].cat.categories, acc["indicator_id"].cat.categories, want)
        del want
    else:
        old = {"key": np.zeros(0, np.int64)}
    status = np.zeros(n, np.int8)  # 0 new, 1 unchanged, 2 revised
    revision = np.ones(n, np.int32)
    if len(old["key"]):
        order = np.argsort(old["key"])
        at = order[np.minimum(np.searchsorted(old["key"], key, sorter=order), len(order) - 1)]
        found = old["key"][at] == key
        del order
        take = np.where(found, at, -1)
        fi = np.flatnonzero(found)
        ov, nv = old["old_value"][at[fi]], acc["value"].to_numpy(float)[fi]
        same = np.abs(nv - ov) <= 1e-12 * np.abs(ov)  # np.isclose(rtol=1e-12, atol=0), on stored keys only
        status[fi] = np.where(same, 1, 2)
        revision[fi] = old["old_revision"][at[fi]].astype(np.int32) + (~same)
        for c in ("old_value", "old_revision", "old_batch"):
            col = np.full(n, np.nan)
            col[fi] = old[c][at[fi]]
            acc[c] = col
        for c in ("old_unit", "old_source"):
            acc[c] = old[c].take(take, allow_fill=True)
    del key
    acc["status"] = pd.Categorical.from_codes(status, ["new", "unchanged", "revised"])
    acc["revision"] = revision
    kept = _older(acc, prior) if not restore_older else np.zeros(n, bool)
    if not kept.any():
        return acc, acc.iloc[:0]
    return acc[~kept].reset_index(drop=True), acc[kept]


def store(engine, accepted: pd.DataFrame, rejects: list[Reject], *, file, sheet, source, user, dry_run, digest,
          kind, n_rows, n_blank, n_duplicate, restore_older: bool = False, prior: int | None = None) -> ImportReport:
    """Write one import (see the module docstring); returns its report."""
    try:
        if dry_run:
            with engine.connect() as conn:
                merged, kept = _compare(conn, accepted, restore_older, prior)
            return _strip(_report(merged, kept, rejects, None, file, sheet, source, n_rows, n_blank, n_duplicate, True))
        with engine.begin() as conn:
            _lock(conn)
            if conn.dialect.name == "sqlite":  # room for the primary-key and index pages of a big batch
                conn.exec_driver_sql("PRAGMA cache_size=-32768")
            bid = insert_batch(conn, file, digest, kind, source, user, "committed")  # takes the write lock
            merged, kept = _compare(conn, accepted, restore_older, prior)
            rep = _report(merged, kept, rejects, bid, file, sheet, source, n_rows, n_blank, n_duplicate, False)
            _write(conn, bid, merged, rep)
        return _strip(rep)
    except OperationalError as exc:
        if any(w in str(exc).lower() for w in ("locked", "busy", "lock timeout")):
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
                        merged, file, sheet, source, n_unchanged=n_acc - n_new - n_rev,
                        n_blank=n_blank, n_duplicate=n_duplicate, n_kept_newer=len(kept))


def _strip(rep: ImportReport) -> ImportReport:
    """The report's accepted values without the stored ones they were compared with (columns
    deleted in place: no copy of a big frame)."""
    for c in OLD:
        if c in rep.accepted.columns:
            del rep.accepted[c]
    return rep


#: SQLite: a batch of at least this many new values, and at least as many as the store holds,
#: drops the secondary index of ``observation`` and builds it again after the insert (same
#: transaction): one sort instead of a million scattered B-tree inserts (bench/bench_import.py)
REBUILD_INDEX_MIN = 100_000


class _index_rebuilt:
    """Context: around a big insert into ``observation`` on SQLite, the (indicator, year) index
    is dropped and rebuilt inside the import's transaction (readers keep their snapshot; a
    failure rolls the drop back with the rest)."""

    def __init__(self, conn, n_new: int):
        self.conn, self.on = conn, False
        if conn.dialect.name != "sqlite" or n_new < REBUILD_INDEX_MIN:
            return
        held = conn.exec_driver_sql("SELECT max(rowid) FROM observation").scalar() or 0  # rows ever held: an upper bound
        self.on = n_new >= held

    def __enter__(self):
        if self.on:
            self.conn.exec_driver_sql("DROP INDEX IF EXISTS ix_observation_indicator_year")

    def __exit__(self, kind, exc, tb):
        if self.on and kind is None:
            self.conn.exec_driver_sql("CREATE INDEX ix_observation_indicator_year ON observation (indicator_id, year)")
        return False


def _write(conn, bid: int, merged: pd.DataFrame, rep: ImportReport) -> None:
    """Rejects, new values, superseded values and updates, in chunks of ``WRITE_CHUNK`` rows in
    primary-key order (B-tree appends instead of random page splits)."""
    insert_rejects(conn, bid, rep.rejects)
    now = datetime.now(UTC)
    cols = ["unit_id", "year", "indicator_id", "value", "unit", "source", "revision"]
    status = merged["status"].cat.codes.to_numpy() if len(merged) else np.zeros(0, np.int8)
    key = frame_keys(merged) if len(merged) else np.zeros(0, np.int64)
    changed = np.flatnonzero(status != 1)
    changed = changed[np.argsort(key[changed], kind="stable")]
    new, rev = changed[status[changed] == 0], changed[status[changed] == 2]
    del key, changed

    def chunks(pos):
        for a in range(0, len(pos), WRITE_CHUNK):
            part = merged.iloc[pos[a:a + WRITE_CHUNK]]
            yield part, [part[c].tolist() if c in ("unit_id", "indicator_id", "unit", "source")
                         else part[c].astype(float if c == "value" else int).tolist() for c in cols]

    with _index_rebuilt(conn, len(new)):
        for part, (u, y, i, v, un, sr, rv) in chunks(new):
            bulk_insert(conn, s.observation, cols + ["batch_id"],
                        zip(u, y, i, v, un, sr, rv, [bid] * len(part), strict=True))
    # the superseded values move to observation_revision (recorded_at = when superseded)
    stamp = f"{now:%Y-%m-%d %H:%M:%S.%f}" if conn.dialect.name == "sqlite" else now
    o = s.observation.c
    upd = update(s.observation).where(
        o.unit_id == bindparam("b_unit"), o.year == bindparam("b_year"), o.indicator_id == bindparam("b_ind")).values(
        value=bindparam("value"), unit=bindparam("unit"), source=bindparam("source"),
        revision=bindparam("revision"), batch_id=bindparam("batch_id"))
    for part, (u, y, i, v, un, sr, rv) in chunks(rev):
        bulk_insert(conn, s.observation_revision, cols + ["batch_id", "recorded_at"], zip(
            u, y, i, part["old_value"].astype(float).tolist(), part["old_unit"].astype(str).tolist(),
            part["old_source"].astype(str).tolist(), part["old_revision"].astype(int).tolist(),
            part["old_batch"].astype(int).tolist(), [stamp] * len(part), strict=True))
        conn.execute(upd, [dict(b_unit=a, b_year=b, b_ind=c, value=d, unit=e, source=f, revision=g, batch_id=bid)
                           for a, b, c, d, e, f, g in zip(u, y, i, v, un, sr, rv, strict=True)])
    conn.execute(update(s.import_batch).where(s.import_batch.c.id == bid).values(
        status=rep.status, n_rows=rep.n_rows, n_accepted=rep.n_accepted, n_rejected=len(rep.rejects),
        n_new=rep.n_new, n_revised=rep.n_revised,
        message=f"blank {rep.n_blank}, duplicate {rep.n_duplicate}, unchanged {rep.n_unchanged}"
                + (f", newer revision kept {rep.n_kept_newer}" if rep.n_kept_newer else "")))
