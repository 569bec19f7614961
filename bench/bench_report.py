"""How long the national report takes (budget: under 10 s), against a baseline measured in the
same run: rendering the same template with no charts and no maps (and, for the PDF, writing
that bare template as a PDF).

    PYTHONPATH=src python bench/bench_report.py

Uses a temp store with the registry, the bundled real data and one ``assess`` of every engine
for the latest year (what ``rbcity run`` builds; set-up not timed), or with ``--fixture`` the
small hand-written engine runs of the tests. Prints seconds per step and ratios to the baseline.
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
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.outputs.report import national
    from rbcity.outputs.report.context import build_report_data
    from rbcity.outputs.report.pdf import html_to_pdf

    tmp = Path(tempfile.mkdtemp())
    engine = open_store(f"sqlite:///{tmp / 'bench.sqlite'}")
    load_registry_into(engine)
    if "--fixture" in sys.argv:
        from engine_rows import write_fixture_observations, write_fixture_runs

        write_fixture_runs(engine)
        write_fixture_observations(engine)
        year = 2020
    else:
        from rbcity.data.bundled import ensure_bundled
        from rbcity.plan.assess import assess, engine_years, latest_data_year

        t0 = time.perf_counter()
        ensure_bundled(engine)
        year = latest_data_year(engine)
        assess(engine, year)
        for name, y in engine_years(engine, year).items():  # as rbcity run does
            if y is not None and y < year:
                assess(engine, y, engines=[name])
        print(f"set-up (bundled data + assess {year}, not timed below): {time.perf_counter() - t0:.1f} s")
    d = build_report_data(engine, year, "zh")
    national.render_national(d, "html")  # warm caches (fonts, template, geojson, echarts.min.js)

    def bare(pdf: bool = False):
        with mock.patch.object(national, "_charts", lambda d, fmt="svg": {k: "" for k in (
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
        "context (ReportData)": lambda: build_report_data(engine, year, "zh"),
        "html report (write)": lambda: national.write_national_report(engine, year, "zh", "html", tmp / "r.html"),
        "pdf report (write)": lambda: national.write_national_report(engine, year, "zh", "pdf", tmp / "r.pdf"),
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
