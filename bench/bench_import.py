"""Import speed: rows per second for a 1-million-row long CSV through ``rbcity import``
(read, resolve every city through the registry, convert units, validate, keep rejects, one
transaction into SQLite) against a plain ``pandas.read_csv`` + ``DataFrame.to_sql`` of the
same file into an empty SQLite table, measured in the same run.

    PYTHONPATH=src python bench/bench_import.py [--rows 1000000]

The data are synthetic (random values for real unit codes); no real data are implied.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from rbcity.data import schema as s
from rbcity.data.importer import ensure_ready, import_file
from rbcity.data.store import open_store
from rbcity.registry.codes import all_codes
from rbcity.registry.load import load_registry

INDICATORS = [("gdp", "万元"), ("retail_sales", "亿元"), ("industrial_output", "万元"), ("fiscal_revenue", "万元"),
              ("so2_industrial", "吨"), ("hospital_beds", "张"), ("population", "万人"), ("tertiary_share", "%")]


def make_csv(path: Path, n_rows: int, engine) -> int:
    reg = load_registry()
    claimed = set(reg["successor_code"]) | set(reg["unit_id"])
    codes = all_codes()
    with engine.connect() as c:
        units = [u for u in c.execute(select(s.unit.c.unit_id).order_by(s.unit.c.unit_id)).scalars()
                 if u in codes and u not in claimed and not u.endswith("0000")]
    years = list(range(1990, 2021))
    per_unit = len(years) * len(INDICATORS)
    units = units[: -(-n_rows // per_unit)]
    grid = pd.MultiIndex.from_product([units, years, range(len(INDICATORS))],
                                      names=["city_code", "year", "k"]).to_frame(index=False).iloc[:n_rows]
    grid["indicator"] = [INDICATORS[k][0] for k in grid["k"]]
    grid["unit"] = [INDICATORS[k][1] for k in grid["k"]]
    grid["value"] = np.random.default_rng(1).uniform(1, 90, len(grid)).round(4)
    grid = grid.drop(columns="k")[["city_code", "year", "indicator", "value", "unit"]]
    grid.to_csv(path, index=False)
    return len(grid)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        engine = open_store(f"sqlite:///{tmp / 'rbcity.sqlite'}")
        ensure_ready(engine)  # registry + catalogue: setup, not timed
        csv = tmp / "long.csv"
        n = make_csv(csv, args.rows, engine)
        mb = csv.stat().st_size / 2**20

        t0 = time.perf_counter()
        df = pd.read_csv(csv)
        with sqlite3.connect(tmp / "plain.sqlite") as con:
            df.to_sql("observation", con, index=False, chunksize=100_000)
        base = time.perf_counter() - t0

        t0 = time.perf_counter()
        rep = import_file(engine, csv)
        ours = time.perf_counter() - t0
        assert rep.status == "committed" and rep.n_new == n, (rep.status, rep.n_new, rep.reasons())

    print(f"file: {n:,} rows, {mb:.1f} MB long CSV")
    print(f"pandas read_csv + to_sql : {base:7.2f} s  {n / base:12,.0f} rows/s")
    print(f"rbcity import            : {ours:7.2f} s  {n / ours:12,.0f} rows/s "
          f"(validated, resolved, converted, {rep.n_rejected} rejects)")
    print(f"ratio rbcity / baseline time: {ours / base:.2f}×  (throughput {base / ours:.2f} of baseline)")


if __name__ == "__main__":
    main()
