"""Stored engine runs: every run keeps its spec, spec hash, data revision and rbcity version
(``run`` table) and its per-unit results in the long ``result`` table.

Reading API for the outputs layer: :func:`latest_run` (the run row with spec and summary) and
:func:`latest_results` (wide: one row per (unit_id, year), one column per key; numbers from
``value``, text from ``text``).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from rbcity import __version__
from rbcity.data import schema as s
from rbcity.plan.frames import RESULT_COLUMNS  # noqa: E402


def canonical_json(obj) -> str:
    """JSON with sorted keys and no whitespace — the form that is hashed."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_default)


def _json_default(o):
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def jsonable(obj):
    """``obj`` with numpy scalars/arrays turned into Python values and NaN/inf into None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, str):
        return jsonable(obj.tolist())
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    return obj


def spec_hash(spec: dict) -> str:
    """sha256 of the canonical JSON of ``spec``."""
    return hashlib.sha256(canonical_json(spec).encode("utf-8")).hexdigest()


def data_revision(engine: Engine) -> int:
    """The newest committed import batch id (the data layer's definition; 0 = no data)."""
    from rbcity.data.panel import data_revision as _rev

    return int(_rev(engine))


def _clean(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def store_run(engine: Engine, name: str, year: int | None, spec: dict, summary: dict,
              results: pd.DataFrame, *, revision: int | None = None) -> int:
    """Insert one run and its results in one transaction; returns the run id.

    ``results`` is long with :data:`RESULT_COLUMNS`; rows with neither a value nor a text are
    not stored (they read back as missing).
    """
    spec = jsonable(spec)
    row = {
        "engine": name, "year": year, "spec": spec, "spec_hash": spec_hash(spec),
        "data_revision": data_revision(engine) if revision is None else revision,
        "version": __version__, "created_at": datetime.now(UTC), "summary": jsonable(summary),
    }
    with engine.begin() as conn:
        run_id = conn.execute(insert(s.run).values(**row)).inserted_primary_key[0]
        if len(results):
            r = results[RESULT_COLUMNS]
            # a row with neither value nor text says nothing: not stored (reads back as NaN)
            r = r[pd.to_numeric(r["value"], errors="coerce").notna() | r["text"].notna()]
            vals = pd.to_numeric(r["value"], errors="coerce").astype(float)
            vals = vals.where(np.isfinite(vals), None).astype(object)
            text = r["text"].astype(object).where(r["text"].notna(), None)
            rows = list(zip([int(run_id)] * len(r), r["unit_id"].astype(str),
                            r["year"].astype(int).tolist(), r["key"].astype(str), vals, text,
                            strict=True))
            # driver-level executemany: ~5x faster than Core for tens of thousands of rows
            ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            if rows:
                conn.exec_driver_sql(
                    "INSERT INTO result (run_id, unit_id, year, key, value, text) "
                    f"VALUES ({', '.join([ph] * 6)})", rows)
    return int(run_id)


def latest_run(engine: Engine, name: str, year: int | None = None) -> dict | None:
    """The newest run of engine ``name`` (for ``year`` if given) as a dict, or None."""
    q = select(s.run).where(s.run.c.engine == name)
    if year is not None:
        q = q.where(s.run.c.year == year)
    q = q.order_by(s.run.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def run_results(engine: Engine, run_id: int) -> pd.DataFrame:
    """The long results of one run: ``unit_id, year, key, value, text``."""
    q = select(s.result.c.unit_id, s.result.c.year, s.result.c.key, s.result.c.value,
               s.result.c.text).where(s.result.c.run_id == run_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).all(), columns=RESULT_COLUMNS)


def widen(long: pd.DataFrame) -> pd.DataFrame:
    """Long results → wide (one row per (unit_id, year), one column per key).

    A key whose rows carry text becomes a text column, otherwise a number column."""
    if long.empty:
        return pd.DataFrame(columns=["unit_id", "year"])
    is_text = long.groupby("key")["text"].apply(lambda t: t.notna().any())
    cell = long["value"].astype(object).where(~long["key"].map(is_text), long["text"])
    wide = (long.assign(cell=cell)
            .pivot(index=["unit_id", "year"], columns="key", values="cell")
            .reset_index())
    wide.columns.name = None
    for k, txt in is_text.items():
        if txt:  # no text → None (not NaN) in text columns
            wide[k] = wide[k].astype(object).where(wide[k].notna(), None)
        else:
            wide[k] = pd.to_numeric(wide[k], errors="coerce")
    return wide


#: the result keys of each engine (the contract with the outputs layer); ``latest_results``
#: always has these columns, even when no unit has a value for one of them.  Targets' keys
#: are ``<indicator_id>.<field>`` and depend on the catalogue.
KEYS = {
    "identify": (["mining_employment_share", "predicted", "in_2013_list"], []),
    "classify": (["resource_score", "development_score", "moved"],
                 ["type", "type_2013", "reason", "missing", "type_base", "trend"]),
    "warning": (["safety_score", "level", "coverage"], ["level_label", "color", "reasons", "top_obstacles"]),
    "coordination": (["U_resource", "U_urban", "C", "T", "D"], ["grade", "stage", "lagging"]),
    "exhausted_assessment": (["score", "rank", "progress", "baseline_year"],
                             ["grade", "action", "action_notice"]),
    "targets": ([], []),
}


def latest_results(engine: Engine, name: str, year: int | None = None) -> pd.DataFrame:
    """Wide results of the newest run of ``name`` (empty frame when there is none)."""
    run = latest_run(engine, name, year)
    if run is None:
        return pd.DataFrame(columns=["unit_id", "year"])
    w = widen(run_results(engine, run["id"]))
    nums, texts = KEYS.get(name, ([], []))
    for k in nums:
        if k not in w:
            w[k] = np.nan
    for k in texts:
        if k not in w:
            w[k] = None
    return w
