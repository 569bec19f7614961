"""Re-running the engines from the web: the plan layer's ``assess``, plus the audit row.

The web runs it as a job (:func:`submit_rerun`, in the job runner's worker process): a re-run
of all engines takes seconds to minutes and must not hold the server's event loop.
"""

from __future__ import annotations

from rbcity.outputs.web import audit
from rbcity.outputs.web.errors import Unavailable


def _assess():
    try:
        from rbcity.plan.assess import assess
    except ImportError as exc:
        raise Unavailable("本版本尚无评估引擎 this build has no plan engines (rbcity.plan.assess)") from exc
    return assess


def rerun(engine, year: int, username: str, *, engine_name: str | None = None) -> dict:
    """Run one engine (``engine_name``) or all of them for ``year`` via the plan layer's
    ``assess``; returns the stored run ids, each run's validity card (what it was checked
    against, figure, baseline, verdict) and what could not be computed."""
    res = _assess()(engine, year, engines=[engine_name] if engine_name else None)
    runs = {str(k): int(v) for k, v in res.runs.items()}
    not_computed = [list(x) for x in res.not_computed]
    validity = {str(k): (res.summaries.get(k) or {}).get("validity") for k in res.runs}
    audit.record(engine, username, "rerun", year=year, engines=engine_name or "all", runs=runs,
                 n_not_computed=len(not_computed))
    return {"year": year, "runs": runs, "validity": validity, "not_computed": not_computed}


def rerun_job(db_url: str, year: int, username: str, engine_name: str | None = None) -> dict:
    """:func:`rerun` in a job worker process (its own store connection)."""
    from rbcity.outputs.web.jobs import report_progress, worker_store

    report_progress(0.05, f"正在计算 {year} 年 running {engine_name or 'all engines'} for {year}")
    return rerun(worker_store(db_url), year, username, engine_name=engine_name)


def submit_rerun(app, year: int, username: str, engine_name: str | None = None):
    """Queue a re-run on the app's job runner; returns the Job (``meta`` says year and engine)."""
    _assess()  # a build without engines answers 503 now, not in the job
    url = app.state.engine.url.render_as_string(hide_password=False)

    def done(job):
        app.state.reader.version(force=True)  # the next read sees the new runs at once

    job = app.state.jobs.submit("rerun", username, rerun_job, url, year, username, engine_name,
                                label=f"{engine_name or 'all'} {year}", on_done=done)
    job.meta = {"year": year, "engine": engine_name or ""}
    return job
