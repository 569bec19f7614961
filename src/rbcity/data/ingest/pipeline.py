"""``import_file`` / ``import_frame``: one file (or in-memory table) → one import batch.

1. read the file in chunks through the format registry (:mod:`~rbcity.data.ingest.readers`);
   a file that cannot be read at all becomes a *failed* batch with one reject saying why;
2. find the layout once, from the first chunk (:mod:`~rbcity.data.ingest.columns`);
3. validate each chunk (:mod:`~rbcity.data.ingest.validate`), keeping only compact accepted
   values and the rejects; then duplicates across the whole file;
4. write batch, rejects, values and revisions in one transaction (:mod:`~rbcity.data.ingest.write`).

An optional ``progress(fraction, message)`` callback hears how far it is: after each chunk
read and validated (the message counts the rows; the fraction rises towards 0.8, since a
streamed file's row count is known only at its end), before the write (0.8) and when done (1.0).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue, sync_catalogue
from rbcity.data.ingest import write
from rbcity.data.ingest.cities import CityResolver
from rbcity.data.ingest.colmap import mapping_rows
from rbcity.data.ingest.columns import find_layout
from rbcity.data.ingest.limits import Limits
from rbcity.data.ingest.readers import read_chunks
from rbcity.data.ingest.report import ImportReport
from rbcity.data.ingest.table import RawTable, ReadProblem
from rbcity.data.ingest.validate import ACCEPTED_COLUMNS, check, column_rejects, duplicates
from rbcity.errors import UserError

#: ``progress(fraction 0–1, message)``
Progress = Callable[[float, str], None]
#: the share of the bar the read-and-validate stage fills; the write takes the rest
_READ_SHARE = 0.8


def ensure_ready(engine: Engine) -> None:
    """The registry units and the catalogue must be in the store before anything lands
    (under the store's setup lock, so processes opening a new store at once do it once)."""
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import setup_lock

    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(s.city)).scalar_one()
    if n == 262:
        sync_catalogue(engine)
        return
    with setup_lock(engine):
        with engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(s.city)).scalar_one()
        if n != 262:
            load_registry_into(engine)
        sync_catalogue(engine)


def import_file(engine: Engine, path, *, source: str | None = None, sheet: str | None = None,
                user: str = "", dry_run: bool = False, columns: dict | None = None,
                year: int | None = None, level: str | None = None, label: str | None = None,
                once: bool = False, restore_older: bool = False, limits: Limits | None = None,
                progress: Progress | None = None) -> ImportReport:
    """Import one file of observations (any format the reader registry knows).

    ``columns`` maps a raw header to ``(indicator_id, unit)`` where the header alone does not
    say it; ``year`` gives the year of a cross-section without a year column; ``level``
    ('prefecture'/'county') narrows name ties and must agree with the unit; ``label`` is the
    file name recorded (default: the path); ``once`` imports these bytes at most once, whatever
    happened since (bundled data); ``restore_older`` lets this file's values replace newer
    revisions of other files (default: they are kept and reported as ``newer_revision_kept``);
    ``limits`` caps what is read (:mod:`~rbcity.data.ingest.limits`); ``progress`` hears how
    far it is (see the module docstring). Raises
    :class:`~rbcity.errors.UserError` (``ImportFileError``) only when there is no file to record
    a batch for.
    """
    from rbcity.data.ingest.table import ImportFileError

    p = Path(path)
    if level not in (None, "prefecture", "county"):
        raise UserError(f"无效的级别 invalid level {level!r}; allowed: prefecture, county")
    if not p.is_file():
        raise ImportFileError(f"找不到文件 no such file: {p}")
    ensure_ready(engine)
    opts = {"sheet": sheet, "source": source, "columns": columns, "year": year, "level": level}
    if restore_older:
        opts["restore_older"] = True
    digest = write.hash_file(p, opts)
    src = source or p.name
    shown = label or str(p)
    if not dry_run:
        prev = write.done_batch(engine, digest, "observations", once=once)
        if prev is not None:
            return ImportReport(prev, "no-op", file=shown, sheet=sheet or "", source=src,
                                message=f"同一文件已导入 same file already imported (batch {prev})")
    return _run(engine, read_chunks(p, sheet, limits), shown=shown, sheet=sheet or "", source=src, user=user,
                dry_run=dry_run, columns=columns, year=year, level=level, digest=digest, kind="observations",
                restore_older=restore_older, progress=progress)


def import_frame(engine: Engine, table: RawTable, *, source: str, user: str = "", dry_run: bool = False,
                 columns: dict | None = None, year: int | None = None, level: str | None = None,
                 digest: str | None = None, kind: str = "observations", restore_older: bool = False,
                 progress: Progress | None = None) -> ImportReport:
    """Validate and store a :class:`RawTable` (bundled sources and derived series build one in
    memory and come through here too)."""
    ensure_ready(engine)
    if digest is None:
        h = hashlib.sha256(pd.util.hash_pandas_object(table.frame.astype(str), index=False).to_numpy().tobytes())
        h.update(json.dumps({"source": source, "columns": columns, "year": year, "level": level,
                             "cols": list(map(str, table.frame.columns))}, sort_keys=True,
                            ensure_ascii=False, default=str).encode())
        digest = h.hexdigest()
        if not dry_run:
            prev = write.done_batch(engine, digest, kind)
            if prev is not None:
                return ImportReport(prev, "no-op", file=table.file, sheet=table.sheet, source=source,
                                    message=f"同一数据已导入 same data already imported (batch {prev})")
    return _run(engine, [table], shown=table.file, sheet=table.sheet, source=source, user=user, dry_run=dry_run,
                columns=columns, year=year, level=level, digest=digest, kind=kind, restore_older=restore_older,
                progress=progress)


def _run(engine, chunks: Iterable[RawTable], *, shown, sheet, source, user, dry_run, columns, year, level, digest,
         kind, restore_older, progress: Progress | None = None) -> ImportReport:
    say = progress or (lambda fraction, message: None)
    say(0.0, "读取 reading")
    with engine.connect() as conn:
        units = {u: (n, p, lv) for u, n, p, lv in conn.execute(
            select(s.unit.c.unit_id, s.unit.c.name, s.unit.c.province, s.unit.c.level))}
    cat = load_catalogue().set_index("indicator_id")
    lay = resolver = first = None
    parts, rejects, col_counts = [], [], {}
    n_rows = n_blank = 0
    try:
        for table in chunks:
            table.file = shown
            sheet = table.sheet or sheet
            if lay is None:
                lay, first = find_layout(table, columns, year), table
                resolver = CityResolver(units, level=level, by_id=(lay.code_col or "").lower() == "unit_id")
            n_rows += len(table.frame)
            res = check(table, lay, cat=cat, cities=resolver, source=source, year=year)
            parts.append(res.accepted)
            rejects += res.rejects
            n_blank += res.n_blank
            for c, n in res.rejected_columns.items():
                col_counts[c] = col_counts.get(c, 0) + n
            # the total is unknown while streaming: each chunk closes half the remaining gap to 0.8
            say(_READ_SHARE * (1 - 0.5 ** len(parts)), f"已读 {n_rows:,} 行 read and checked {n_rows:,} rows")
    except ReadProblem as exc:
        return write.failed(engine, shown, sheet, source, digest, exc.code, str(exc), user, dry_run, kind)
    if lay is None:
        return write.failed(engine, shown, sheet, source, digest, "empty_file", "没有数据 no data", user, dry_run, kind)
    rejects = column_rejects(lay, col_counts, shown, sheet) + rejects
    acc = _concat(parts)
    acc, dup_rejects, n_duplicate = duplicates(acc, shown, sheet)
    rejects += dup_rejects
    say(_READ_SHARE, f"{'校验' if dry_run else '写入'} {len(acc):,} 个值 {'checking' if dry_run else 'writing'} "
                     f"{len(acc):,} values")
    rep = write.store(engine, acc, rejects, file=shown, sheet=sheet, source=source, user=user, dry_run=dry_run,
                      digest=digest, kind=kind, n_rows=n_rows, n_blank=n_blank, n_duplicate=n_duplicate,
                      restore_older=restore_older, prior=write.prior_batch(engine, digest, kind))
    rep.mapping, rep.kind, rep.notes = mapping_rows(first, lay, columns), first.fmt, list(first.notes)
    say(1.0, f"完成 done: {n_rows:,} rows")
    return rep


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=ACCEPTED_COLUMNS)
    if len(parts) == 1:
        return parts[0].reset_index(drop=True)
    from pandas.api.types import union_categoricals

    out = {}
    for c in ACCEPTED_COLUMNS:
        if isinstance(parts[0][c].dtype, pd.CategoricalDtype):
            out[c] = union_categoricals([p[c] for p in parts])
        else:
            out[c] = pd.concat([p[c] for p in parts], ignore_index=True).to_numpy()
    return pd.DataFrame(out)
