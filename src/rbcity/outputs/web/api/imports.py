"""``/api/imports``: import batches and their rejected rows; POST a file to import (signed in)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile

from rbcity.outputs.web.api.common import (
    FmtQ,
    Limit,
    Offset,
    Page,
    ReaderDep,
    WriterDep,
    page_or_csv,
    records,
)

router = APIRouter(tags=["imports"])

BatchId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/imports", response_model=Page, summary="导入批次 import batches, newest first",
            responses={200: {"content": {"text/csv": {}}}})
def list_imports(reader: ReaderDep, limit: Limit = 100, offset: Offset = 0, fmt: FmtQ = "json"):
    return page_or_csv(reader.imports(), limit, offset, fmt, "imports")


@router.get("/imports/{batch_id}", summary="一个导入批次 one import batch",
            responses={404: {"description": "no such batch"}})
def get_import(reader: ReaderDep, batch_id: BatchId) -> dict[str, Any]:
    import pandas as pd

    return records(pd.DataFrame([reader.import_batch(batch_id)]))[0]


@router.get("/imports/{batch_id}/rejects", response_model=Page,
            summary="被拒行 rejected rows of a batch (file, sheet, row, column, value, reason)",
            responses={200: {"content": {"text/csv": {}}}, 404: {"description": "no such batch"}})
def get_rejects(reader: ReaderDep, batch_id: BatchId, limit: Limit = 1000, offset: Offset = 0,
                fmt: FmtQ = "json"):
    return page_or_csv(reader.rejects(batch_id), limit, offset, fmt, f"rejects_{batch_id}")


@router.post("/imports", status_code=202,
             summary="导入文件 import a file as a job (needs a signed-in user); poll /api/jobs/{id}",
             responses={202: {"description": "queued: the job (poll its href)"},
                        401: {"description": "no user"}, 403: {"description": "user may not write or no CSRF token"},
                        413: {"description": "upload too large"},
                        422: {"description": "bad form or unsupported file type"},
                        429: {"description": "too many wrong passwords: wait Retry-After seconds"},
                        503: {"description": "job queue full (Retry-After) or no importer in this build"}})
async def post_import(request: Request, user: WriterDep, file: Annotated[UploadFile, File()],
                      source: Annotated[str, Form(min_length=1, max_length=500)],
                      dry_run: Annotated[bool, Form()] = False) -> dict[str, Any]:
    """Validate (``dry_run=true``) or import an observations file in a worker process. The answer
    is the queued job at once; ``GET /api/jobs/{id}`` gives its status and, when done, the report
    (every rejected row with file, sheet, row, column, raw value and reason) and the batch id."""
    from rbcity.outputs.web.importing import save_upload, submit_import

    app = request.app
    data = await file.read(app.state.upload_limit + 1)
    token, _ = save_upload(app.state.upload_dir, file.filename or "", data, app.state.upload_limit)
    job = submit_import(app, token, file.filename or token, source=source, user=user.username, dry_run=dry_run)
    return job_body(job)


def job_body(job) -> dict[str, Any]:
    """A job as the API answers it, with the link to poll."""
    return {**job.as_dict(), "href": f"/api/jobs/{job.id}"}
