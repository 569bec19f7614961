"""Import speed and memory: rows per second and peak RSS for a long CSV through ``rbcity import``
(read, resolve every city through the registry, convert units, validate, keep rejects, one
transaction into SQLite) against a plain ``pandas.read_csv`` + ``DataFrame.to_sql`` of the
same file into an empty SQLite table, measured in the same run.

    PYTHONPATH=src python bench/bench_import.py [--rows 1000000] [--big]

A second baseline is the same plain pandas path into the store's own ``observation`` table
(``to_sql(if_exists="append")`` after renaming the columns and adding source, revision and
batch): the same primary key, foreign keys and (indicator, year) index rbcity writes into, and
no checks at all — the cost of the destination alone.

Each side runs in its own process under ``/usr/bin/time -v`` (peak RSS = "Maximum resident set
size"); ``--big`` adds the 200 MB case (4.8 M rows; issue 11 asks peak RSS < 1 GB);
``--rows 0 --big`` runs only that case.

The data are synthetic (random values for real unit codes); no real data are implied.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import subprocess
import sys
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
              ("so2_industrial", "吨"), ("hospital_beds", "张"), ("population", "万人"), ("tertiary_share", "%"),
              ("gdp_per_capita", "元/人"), ("fdi", "万美元"), ("fiscal_revenue_share", "%"), ("hospitals", "个"),
              ("resident_population", "万人"), ("urban_population_share", "%"), ("aged_65_share", "%"),
              ("school_students", "人"), ("urban_employment", "人"), ("reemployed_persons", "万人"),
              ("nox_industrial", "吨"), ("garbage_treatment_rate", "%"), ("green_area_per_capita", "平方米"),
              ("green_coverage", "%"), ("solid_waste_utilisation", "%"), ("primary_employment_share", "%"),
              ("secondary_employment_share", "%"), ("tertiary_employment_share", "%")]
YEARS = list(range(1990, 2021))


def make_csv(path: Path, n_rows: int, engine) -> int:
    """A long CSV of ``n_rows`` distinct (county-level unit, year, indicator) values, written
    unit by unit (the generator never holds the file): 31 years × 26 indicators per unit, so
    the ~6,500 unclaimed county-level units reach 5.2 M rows (the 200 MB case)."""
    reg = load_registry()
    claimed = set(reg["successor_code"]) | set(reg["unit_id"])
    codes = all_codes()
    with engine.connect() as c:
        units = [u for u in c.execute(select(s.unit.c.unit_id).order_by(s.unit.c.unit_id)).scalars()
                 if u in codes and u not in claimed and not u.endswith("0000")]
    per_unit = len(YEARS) * len(INDICATORS)
    if n_rows > per_unit * len(units):
        raise SystemExit(f"at most {per_unit * len(units):,} distinct rows")
    rng = np.random.default_rng(1)
    yk = pd.MultiIndex.from_product([YEARS, range(len(INDICATORS))]).to_frame(index=False)
    years, ks = yk[0].to_numpy(), yk[1].to_numpy()
    ind = np.array([i for i, _ in INDICATORS], dtype=object)[ks]
    unit = np.array([u for _, u in INDICATORS], dtype=object)[ks]
    done = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("city_code,year,indicator,value,unit\n")
        for a in range(0, -(-n_rows // per_unit), 200):
            block = units[a:a + 200]
            n = min(len(block) * per_unit, n_rows - done)
            part = pd.DataFrame({"city_code": np.repeat(block, per_unit)[:n], "year": np.tile(years, len(block))[:n],
                                 "indicator": np.tile(ind, len(block))[:n], "value": rng.uniform(1, 90, n).round(4),
                                 "unit": np.tile(unit, len(block))[:n]})
            part.to_csv(fh, index=False, header=False)
            done += n
    return done


def _phase(phase: str, csv: Path, db: Path) -> None:
    """One measured run (called in a child process under /usr/bin/time -v)."""
    t0 = time.perf_counter()
    if phase == "baseline":
        df = pd.read_csv(csv)
        with sqlite3.connect(db) as con:
            df.to_sql("observation", con, index=False, chunksize=100_000)
        n = len(df)
    elif phase == "store_table":
        df = pd.read_csv(csv, dtype={"city_code": str})
        df = df.rename(columns={"city_code": "unit_id", "indicator": "indicator_id"})
        with sqlite3.connect(db) as con:
            con.execute("PRAGMA foreign_keys=ON")
            bid = con.execute("INSERT INTO import_batch (file, sha256, kind, source, status, n_rows, n_accepted, "
                              "n_rejected, n_new, n_revised, user, created_at, message) VALUES ('b', '', "
                              "'observations', 'b', 'committed', 0, 0, 0, 0, 0, '', '2026-01-01', '')").lastrowid
            df = df.assign(source=csv.name, revision=1, batch_id=bid)
            df.to_sql("observation", con, index=False, if_exists="append", chunksize=100_000)
        n = len(df)
    else:
        engine = open_store(f"sqlite:///{db}")
        rep = import_file(engine, csv)
        assert rep.status == "committed", (rep.status, rep.reasons())
        n = rep.n_new
    print(f"RESULT {n} {time.perf_counter() - t0:.3f}")


def _measure(phase: str, csv: Path, db: Path) -> tuple[int, float, float]:
    """(rows, seconds, peak RSS MB) of one phase in a child process."""
    cmd = [sys.executable, __file__, "--phase", phase, "--csv", str(csv), "--db", str(db)]
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    out = subprocess.run(timer + cmd, capture_output=True, text=True, check=True)
    n, secs = next(line for line in out.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return int(n), float(secs), (int(m.group(1)) / 1024 if m else float("nan"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--big", action="store_true", help="also the 200 MB case (4.8 M rows): peak RSS must stay < 1 GB")
    ap.add_argument("--phase", choices=["baseline", "store_table", "ours"], help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        _phase(args.phase, Path(args.csv), Path(args.db))
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tpl = tmp / "template.sqlite"
        engine = open_store(f"sqlite:///{tpl}")
        ensure_ready(engine)  # registry + catalogue: setup, not timed
        engine.dispose()  # closes the last connection: the WAL is checkpointed into the file we copy
        cases = ([args.rows] if args.rows else []) + ([4_800_000] if args.big else [])
        for rows in cases:
            csv = tmp / f"long_{rows}.csv"
            n = make_csv(csv, rows, engine)
            engine.dispose()
            mb = csv.stat().st_size / 2**20
            nb, tb, rb = _measure("baseline", csv, tmp / f"plain_{rows}.sqlite")
            st_db = tmp / f"store_table_{rows}.sqlite"
            shutil.copy(tpl, st_db)
            ns, ts, rs = _measure("store_table", csv, st_db)
            db = tmp / f"ours_{rows}.sqlite"
            shutil.copy(tpl, db)
            no, to, ro = _measure("ours", csv, db)
            assert no == n == nb == ns, (no, n, nb, ns)
            print(f"file: {n:,} rows, {mb:.1f} MB long CSV")
            print(f"pandas read_csv + to_sql : {tb:7.2f} s  {n / tb:12,.0f} rows/s  peak RSS {rb:7.0f} MB "
                  f"(new table, no keys, no checks)")
            print(f"… into rbcity's table    : {ts:7.2f} s  {n / ts:12,.0f} rows/s  peak RSS {rs:7.0f} MB "
                  f"(observation: same keys and index, no checks)")
            print(f"rbcity import            : {to:7.2f} s  {n / to:12,.0f} rows/s  peak RSS {ro:7.0f} MB "
                  f"(validated, resolved, converted, one transaction)")
            print(f"throughput rbcity / baseline: {tb / to:.2f}×; peak RSS rbcity / baseline: {ro / rb:.2f}×")
            print(f"throughput rbcity / plain pandas into the same table: {ts / to:.2f}×; "
                  f"peak RSS: {ro / rs:.2f}×")


if __name__ == "__main__":
    main()
