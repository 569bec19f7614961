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
    #: the year the report asked for; ``run['year']`` may be earlier (see :func:`engine_result`)
    asked_year: int | None = None

    @property
    def year(self) -> int | None:
        return (self.run or {}).get("year")

    @property
    def earlier(self) -> bool:
        """True when the run is of an earlier year than asked (the engine's data end earlier)."""
        return self.computed and self.asked_year is not None and self.year is not None \
            and self.year < self.asked_year

    @property
    def computed(self) -> bool:
        return self.run is not None

    @property
    def summary(self) -> dict:
        return (self.run or {}).get("summary") or {}


#: The result key that says an engine produced something for a unit.
MAIN_KEY = {"identify": "predicted", "classify": "type", "warning": "level", "coordination": "D",
            "exhausted_assessment": "score", "targets": ".value"}


def has_results(name: str, frame: pd.DataFrame) -> bool:
    """Whether any unit has the engine's main result (a run can store only empty rows)."""
    key = MAIN_KEY[name]
    cols = [c for c in frame.columns if c.endswith(key)] if key.startswith(".") else [key]
    for c in cols:
        if c in frame.columns and frame[c].replace("", pd.NA).notna().any():
            return True
    return False


def _years_before(engine: Engine, name: str, year: int) -> list[int]:
    """Years < ``year`` with a run of engine ``name``, newest first (run metadata only)."""
    from sqlalchemy import select

    from rbcity.data import schema as s

    with engine.connect() as conn:
        rows = conn.execute(select(s.run.c.year).distinct()
                            .where(s.run.c.engine == name, s.run.c.year < year)).scalars().all()
    return sorted((y for y in rows if y is not None), reverse=True)


def engine_result(engine: Engine, name: str, year: int | None, fallback: bool = True) -> EngineResult:
    """The latest run of engine ``name`` for ``year`` and its results.

    With ``fallback``, when there is no run for ``year`` or it holds no result for any unit,
    the engine's newest earlier run with results is used (``rbcity run`` runs engines whose data
    end earlier at their last year); the report labels such a section with the run's year.
    """
    run = latest_run(engine, name, year=year)
    frame = latest_results(engine, name, year=year) if run is not None else pd.DataFrame()
    if fallback and year is not None and (run is None or not has_results(name, frame)):
        for y in _years_before(engine, name, year)[:5]:
            r = latest_run(engine, name, year=y)
            f = latest_results(engine, name, year=y)
            if r is not None and has_results(name, f):
                run, frame = r, f
                break
    if run is None:
        return EngineResult(name, None, pd.DataFrame(), year)
    if "run_id" in frame.columns and run.get("id") is not None:
        frame = frame[frame["run_id"] == run["id"]]
    return EngineResult(name, run, frame.reset_index(drop=True))


def all_results(engine: Engine, year: int | None, fallback: bool = True) -> dict[str, EngineResult]:
    """Every contract engine's latest results for ``year`` (or its newest earlier year)."""
    out = {}
    for name in ENGINES:
        res = engine_result(engine, name, year, fallback)
        res.asked_year = year
        out[name] = res
    return out
