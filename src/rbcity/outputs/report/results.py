"""Engine results as the report reads them: through the results contract only.

The plan layer's reading API (``rbcity.plan.runs.latest_run`` / ``latest_results``) is used
when present. Until the engines branch is merged, :mod:`._runs_contract` reads the same
``run``/``result`` tables with the contract's semantics, so the report already works on any
store the engines write. Nothing here computes an index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.engine import Engine

try:  # the plan layer's API (engines branch)
    from rbcity.plan.runs import latest_results, latest_run
except ImportError:  # pragma: no cover - depends on which branches are merged
    from rbcity.outputs.report._runs_contract import latest_results, latest_run

#: Engine names of the contract, in report order, with their zh/en titles.
ENGINES: dict[str, tuple[str, str]] = {
    "identify": ("资源型城市界定", "Identification"),
    "classify": ("综合分类与动态调整", "Classification and reclassification"),
    "targets": ("规划目标评估", "Target attainment"),
    "warning": ("预警", "Early warning"),
    "coordination": ("耦合协调评价", "Coupling coordination"),
    "exhausted_assessment": ("资源枯竭城市年度绩效考核", "Annual assessment of resource-exhausted cities"),
}


@dataclass
class EngineResult:
    """One engine's latest run for a year and its wide per-unit results (empty when not run)."""

    name: str
    run: dict | None
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def computed(self) -> bool:
        return self.run is not None

    @property
    def summary(self) -> dict:
        return (self.run or {}).get("summary") or {}


def engine_result(engine: Engine, name: str, year: int | None) -> EngineResult:
    """The latest run of engine ``name`` for ``year`` and its results."""
    run = latest_run(engine, name, year=year)
    if run is None:
        return EngineResult(name, None, pd.DataFrame())
    frame = latest_results(engine, name, year=year)
    if "run_id" in frame.columns and run.get("id") is not None:
        frame = frame[frame["run_id"] == run["id"]]
    return EngineResult(name, run, frame.reset_index(drop=True))


def all_results(engine: Engine, year: int | None) -> dict[str, EngineResult]:
    """Every contract engine's latest results for ``year``."""
    return {name: engine_result(engine, name, year) for name in ENGINES}
