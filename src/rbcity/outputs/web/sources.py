"""Where the web layer reads from: the lower layers' functions, behind one small cache.

Every page and API route reads through a :class:`Reader`. It calls the registry, data and plan
layers (``cities_frame``, ``filter_cities``, the panel, coverage, ``latest_results``) and keeps
their frames until the store's *data version* changes — the newest import batch, run and
registry row count — so 50 people looking at the overview cost one SQL query each, not a
pandas reload. The same version makes the API's ETags. The web layer never computes an index:
scores, types, levels and grades come from the engines' stored results as they are.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rbcity import __version__
from rbcity.data import schema as s
from rbcity.errors import UserError
from rbcity.plan.runs import latest_results, latest_run

#: the engines of the results contract, in the plan's order, with Chinese and English names
ENGINES: dict[str, tuple[str, str]] = {
    "identify": ("资源型城市界定", "identification"),
    "classify": ("综合分类与动态调整", "classification"),
    "targets": ("规划目标评估", "target attainment"),
    "warning": ("可持续发展预警", "early warning"),
    "coordination": ("协调发展评价", "coordination"),
    "exhausted_assessment": ("资源枯竭城市年度绩效考核", "annual assessment of resource-exhausted cities"),
}


class NotFound(UserError, LookupError):
    """A run, import batch or engine that does not exist (the API answers 404)."""


def check_engine(name: str) -> str:
    if name not in ENGINES:
        raise NotFound(f"未知的引擎 unknown engine {name!r}; known: {', '.join(ENGINES)}")
    return name


class Reader:
    """Cached reads of one store. Thread-safe; a cache entry lives until the data version moves."""

    #: how long a looked-up data version is trusted (writes through this app refresh it at once;
    #: an import from the command line shows up within this many seconds)
    VERSION_TTL = 1.0

    def __init__(self, engine: Engine):
        self.engine = engine
        self._cache: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._checked = 0.0

    # -- versioning -------------------------------------------------------------------------
    def version(self, force: bool = False) -> str:
        """A short string that changes whenever imports, runs or the registry change."""
        now = time.monotonic()
        if force or self._version is None or now - self._checked > self.VERSION_TTL:
            q = select(select(func.max(s.import_batch.c.id)).scalar_subquery(),
                       select(func.max(s.run.c.id)).scalar_subquery(),
                       select(func.count()).select_from(s.city).scalar_subquery())
            with self.engine.connect() as conn:
                b, r, c = conn.execute(q).one()
            v = (b or 0, r or 0, c or 0)
            with self._lock:
                if v != self._version:
                    self._cache.clear()
                    self._version = v
                self._checked = now
        v = self._version
        return f"{__version__}-{v[0]}-{v[1]}-{v[2]}"

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``'s value under ``key`` until the data version moves (pages use it too)."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if len(self._cache) >= 1024:  # arbitrary filter combinations must not grow it forever
                self._cache.clear()
            self._cache[key] = value
        return value

    # -- registry ---------------------------------------------------------------------------
    def cities(self) -> pd.DataFrame:
        from rbcity.data.cities import cities_frame

        return self.cached(("cities",), lambda: cities_frame(self.engine))

    def filter_cities(self, **filters) -> pd.DataFrame:
        from rbcity.registry.query import filter_cities

        key = ("filter", tuple(sorted((k, v) for k, v in filters.items() if v)))
        return self.cached(key, lambda: filter_cities(self.cities(), **filters))

    def resolve(self, query: str):
        """The registry city for a name or code (UnknownCity / AmbiguousCity otherwise)."""
        from rbcity.registry.resolve import resolve_city

        return self.cached(("resolve", query), lambda: resolve_city(query))

    def resolve_any(self, query: str):
        """Any known unit (registry city, other prefecture or county — e.g. a DID control unit)."""
        from rbcity.registry.resolve import get_resolver

        return self.cached(("resolve_any", query), lambda: get_resolver("all").resolve(query))

    def city(self, unit_id: str) -> pd.Series:
        return self.cities().set_index("unit_id").loc[unit_id]

    def code_history(self, unit_id: str) -> pd.DataFrame:
        from rbcity.data.cities import code_history_frame

        return self.cached(("hist", unit_id), lambda: code_history_frame(self.engine, unit_id))

    # -- data -------------------------------------------------------------------------------
    def indicators(self) -> pd.DataFrame:
        def make():
            with self.engine.connect() as conn:
                return pd.read_sql(select(s.indicator).order_by(s.indicator.c.indicator_id), conn)
        return self.cached(("indicators",), make)

    def observations(self, unit_ids: tuple[str, ...] = (), indicator_ids: tuple[str, ...] = (),
                     year_from: int | None = None, year_to: int | None = None) -> pd.DataFrame:
        """Long panel ``unit_id, year, indicator_id, value, unit, source, revision`` (data layer)."""
        from rbcity.data.panel import load_panel

        years = None
        if year_from is not None or year_to is not None:
            years = range(year_from if year_from is not None else 1949, (year_to if year_to is not None else 2100) + 1)
        return self.cached(("obs", unit_ids, indicator_ids, year_from, year_to), lambda: load_panel(
            self.engine, indicators=indicator_ids or None, years=years, units=unit_ids or None))

    @staticmethod
    def wide(long: pd.DataFrame) -> pd.DataFrame:
        """One row per (unit_id, year), one column per indicator (the data layer's ``to_wide``)."""
        from rbcity.data.panel import to_wide

        return to_wide(long).reset_index()

    def coverage(self) -> pd.DataFrame:
        """Per indicator: how many of the 262 cities have values, in which years (data layer)."""
        from rbcity.data.coverage import coverage

        return self.cached(("coverage",), lambda: coverage(self.engine))

    # -- imports ----------------------------------------------------------------------------
    def imports(self) -> pd.DataFrame:
        def make():
            with self.engine.connect() as conn:
                return pd.read_sql(select(s.import_batch).order_by(s.import_batch.c.id.desc()), conn)
        return self.cached(("imports",), make)

    def import_batch(self, batch_id: int) -> dict:
        df = self.imports()
        hit = df[df["id"] == batch_id]
        if hit.empty:
            raise NotFound(f"没有这个导入批次 no import batch {batch_id}")
        return hit.iloc[0].to_dict()

    def rejects(self, batch_id: int) -> pd.DataFrame:
        self.import_batch(batch_id)

        def make():
            r = s.rejected_row
            with self.engine.connect() as conn:
                return pd.read_sql(select(r).where(r.c.batch_id == batch_id).order_by(r.c.id), conn)
        return self.cached(("rejects", batch_id), make)

    # -- runs and results -------------------------------------------------------------------
    def runs(self, engine_name: str | None = None) -> pd.DataFrame:
        def make():
            q = select(s.run.c.id, s.run.c.engine, s.run.c.year, s.run.c.spec_hash,
                       s.run.c.data_revision, s.run.c.version, s.run.c.created_at)
            if engine_name:
                q = q.where(s.run.c.engine == engine_name)
            with self.engine.connect() as conn:
                return pd.read_sql(q.order_by(s.run.c.id.desc()), conn)
        return self.cached(("runs", engine_name), make)

    def run(self, run_id: int) -> dict:
        def make():
            with self.engine.connect() as conn:
                row = conn.execute(select(s.run).where(s.run.c.id == run_id)).mappings().first()
            return dict(row) if row else None
        row = self.cached(("run", run_id), make)
        if row is None:
            raise NotFound(f"没有这次运行 no run {run_id}")
        return row

    def latest_run(self, name: str, year: int | None = None) -> dict | None:
        check_engine(name)
        return self.cached(("latest_run", name, year), lambda: latest_run(self.engine, name, year))

    def results(self, name: str, year: int | None = None) -> pd.DataFrame:
        """The engine's newest results (for ``year`` if given), wide, per the results contract."""
        check_engine(name)
        return self.cached(("results", name, year), lambda: latest_results(self.engine, name, year))

    def result_years(self, name: str) -> list[int]:
        check_engine(name)
        def make():
            with self.engine.connect() as conn:
                ys = conn.execute(select(s.run.c.year).where(s.run.c.engine == name)
                                  .distinct()).scalars().all()
            return sorted(int(y) for y in ys if y is not None)
        return self.cached(("years", name), make)
