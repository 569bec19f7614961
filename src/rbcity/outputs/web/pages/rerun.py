"""Re-running the engines from a page: the form posts a job, the page polls its progress and
then shows the runs stored with each one's validity card (what it was checked against, the
figure, the baseline to beat, the verdict) and how many cities could not be computed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from rbcity.outputs.web import i18n
from rbcity.outputs.web.pages.common import Lang, check_form_csrf, page_lang, page_writer, render

router = APIRouter(include_in_schema=False)


def _job_page(request: Request, job, *, fragment: bool = False) -> HTMLResponse:
    from rbcity.outputs.report.validity_view import card_view

    lang = page_lang(request)
    res = job.result or {}
    cards = {name: card_view({"summary": {"validity": card}} if card else None, lang)
             for name, card in (res.get("validity") or {}).items()}
    counts: dict[str, int] = {}
    for name, *_ in res.get("not_computed") or []:
        counts[name] = counts.get(name, 0) + 1
    from rbcity.outputs.web.sources import ENGINES

    ctx = {"job": job, "year": job.meta["year"], "cards": cards, "not_computed_counts": counts,
           "engine_names": ENGINES, "half": lambda message: i18n.half(message, lang)}
    return render(request, "_rerun_job.html" if fragment else "rerun.html", "", **ctx)


@router.post("/rerun", response_class=HTMLResponse)
def rerun_page(request: Request, year: Annotated[int, Form(ge=2000, le=2100)], csrf: Annotated[str, Form()],
               engine: Annotated[str, Form(max_length=32)] = "", lang: Annotated[str, Form()] = "zh"):
    """Queue the re-run (one engine or all) and show its progress."""
    from rbcity.outputs.web.runs import submit_rerun
    from rbcity.outputs.web.sources import check_engine

    user = page_writer(request)  # signed out: 401 "sign in required" before the CSRF check
    check_form_csrf(request, csrf)
    job = submit_rerun(request.app, year, user.username, check_engine(engine) if engine else None)
    return _job_page(request, job)


@router.get("/rerun/jobs/{job_id}", response_class=HTMLResponse)
def rerun_job(request: Request, job_id: str, lang: Lang = "zh"):
    """The re-run's progress (an HTMX fragment while polling, the whole page otherwise)."""
    from rbcity.outputs.web.sources import NotFound

    user = page_writer(request)
    job = request.app.state.jobs.get(job_id)
    if job is None or job.kind != "rerun" or job.user != user.username:
        raise NotFound(f"无此任务 no such job: {job_id}")
    return _job_page(request, job, fragment=request.headers.get("hx-request") == "true")
