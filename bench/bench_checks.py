"""Benchmark of the plausibility checks (``rbcity checks run``) on the bundled data.

Prints wall times and ratios against a baseline measured in the same run: loading the whole
panel from the store (``load_panel``), the least a check over every value must do. Parts:
reading the values with their units' level, evaluating the six rules (pure pandas), and the
whole run (read + rules + keeping ``check_finding`` in step + its audit row).

    PYTHONPATH=src python bench/bench_checks.py [--db URL] [--repeat 3]

Without ``--db`` a temporary store is built first with the bundled data (not timed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_assess import _best  # noqa: E402  (min and median of repeated runs)


def _bundled_store(url: str | None):
    """An engine on ``url``, or on a new temporary store loaded with the bundled data."""
    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store

    if url is not None:
        return open_store(url)
    t = time.perf_counter()
    engine = open_store(f"sqlite:///{Path(tempfile.mkdtemp(prefix='rbcity-bench-')) / 'checks.sqlite'}")
    load_registry_into(engine)
    ensure_bundled(engine)
    print(f"setup: bundled store built in {time.perf_counter() - t:.1f}s (not timed)")
    return engine


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    from rbcity.data.checks.run import evaluate, load_checked_values, run_checks
    from rbcity.data.panel import load_panel

    engine = _bundled_store(a.db)
    url = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        obs = load_checked_values(conn)
    print(f"store {url}; {len(obs)} values; repeat {a.repeat}")

    def read():
        with engine.connect() as conn:
            load_checked_values(conn)

    base_min, base_med = _best(lambda: load_panel(engine), a.repeat)
    read_min, read_med = _best(read, a.repeat)
    eval_min, eval_med = _best(lambda: evaluate(obs), a.repeat)
    run_min, run_med = _best(lambda: run_checks(engine), a.repeat)
    print(f"baseline load_panel           : min {base_min:.3f}s  median {base_med:.3f}s")
    print(f"read values + level           : min {read_min:.3f}s  median {read_med:.3f}s  "
          f"ratio {read_med / base_med:.1f}x baseline")
    print(f"evaluate six rules (pandas)   : min {eval_min:.3f}s  median {eval_med:.3f}s  "
          f"ratio {eval_med / base_med:.1f}x baseline")
    print(f"run_checks (read+rules+store) : min {run_min:.3f}s  median {run_med:.3f}s  "
          f"ratio {run_med / base_med:.1f}x baseline")


if __name__ == "__main__":
    main()
