"""The data pages: coverage of the indicators and the import of a file (validate, then confirm)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from rbcity.outputs.web.pages.common import (
    Lang,
    check_form_csrf,
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
                  any_data=bool(cov["n_values"].sum()) if len(cov) else False)


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, lang: Lang = "zh"):
    reader = reader_of(request)
    batches = reader.imports().head(20).to_dict("records")
    return render(request, "import.html", "import", report=None, batches=batches)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(request: Request, file: Annotated[UploadFile, File()],
                        source: Annotated[str, Form(min_length=1, max_length=500)],
                        csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.importing import run_import, save_upload

    check_form_csrf(request, csrf)
    user = page_writer(request)
    app = request.app
    data = await file.read(app.state.upload_limit + 1)
    token, _ = save_upload(app.state.upload_dir, file.filename or "", data, app.state.upload_limit)
    report = run_import(app.state.engine, app.state.upload_dir, token, file.filename or token,
                        source=source, user=user.username, dry_run=True)
    return render(request, "import.html", "import", report=report, token=token, filename=file.filename,
                  source=source, committed=False, batches=[])


@router.post("/import/confirm", response_class=HTMLResponse)
def import_confirm(request: Request, token: Annotated[str, Form(max_length=80)],
                   filename: Annotated[str, Form(max_length=255)],
                   source: Annotated[str, Form(min_length=1, max_length=500)],
                   csrf: Annotated[str, Form()], lang: Annotated[str, Form()] = "zh"):
    from rbcity.outputs.web.importing import run_import

    check_form_csrf(request, csrf)
    user = page_writer(request)
    app = request.app
    report = run_import(app.state.engine, app.state.upload_dir, token, filename, source=source,
                        user=user.username, dry_run=False)
    app.state.reader.version(force=True)
    return render(request, "import.html", "import", report=report, token=token, filename=filename,
                  source=source, committed=True, batches=app.state.reader.imports().head(20).to_dict("records"))

