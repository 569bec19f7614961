"""Re-running the engines from the web: the plan layer's ``assess``, plus the audit row."""

from __future__ import annotations

from rbcity.outputs.web import audit
from rbcity.outputs.web.importing import Unavailable


def rerun(engine, year: int, username: str, *, engine_name: str | None = None) -> dict:
    """Run every engine for ``year`` via ``rbcity.plan.assess.assess``; returns run ids and gaps."""
    try:
        from rbcity.plan.assess import assess
    except ImportError as exc:
        raise Unavailable("本版本尚无评估引擎 this build has no plan engines (rbcity.plan.assess)") from exc
    res = assess(engine, year)
    runs = {str(k): int(v) for k, v in res.runs.items()}
    not_computed = [list(x) for x in res.not_computed]
    audit.record(engine, username, "rerun", year=year, requested=engine_name, runs=runs,
                 n_not_computed=len(not_computed))
    return {"year": year, "runs": runs, "not_computed": not_computed}
