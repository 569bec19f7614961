"""Benchmark: event study + 200 placebo draws — on the bundled 2004–2012 yearbook panel
(``--bundled``: builds a store with the bundled data, outcome ``gdp_per_capita``, the
resource-exhausted batches) or on a simulated panel of the bundled panel's size (default).

Simulated stand-in for the 2004–2012 yearbook extract: 287 prefecture units × 2004–2012, ~5% of
unit-years missing (unbalanced), exhausted-city cohorts 2008/2009/2011 (about 12/9/14 prefecture
units, as in the registry), heterogeneous dynamic effects. Prints wall times and the ratio against
one plain TWFE fit measured in the same run (after pyfixest's warm-up call).

    PYTHONPATH=src python bench/bench_did.py [--bundled [--db URL]] [--placebo 200] [--mode units]
"""

from __future__ import annotations

import argparse
import time
import warnings

from rbcity.plan.policy import estimate as E
from rbcity.plan.policy import run_did, simulate_panel
from rbcity.plan.policy.cs import callaway_santanna
from rbcity.plan.policy.synth import synth_control


def cs_synth_timings(frame, base: float, base_name: str, repeat: int = 5) -> None:
    """Callaway–Sant'Anna (ATT(g,t) + aggregations) and synthetic control with placebo-in-space
    for one treated unit of the middle cohort, against ``base`` measured in the same run."""
    t0 = time.perf_counter()
    for _ in range(repeat):
        cs = callaway_santanna(frame, "notyet")
    t_cs = (time.perf_counter() - t0) / repeat
    cohorts = sorted(c for c in frame["cohort"].unique() if c > 0)
    g = cohorts[len(cohorts) // 2]
    unit = sorted(frame.loc[frame["cohort"] == g, "unit_id"].unique())[0]
    t0 = time.perf_counter()
    sc = synth_control(frame, unit, int(g))
    t_sc = time.perf_counter() - t0
    print(f"Callaway-Sant'Anna ({len(cs.att_gt)} ATT(g,t), mean of {repeat}): {t_cs * 1e3:8.1f} ms   "
          f"ratio {t_cs / base:6.2f}x {base_name}; simple ATT {cs.simple['estimate']:.4g}")
    print(f"synthetic control {unit} + {len(sc.placebo)} placebos:  {t_sc * 1e3:8.1f} ms   "
          f"ratio {t_sc / base:6.2f}x {base_name}; placebo p = {sc.p_value:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--placebo", type=int, default=200)
    ap.add_argument("--mode", default="units", choices=["units", "dates", "both"])
    ap.add_argument("--repeat", type=int, default=5, help="repeats of the TWFE baseline")
    ap.add_argument("--bundled", action="store_true", help="use the bundled real panel")
    ap.add_argument("--db", default=None, help="store URL for --bundled (default: a temp file)")
    ap.add_argument("--outcome", default="gdp_per_capita")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.bundled:
        return bundled(args)

    n = 287
    sim = simulate_panel(
        n_units=n, years=(2004, 2012), cohorts={2008: 12 / n, 2009: 9 / n, 2011: 14 / n},
        effect=0.5, slope=0.1, noise=0.5, missing=0.05, seed=0,
    )
    d = E.prepare(sim.wide)
    t0 = time.perf_counter()
    E.fit_twfe(d)  # warm-up (pyfixest compiles/loads its core on first call)
    warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    for _ in range(args.repeat):
        E.fit_twfe(d)
    twfe = (time.perf_counter() - t0) / args.repeat

    t0 = time.perf_counter()
    es = run_did(sim.panel, sim.registry, "y", event_study=True)
    t_es = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = run_did(sim.panel, sim.registry, "y", event_study=True, n_placebo=args.placebo,
                  placebo_mode=args.mode, seed=1)
    t_all = time.perf_counter() - t0

    print(f"panel: {res.spec['n_units']} units ({res.spec['n_treated_units']} treated), "
          f"{res.spec['years'][0]}-{res.spec['years'][1]}, {res.spec['n_obs']} obs (unbalanced)")
    print(f"pyfixest warm-up (first fit):            {warm * 1e3:8.1f} ms")
    print(f"plain TWFE fit (baseline, mean of {args.repeat}):    {twfe * 1e3:8.1f} ms")
    print(f"run_did event study (twfe, did2s, 2 ES): {t_es * 1e3:8.1f} ms   ratio {t_es / twfe:7.1f}x")
    print(f"run_did event study + {res.placebo['n']} placebo ({args.mode}, {res.spec['headline_estimator']}): "
          f"{t_all:6.2f} s   ratio {t_all / twfe:7.1f}x")
    print(f"  per placebo draw: {(t_all - t_es) / res.placebo['n'] * 1e3:.1f} ms; "
          f"placebo p = {res.placebo['p_value']:.3f}; headline ATT {res.headline()['estimate']:.3f} "
          f"(truth {sim.truth['att']:.3f})")
    _ = es
    cs_synth_timings(sim.wide, twfe, "plain TWFE")


def bundled(args) -> None:
    """The same three timings on the real panel the CLI's ``rbcity did`` uses."""
    import tempfile

    from rbcity.data.bundled import ensure_bundled
    from rbcity.data.panel import load_panel
    from rbcity.data.registry_store import load_registry_into
    from rbcity.data.store import open_store
    from rbcity.registry.load import load_registry

    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench_did.sqlite"
    engine = open_store(url)
    load_registry_into(engine)
    ensure_bundled(engine)  # not timed
    panel, reg = load_panel(engine), load_registry()
    run_did(panel, reg, args.outcome)  # warm-up, not timed
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        run_did(panel, reg, args.outcome)
    static = (time.perf_counter() - t0) / args.repeat
    t0 = time.perf_counter()
    run_did(panel, reg, args.outcome, event_study=True)
    t_es = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = run_did(panel, reg, args.outcome, event_study=True, n_placebo=args.placebo,
                  placebo_mode=args.mode, seed=1)
    t_all = time.perf_counter() - t0
    print(f"bundled panel, outcome {args.outcome}: {res.spec['n_units']} units "
          f"({res.spec['n_treated_units']} treated), {res.spec['n_obs']} obs")
    print(f"static DID, TWFE + did2s + CS (baseline, mean of {args.repeat}): {static * 1e3:8.1f} ms")
    print(f"event study (twfe, did2s, 2 ES):              {t_es * 1e3:8.1f} ms   ratio {t_es / static:6.1f}x")
    print(f"event study + {res.placebo['n']} placebo ({args.mode}):        {t_all:8.2f} s    ratio {t_all / static:6.1f}x")
    print(f"  headline {res.spec['headline_estimator']} ATT {res.headline()['estimate']:.4g}, "
          f"placebo p = {res.placebo['p_value']:.3f}")
    from rbcity.plan.policy.synth import _frame_of

    cs_synth_timings(_frame_of(res, panel, args.outcome), static, "static DID")


if __name__ == "__main__":
    main()
