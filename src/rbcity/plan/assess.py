"""``assess``: run every engine of the plan for one year on what the store holds, store each
run (spec, spec hash, data revision, version) with its results, and return what was run and
what could not be computed, and why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.errors import UserError
from rbcity.plan import runs
from rbcity.plan.frames import RESULT_COLUMNS, EngineOutput
from rbcity.plan.specs import ENGINES, load_spec
from rbcity.plan.validity import unchecked_card

TARGET_COLUMNS = ["indicator_id", "scope", "baseline_year", "baseline_value", "target_year",
                  "target_value", "comparator", "mode", "attribute", "source", "status"]


class NoDataError(UserError):
    """The store holds no observations to assess."""


@dataclass
class AssessResult:
    """Runs stored by :func:`assess` (engine → run id), what could not be computed
    ``(engine, unit_id | '*', reason)``, each engine's summary and its wall time."""

    year: int
    runs: dict[str, int] = field(default_factory=dict)
    not_computed: list[tuple[str, str, str]] = field(default_factory=list)
    summaries: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    data_revision: int = 0
    held_out: pd.DataFrame | None = None


def load_panel(engine: Engine, indicators=None) -> pd.DataFrame:
    """The observation panel, long (``rbcity.data.panel.load_panel``), optionally only some
    indicators."""
    from rbcity.data.panel import load_panel as _load

    return _load(engine, indicators=indicators)


# values held out this many years before the engine's year are listed (older ones no engine reads)
HELD_OUT_YEARS = 5


def held_out_reasons(held: pd.DataFrame | None, name: str, indicators: set[str], year: int) -> list[tuple[str, str]]:
    """``(unit_id, reason)`` for the held-out values engine ``name`` would have read: its
    indicators, in the ``HELD_OUT_YEARS`` up to ``year``."""
    if held is None or held.empty:
        return []
    h = held[held["indicator_id"].isin(indicators) & (held["year"] <= year) & (held["year"] > year - HELD_OUT_YEARS)]
    return [(u, f"{name}: {why}") for u, why in zip(h["unit_id"], h["reason"], strict=True)]


def load_targets(engine: Engine) -> pd.DataFrame:
    """Targets held in the store (shipped + imported), else the shipped catalogue's."""
    try:
        from rbcity.data.catalogue import stored_targets
        t = stored_targets(engine)
        if len(t):
            return t
    except ImportError:  # pragma: no cover
        pass
    try:
        from rbcity.data.catalogue import load_targets as shipped
        return shipped()
    except ImportError:  # pragma: no cover
        return pd.DataFrame(columns=TARGET_COLUMNS)


def spec_indicators(name: str, spec: dict) -> set[str]:
    """Indicator ids an engine's spec reads (so only those are loaded from the store)."""
    found: set[str] = set()

    def walk(x, key=None):
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, k)
        elif isinstance(x, list):
            for v in x:
                walk(v, key)
        elif isinstance(x, str) and key in ("indicator", "name", "features"):
            found.add(x)

    walk(spec)
    return found


def engine_years(engine: Engine, upto: int | None = None,
                 overrides: dict | None = None) -> dict[str, int | None]:
    """Per engine, the latest year (≤ ``upto``) in which at least half of the indicators its
    spec reads — among those with any data in the store — have observations (None: none).
    Used by ``rbcity run`` so engines whose data end earlier (the yearbook extract ends in
    2012) are also run for the last year they can compute."""
    o = s.observation.c
    with engine.connect() as conn:
        rows = conn.execute(select(o.indicator_id, o.year).distinct()).all()
    have: dict[str, set[int]] = {}
    for ind, y in rows:
        have.setdefault(ind, set()).add(int(y))
    tgt = set(load_targets(engine)["indicator_id"])
    out: dict[str, int | None] = {}
    for n in ENGINES:
        inds = spec_indicators(n, load_spec(n, (overrides or {}).get(n)))
        if n == "targets":
            inds = tgt
        inds = [i for i in inds if i in have]
        if not inds:
            out[n] = None
            continue
        years = sorted({y for i in inds for y in have[i] if upto is None or y <= upto},
                       reverse=True)
        need = max(1, -(-len(inds) // 2))
        out[n] = next((y for y in years if sum(y in have[i] for i in inds) >= need), None)
    return out


def latest_data_year(engine: Engine) -> int | None:
    """The latest year with any observation in the store."""
    with engine.connect() as conn:
        y = conn.execute(select(func.max(s.observation.c.year))).scalar()
    return int(y) if y is not None else None


def run_engine(name: str, panel: pd.DataFrame, registry: pd.DataFrame, targets: pd.DataFrame,
               spec: dict, year: int) -> EngineOutput:
    """Run one engine on in-memory inputs (no store)."""
    from rbcity.methods._util import DegenerateInput
    from rbcity.plan.assessment import run_assessment
    from rbcity.plan.classify import run_classify
    from rbcity.plan.coordination import run_coordination
    from rbcity.plan.identify import run_identify
    from rbcity.plan.targets import run_targets
    from rbcity.plan.warning import run_warning

    try:
        if name == "targets":
            return run_targets(panel, registry, targets, spec, year)
        fn = {"identify": run_identify, "classify": run_classify, "warning": run_warning,
              "coordination": run_coordination, "exhausted_assessment": run_assessment}[name]
        return fn(panel, registry, spec, year)
    except DegenerateInput as exc:  # the data leave the index undefined: say so, store nothing
        return EngineOutput(name, year, pd.DataFrame(columns=RESULT_COLUMNS), {"degenerate": str(exc)},
                            [("*", f"{name}: 数据不足以计算指数 the data leave the index undefined: {exc}")])


def assess(engine: Engine, year: int, engines=None, overrides: dict | None = None,
           panel: pd.DataFrame | None = None) -> AssessResult:
    """Run ``engines`` (default all) for ``year`` on the store and store every run."""
    from rbcity.registry.load import load_registry

    names = list(engines or ENGINES)
    for n in [*names, *(overrides or {})]:
        if n not in ENGINES:
            raise UserError(f"未知引擎 unknown engine {n!r}; allowed: {', '.join(ENGINES)}")
    t0 = time.perf_counter()
    specs = {n: load_spec(n, (overrides or {}).get(n)) for n in names}
    # the revision is read before the data: a batch published while the panel loads makes the
    # run look older than its data (re-run as stale), never newer (a missed publication)
    rev = runs.data_revision(engine)
    targets = load_targets(engine) if "targets" in names else pd.DataFrame(columns=TARGET_COLUMNS)
    held = None
    if panel is None:
        from rbcity.data.panel import load_engine_panel

        wanted = set().union(*(spec_indicators(n, sp) for n, sp in specs.items()))
        wanted |= set(targets["indicator_id"])
        # values an open plausibility finding holds out never reach an engine
        panel, held = load_engine_panel(engine, indicators=sorted(wanted))
    if panel.empty and latest_data_year(engine) is None:
        raise NoDataError("库中没有观测数据 the store holds no observations; load data first "
                          "(rbcity run loads the bundled data)")
    registry = load_registry()
    out = AssessResult(year=year, data_revision=rev, held_out=held)
    out.seconds["load"] = time.perf_counter() - t0
    for n in names:
        t1 = time.perf_counter()
        spec = specs[n]
        res = run_engine(n, panel, registry, targets, spec, year)
        reads = set(targets["indicator_id"]) if n == "targets" else spec_indicators(n, spec)
        res.not_computed = list(res.not_computed) + held_out_reasons(held, n, reads, year)
        # what could not be computed, and why, is part of the stored run
        summary = dict(res.summary, not_computed=[{"unit_id": u, "reason": why}
                                                  for u, why in res.not_computed])
        # every stored run carries a validity card (plan/validity.py); unchecked → indicative
        summary.setdefault("validity", unchecked_card(n).to_dict())
        res.summary.setdefault("validity", summary["validity"])
        out.runs[n] = runs.store_run(engine, n, year, spec, summary, res.results, revision=rev)
        out.summaries[n] = res.summary
        out.not_computed += [(n, u, why) for u, why in res.not_computed]
        out.seconds[n] = time.perf_counter() - t1
    return out
