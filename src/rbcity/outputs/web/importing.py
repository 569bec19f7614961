"""Uploading a data file through the web: keep it, validate it (dry run), commit it on confirm.

The file is stored under the app's upload directory by its SHA-256, so the confirmation step
commits exactly the bytes that were validated. The import itself is the data layer's
``rbcity.data.importer.import_file``; this module only carries files and reports and writes
the audit row (who, when, what, which file).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Any

from rbcity.errors import UserError
from rbcity.outputs.web import audit
from rbcity.outputs.web.errors import Unavailable

#: what the upload form offers and ``save_upload`` accepts: the importer's own list when it has
#: a reader registry (``rbcity.data.ingest.readers``), else the formats ``data.reader`` reads
FALLBACK_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".parquet")
#: uploads older than this are removed (seconds): a validated file waits this long for its confirm
UPLOAD_TTL = 6 * 3600


def allowed_suffixes() -> tuple[str, ...]:
    """The file suffixes the importer reads, asked from the importer itself."""
    try:
        from rbcity.data.ingest.readers import readers
    except ImportError:
        return FALLBACK_SUFFIXES
    return tuple(sorted({x for r in readers() for x in r.suffixes if x}))

_TOKEN = re.compile(r"^[0-9a-f]{64}\.[a-z]{2,8}$")


class UploadError(UserError, ValueError):
    """An upload that is empty, too large, of an unknown kind or no longer on the server."""


def save_upload(upload_dir: Path, filename: str, data: bytes, limit: int) -> tuple[str, str]:
    """Store the bytes; returns (token, sha256). The token names the stored file."""
    if not data:
        raise UploadError("上传文件为空 the uploaded file is empty")
    if len(data) > limit:
        raise UploadError(f"上传过大 upload too large: {len(data)} bytes > limit {limit}")
    suffix = Path(filename or "").suffix.lower()
    allowed = allowed_suffixes()
    if suffix not in allowed:
        raise UploadError(f"不支持的文件类型 unsupported file type {suffix or '(none)'!r} of {filename!r}; "
                          f"allowed: {', '.join(allowed)}")
    remove_stale_uploads(upload_dir)
    sha = hashlib.sha256(data).hexdigest()
    token = f"{sha}{suffix}"
    (upload_dir / token).write_bytes(data)
    return token, sha


def remove_stale_uploads(upload_dir: Path, ttl: float = UPLOAD_TTL) -> int:
    """Delete uploads older than ``ttl`` seconds (never confirmed); returns how many."""
    import time

    n = 0
    for p in Path(upload_dir).glob("*"):
        try:
            if _TOKEN.match(p.name) and time.time() - p.stat().st_mtime > ttl:
                p.unlink()
                n += 1
        except OSError:
            continue
    return n


def stored_path(upload_dir: Path, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise UploadError(f"无效的上传标识 invalid upload token {token!r}")
    path = upload_dir / token
    if not path.exists():
        raise UploadError("上传文件已不在服务器上，请重新上传 the upload is gone; upload it again")
    return path


def _import_file():
    try:
        from rbcity.data.importer import import_file
    except ImportError as exc:
        raise Unavailable("本版本尚无数据导入模块 this build has no data importer (rbcity.data.importer)") from exc
    return import_file


def report_dict(report: Any) -> dict:
    """An ImportReport as plain JSON-able data; ``rejects`` as a list of dicts."""
    if dataclasses.is_dataclass(report):
        d = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    else:
        d = {k: v for k, v in vars(report).items() if not k.startswith("_")}
    rejects = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else dict(vars(r))
               for r in d.get("rejects", []) or []]
    d["rejects"] = rejects
    out = {}
    for k, v in d.items():
        if hasattr(v, "to_dict") and hasattr(v, "columns"):  # the accepted frame: counted, not sent
            continue
        if isinstance(v, str | int | float | bool | type(None) | list | dict):
            out[k] = v
        else:
            out[k] = str(v)
    return out


def run_import(engine, upload_dir: Path, token: str, filename: str, *, source: str, user: str,
               dry_run: bool, progress: bool = False) -> dict:
    """Validate (``dry_run``) or commit a stored upload; a commit leaves an audit row.
    ``progress``: report the importer's progress to the job runner (in a job worker)."""
    path = stored_path(upload_dir, token)
    import_file = _import_file()
    extra = {}
    if progress:
        from rbcity.outputs.web.jobs import report_progress

        extra["progress"] = report_progress
    # the user's file name is what import_batch and the rejects record
    report = report_dict(import_file(engine, str(path), source=source, user=user, dry_run=dry_run,
                                     label=Path(filename).name, **extra))
    if not dry_run:
        from rbcity.data.checks.run import after_import
        after_import(engine, report)  # plausibility checks on the committed batch
        audit.record(engine, user, "import", file=Path(filename).name, sha256=token.split(".")[0],
                     source=source, batch_id=report.get("batch_id"),
                     n_accepted=report.get("n_accepted"), n_rejected=len(report["rejects"]))
    return report


def import_job(db_url: str, upload_dir: str, token: str, filename: str, *, source: str, user: str,
               dry_run: bool) -> dict:
    """:func:`run_import` in a job worker process (its own store connection, kept between jobs),
    reporting progress by rows; a committed upload's file is removed — its bytes are in the store now."""
    from rbcity.outputs.web.jobs import worker_store

    engine = worker_store(db_url)
    report = run_import(engine, Path(upload_dir), token, filename, source=source, user=user, dry_run=dry_run,
                        progress=True)
    if not dry_run:
        (Path(upload_dir) / token).unlink(missing_ok=True)
    return report


def submit_import(app, token: str, filename: str, *, source: str, user: str, dry_run: bool):
    """Queue an import of a stored upload on the app's job runner; returns the Job."""
    stored_path(app.state.upload_dir, token)  # a bad or stale token is refused now, not in the job
    url = app.state.engine.url.render_as_string(hide_password=False)

    def done(job):
        app.state.reader.version(force=True)  # the next read sees the new data at once

    return app.state.jobs.submit("import", user, import_job, url, str(app.state.upload_dir), token, filename,
                                 source=source, user=user, dry_run=dry_run, label=Path(filename).name,
                                 on_done=done)
