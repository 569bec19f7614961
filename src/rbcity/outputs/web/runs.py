"""Re-running the engines from the web: the plan layer's ``assess``, plus the audit row."""

from __future__ import annotations

from rbcity.outputs.web import audit
from rbcity.outputs.web.errors import Unavailable


def rerun(engine, year: int, username: str, *, engine_name: str | None = None) -> dict:
    """Run one engine (``engine_name``) or all of them for ``year`` via the plan layer's
    ``assess``; returns the stored run ids and what could not be computed."""
    try:
        from rbcity.plan.assess import assess
    except ImportError as exc:
        raise Unavailable("本版本尚无评估引擎 this build has no plan engines (rbcity.plan.assess)") from exc
    res = assess(engine, year, engines=[engine_name] if engine_name else None)
    runs = {str(k): int(v) for k, v in res.runs.items()}
    not_computed = [list(x) for x in res.not_computed]
    audit.record(engine, username, "rerun", year=year, engines=engine_name or "all", runs=runs,
                 n_not_computed=len(not_computed))
    return {"year": year, "runs": runs, "not_computed": not_computed}
