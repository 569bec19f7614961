"""``/api/jobs/{id}``: the status of an import or engine re-run queued by its user
(queued, running, done, failed), with its progress."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from rbcity.outputs.web.api.common import READ_RESPONSES, current_user
from rbcity.outputs.web.sources import NotFound

router = APIRouter(tags=["imports"], responses=READ_RESPONSES)


@router.get("/jobs/{job_id}", summary="任务状态 a job's status, progress and result (its user only)",
            responses={401: {"description": "no user"},
                       404: {"description": "no such job, or another user's"},
                       429: {"description": "too many wrong passwords: wait Retry-After seconds"}})
def get_job(request: Request, job_id: Annotated[str, Path(pattern="^[0-9a-f]{24}$")]) -> dict[str, Any]:
    """``status`` queued/running/done/failed, ``progress`` 0–1, ``message`` (how far, while
    running), ``result`` (the import report, or the re-run's runs and validity cards)
    and ``batch_id`` when done, ``error`` when failed. Only the job's own user (or an admin) sees
    it; anyone else gets 404, as for an unknown id."""
    from rbcity.outputs.web.api.imports import job_body
    from rbcity.outputs.web.errors import WriteRefused

    user, _ = current_user(request)
    if user is None:
        raise WriteRefused("需要登录 sign in required", 401)
    job = request.app.state.jobs.get(job_id)
    if job is None or (job.user != user.username and user.role != "admin"):
        raise NotFound(f"无此任务 no such job: {job_id}")
    return job_body(job)
