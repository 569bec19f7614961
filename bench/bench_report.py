"""How long the national report takes (budget: under 10 s), against a baseline measured in the
same run: rendering the same template with no charts and no maps (and, for the PDF, writing
that bare template as a PDF).

    PYTHONPATH=src python bench/bench_report.py

Uses a temp store with the registry and the test fixture's engine runs (tests/outputs/engine_rows.py).
Prints seconds per step and each step's ratio to the baseline.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "outputs"))


def best(fn, n=3):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    from engine_rows import write_fixture_observations, write_fixture_runs

    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.report import national
    from rbcity.outputs.report.context import build_report_data
    from rbcity.outputs.report.pdf import html_to_pdf

    tmp = Path(tempfile.mkdtemp())
    engine = open_store(f"sqlite:///{tmp / 'bench.sqlite'}")
    load_registry_into(engine)
    write_fixture_runs(engine)
    write_fixture_observations(engine)
    d = build_report_data(engine, 2020, "zh")
    national.render_national(d, "html")  # warm caches (fonts, template, geojson, echarts.min.js)

    def bare(pdf: bool = False):
        with mock.patch.object(national, "_charts", lambda d: {k: "" for k in (
                "level_type", "provinces", "targets", "warning", "coordination", "exhausted", "sweep")}), \
             mock.patch.object(national, "map_options", lambda d: {}), \
             mock.patch.object(national, "static_maps", lambda d: {"type": "", "classify_type": "",
                                                                    "warning": "", "grade": ""}):
            html = national.render_national(d, "pdf")
        if pdf:
            html_to_pdf(html, tmp / "bare.pdf")

    base = best(bare)
    base_pdf = best(lambda: bare(True), 1)
    steps = {
        "context (ReportData)": lambda: build_report_data(engine, 2020, "zh"),
        "html report (write)": lambda: national.write_national_report(engine, 2020, "zh", "html", tmp / "r.html"),
        "pdf report (write)": lambda: national.write_national_report(engine, 2020, "zh", "pdf", tmp / "r.pdf"),
    }
    print(f"baseline: template only, no charts/maps: {base:.3f} s; same as PDF: {base_pdf:.3f} s")
    for name, fn in steps.items():
        pdf = "pdf" in name
        t = best(fn, 1 if pdf else 3)
        flag = "OK" if t < 10 else "OVER 10 s BUDGET"
        ratio = f"ratio to bare PDF {t / base_pdf:5.1f}×" if pdf else f"ratio to bare template {t / base:7.1f}×"
        print(f"{name:24s} {t:7.3f} s  {ratio}  {flag}")


if __name__ == "__main__":
    main()
