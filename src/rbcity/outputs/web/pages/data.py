"""The data pages: coverage of the indicators and the import of a file (validate, then confirm)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from rbcity.outputs.web.pages.common import (
    Lang,
    check_form_csrf,
    page_lang,
    page_writer,
    reader_of,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)
    cov = reader.coverage()
    rows = [{"id": r["indicator_id"], "indicator": r["name_zh" if lang == "zh" else "name_en"] or r["indicator_id"],
             "unit": r["unit"] or "", "dimension": r["dimension"] or "", "n_cities": r["n_cities"],
             "share": r["share_cities"], "years": r["years"], "n_values": r["n_values"], "sources": r["sources"]}
            for r in cov.to_dict("records")]
    return render(request, "coverage.html", "coverage", rows=rows,
                  any_data=bool(cov["n_values"].sum()) if len(cov) else False, **checks_context(reader.engine))


def checks_context(engine, unit_id: str | None = None, limit: int = 50) -> dict:
    """What ``_checks.html`` shows: counts by rule (whole store) and the flagged values (of one
    unit, or the first ``limit``). Read fresh: a confirmation does not move the data version."""
    from rbcity.data.checks.findings import flagged_values, rule_counts

    total, rows = flagged_values(engine, unit_id, limit)
    counts = rule_counts(engine).to_dict("records") if unit_id is None else []
    return {"checks_counts": counts, "checks_rows": rows, "checks_total": total}


def _accept() -> str:
    """The upload picker's ``accept``: exactly the suffixes the importer reads."""
    from rbcity.outputs.web.importing import allowed_suffixes

    return ",".join(allowed_suffixes())


def _job_page(request: Request, job, *, batches=(), fragment: bool = False) -> HTMLResponse:
    meta = job.meta
    from rbcity.outputs.web import i18n

    lang = page_lang(request)
    ctx = {"job": job, "committed": meta["commit"], "token": meta["token"], "filename": meta["filename"],
           "source": meta["source"], "accept": _accept(), "half": lambda message: i18n.half(message, lang)}
    if fragment:
        return render(request, "_import_job.html", "import", **ctx)
    return render(request, "import.html", "import", batches=list(batches), **ctx)


def _submit(request: Request, token: str, filename: str, source: str, commit: bool):
    from rbcity.outputs.web.importing import submit_import

    user = page_writer(request)
    job = submit_import(request.app, token, filename, source=source, user=user.username, dry_run=not commit)
    job.meta = {"commit": commit, "token": token, "filename": filename, "source": source}
    return job


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)
    batches = reader.imports().head(20).to_dict("records")
    return render(request, "import.html", "import", job=None, batches=batches, accept=_accept())


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, file: Annotated[UploadFile, File()],
                        source: Annotated[str, Form(min_length=1, max_length=500)],
                        csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    """Store the upload and queue its validation (a dry run); the page polls the job."""
    from rbcity.outputs.web.importing import save_upload

    page_writer(request)  # signed out: 401 "sign in required" before the CSRF check
    check_form_csrf(request, csrf)
    app = request.app
    data = await file.read(app.state.upload_limit + 1)
    token, _ = save_upload(app.state.upload_dir, file.filename or "", data, app.state.upload_limit)
    return _job_page(request, _submit(request, token, file.filename or token, source, commit=False))


@router.post("/import/confirm", response_class=HTMLResponse)
def import_confirm(request: Request, token: Annotated[str, Form(max_length=80)],
                   filename: Annotated[str, Form(max_length=255)],
                   source: Annotated[str, Form(min_length=1, max_length=500)],
                   csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    """Queue the import of the validated upload (the same bytes, by their SHA-256)."""
    page_writer(request)
    check_form_csrf(request, csrf)
    job = _submit(request, token, filename, source, commit=True)
    return _job_page(request, job, batches=request.app.state.reader.imports().head(20).to_dict("records"))


@router.get("/import/jobs/{job_id}", response_class=HTMLResponse)
def import_job(request: Request, job_id: str, lang: Lang = "zh"):
    """The job's progress (an HTMX fragment while polling, the whole page otherwise)."""
    from rbcity.outputs.web.sources import NotFound

    user = page_writer(request)
    job = request.app.state.jobs.get(job_id)
    if job is None or job.kind != "import" or job.user != user.username or not getattr(job, "meta", None):
        raise NotFound(f"无此任务 no such job: {job_id}")
    fragment = request.headers.get("hx-request") == "true"
    return _job_page(request, job, fragment=fragment,
                     batches=() if fragment else reader_of(request).imports().head(20).to_dict("records"))
