"""``/api/runs``: engine runs with their specs and summaries; POST to re-run (signed in)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from rbcity.outputs.web.api.common import (
    READ_RESPONSES,
    WRITE_RESPONSES,
    FmtQ,
    Limit,
    Offset,
    Page,
    ReaderDep,
    WriterDep,
    page_or_csv,
)
from rbcity.outputs.web.api.results import EngineName, jsonable_run

router = APIRouter(tags=["runs"], responses=READ_RESPONSES)


@router.get("/runs", response_model=Page, summary="引擎运行 engine runs, newest first",
            responses={200: {"content": {"text/csv": {}}}})
def list_runs(reader: ReaderDep, engine: Annotated[EngineName | None, Query()] = None,
              limit: Limit = 100, offset: Offset = 0, fmt: FmtQ = "json"):
    return page_or_csv(reader.runs(engine.value if engine else None), limit, offset, fmt, "runs")


@router.get("/runs/{run_id}", summary="一次运行及其规格 one run with its spec and summary",
            responses={404: {"description": "no such run"}})
def get_run(reader: ReaderDep, run_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> dict[str, Any]:
    return jsonable_run(reader.run(run_id))


class RunRequest(BaseModel):
    year: int = Field(ge=2000, le=2100, description="评估年份 the year to assess")
    engine: EngineName | None = Field(None, description="one engine; omitted: all engines")


@router.post("/runs", status_code=202,
             summary="重新运行引擎 re-run one engine or all for a year as a job (needs a signed-in user); "
                     "poll /api/jobs/{id}",
             responses={**WRITE_RESPONSES, 202: {"description": "queued: the job (poll its href)"},
                        503: {"description": "job queue full (Retry-After) or no engines in this build"}})
def post_run(request: Request, user: WriterDep, body: RunRequest) -> dict[str, Any]:
    """Queue the re-run in a worker process. The answer is the job at once; ``GET /api/jobs/{id}``
    gives its status and, when done, ``result``: the stored run ids, each run's validity card
    and what could not be computed."""
    from rbcity.outputs.web.api.imports import job_body
    from rbcity.outputs.web.runs import submit_rerun

    job = submit_rerun(request.app, body.year, user.username, body.engine.value if body.engine else None)
    return job_body(job)
