"""Benchmark of ``rbcity assess`` on the bundled data (all six engines, runs stored).

Prints wall times and ratios against a baseline measured in the same run: loading the whole
panel from the store (``load_panel``) — the least any engine run must do — and, for the
command line, starting Python and importing rbcity's CLI.  The target: ``rbcity assess`` on
the bundled data in under 5 s on a 2-core machine.

    PYTHONPATH=src python bench/bench_assess.py [--db URL] [--year 2020] [--repeat 3]

Without ``--db`` a temporary store is built first with the bundled data (not timed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _best(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.plan.assess import assess, latest_data_year, load_panel

    url = a.db
    if url is None:
        tmp = Path(tempfile.mkdtemp(prefix="rbcity-bench-"))
        url = f"sqlite:///{tmp / 'bench.sqlite'}"
        t = time.perf_counter()
        engine = open_store(url)
        load_registry_into(engine)
        ensure_bundled(engine)
        print(f"setup: bundled store built in {time.perf_counter() - t:.1f}s (not part of the ratio)")
    engine = open_store(url)
    year = a.year or latest_data_year(engine)
    panel = load_panel(engine)
    print(f"store {url}; year {year}; panel {len(panel)} observations; repeat {a.repeat}")

    base_min, base_med = _best(lambda: load_panel(engine), a.repeat)
    cold = _best(lambda: assess(engine, year), 1)[0]  # imports scikit-learn, cross-validates
    run_min, run_med = _best(lambda: assess(engine, year), a.repeat)
    r = assess(engine, year)
    print(f"baseline load_panel        : min {base_min:.3f}s  median {base_med:.3f}s")
    print(f"assess (6 engines, stored) : min {run_min:.3f}s  median {run_med:.3f}s  "
          f"ratio {run_med / base_med:.1f}x baseline")
    print(f"first assess in the process  : {cold:.3f}s (scikit-learn import and the "
          f"classifier's cross-validation; later runs reuse the base-year fits)")
    print("  per engine (last run): " + ", ".join(f"{k} {v:.2f}s" for k, v in r.seconds.items()))

    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")])
    cli = [sys.executable, "-m", "rbcity", "assess", "--year", str(year), "--db", url]
    imp = [sys.executable, "-c", "import rbcity.outputs.cli"]
    imp_min, imp_med = _best(lambda: subprocess.run(imp, env=env, check=True,
                                                    capture_output=True), a.repeat)
    cli_min, cli_med = _best(lambda: subprocess.run(cli, env=env, check=True,
                                                    capture_output=True), a.repeat)
    print(f"baseline python + import CLI: min {imp_min:.3f}s  median {imp_med:.3f}s")
    print(f"rbcity assess --year {year} : min {cli_min:.3f}s  median {cli_med:.3f}s  "
          f"ratio {cli_med / imp_med:.1f}x baseline  "
          f"[{'OK' if cli_med < 5 else 'OVER'} target 5 s]")


if __name__ == "__main__":
    main()
