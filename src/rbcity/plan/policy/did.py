"""``run_did``: the policy-evaluation engine behind ``rbcity did``.

Example (simulated data; with real data pass the data layer's panel and
``rbcity.registry.load_registry()``)::

    >>> from rbcity.plan.policy import run_did, simulate_panel
    >>> sim = simulate_panel(n_units=120, cohorts={2008: 0.2, 2009: 0.2, 2011: 0.2},
    ...                      effect=1.0, seed=1)
    >>> res = run_did(sim.panel, sim.registry, "y", treatment="exhausted",
    ...               event_study=True, window=(-4, 3), n_placebo=20, seed=1)
    >>> res.headline()["estimator"]
    'did2s'
    >>> abs(res.headline()["estimate"] - sim.truth["att"]) < 0.3
    True
    >>> sorted(res.estimates["estimator"].unique())
    ['cs', 'cs_es', 'did2s', 'did2s_es', 'twfe', 'twfe_es']
    >>> [d["key"] for d in res.diagnostics][:3]
    ['sample', 'pretrend', 'agreement']

Rendering (Markdown/LaTeX tables, the event-study plot) is in ``rbcity.outputs.did_report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .cs import callaway_santanna, pretrend_wald
from .diagnostics import diagnose
from .estimate import estimate, event_terms, prepare
from .placebo import placebo
from .pretrend import wald_pretrend
from .sample import build_frame, config
from .sensitivity import relative_magnitudes, smoothness
from .treatment import build_treatment

BY_COLUMNS = {"type": "type_2013", "resource": "resource_kind", "province": "province"}


@dataclass
class DidResult:
    """Everything ``run_did`` produced.

    * ``estimates``: tidy table — ``group, estimator, term, rel_time, estimate, se, ci_low,
      ci_high, p, n_obs, n_units, n_treated_units`` (``group`` is ``all`` or the ``by`` value).
    * ``sample``: one row per unit used — ``unit_id, name, treated, cohort, group, n_obs,
      first_year, last_year``.
    * ``sample_log``: one row per exclusion or flag — ``unit_id, name, stage, reason, n_obs``;
      ``log_counts`` sums it by reason.
    * ``pretrend``: joint Wald test of the leads per event-study estimator and group.
    * ``placebo``: placebo distribution summary (``draws``, ``p_value``, ...) or None.
    * ``spec``: the full specification, conventions and notes.
    * ``cs``: the Callaway–Sant'Anna result (:class:`rbcity.plan.policy.cs.CSResult`, group ``all``).
    * ``sensitivity``: relative-magnitudes bounds of the CS event study (event studies only).
    * ``diagnostics``: the readings in words (:func:`rbcity.plan.policy.diagnostics.diagnose`).
    """

    estimates: pd.DataFrame
    sample: pd.DataFrame
    sample_log: pd.DataFrame
    log_counts: pd.DataFrame
    pretrend: pd.DataFrame
    placebo: dict | None
    spec: dict
    fits: dict = field(default_factory=dict, repr=False)
    cs: object = None
    sensitivity: dict | None = None
    diagnostics: list = field(default_factory=list)

    def headline(self, group: str = "all") -> dict:
        """The headline static estimate (did2s if timing is staggered, else TWFE)."""
        est = self.spec["headline_estimator"]
        e = self.estimates
        row = e[(e["group"] == group) & (e["estimator"] == est) & (e["term"] == "ATT")]
        return row.iloc[0].to_dict()


def run_did(
    panel: pd.DataFrame,
    registry: pd.DataFrame,
    outcome: str,
    treatment: str = "exhausted",
    by: str | None = None,
    controls: tuple[str, ...] | list[str] = (),
    event_study: bool = False,
    window: tuple[int, int] = (-4, 4),
    county_choice: str = "drop",
    first_treated_2013: int = 2014,
    n_placebo: int = 0,
    seed: int = 0,
    placebo_mode: str = "units",
    control_group: str = "all",
    drop_contaminated_controls: bool | None = None,
    cs_control: str | None = None,
    min_verification: str | None = None,
    log_outcome: bool = False,
    years: tuple[int, int] | None = None,
    batch_years: dict[int, int] | None = None,
    unit_names: dict[str, str] | None = None,
) -> DidResult:
    """Difference-in-differences evaluation of ``treatment`` on ``outcome``.

    Parameters
    ----------
    panel : long DataFrame ``unit_id, year, indicator_id, value`` (prefecture-level units,
        including non-resource cities as controls).
    registry : the registry DataFrame (``rbcity.registry.load_registry()``).
    outcome : indicator id; ``gdp_per_capita`` and ``tertiary_share`` are derived when absent
        (see ``rbcity/config/policy_did.yaml``).
    treatment : ``rbc2013`` (2013 list, one date ``first_treated_2013``) or ``exhausted``
        (resource-exhausted batches 2008/2009/2011, staggered).
    by : ``type`` | ``resource`` | ``province``: extra estimates per group of treated units
        (each against all controls).
    controls : indicator ids added as time-varying covariates.
    event_study : also estimate TWFE and did2s event studies over ``window`` and test pre-trends.
    county_choice : ``drop`` or ``parent`` (map county-level members to the parent prefecture).
    n_placebo : number of placebo draws (0 = none) for the headline estimator, ``placebo_mode``
        ``units`` | ``dates`` | ``both``; ``seed`` makes them reproducible.
    control_group : ``all`` (every untreated unit) or ``non_rbc`` (drop untreated resource cities).
    drop_contaminated_controls : drop control prefectures holding a treated county-level member
        (None: the config default, ``true``).
    cs_control : Callaway–Sant'Anna control group ``notyet`` | ``never`` (None: config default).
    min_verification : ``A`` | ``B`` | None: keep only members with at least this grade.
    log_outcome : use ``log(outcome)``.
    years : restrict the sample to ``(first, last)`` years.
    batch_years : first treated year per exhausted batch, e.g. ``{2011: 2012}``.
    unit_names : names of non-registry units (controls) for the sample table.
    """
    cfg = config()
    if drop_contaminated_controls is None:
        drop_contaminated_controls = bool(cfg["drop_contaminated_controls"]["value"])
    cs_control = cs_control or cfg["cs_control_group"]["value"]
    tr = build_treatment(
        registry,
        treatment=treatment,
        county_choice=county_choice,
        first_treated_2013=first_treated_2013,
        drop_contaminated_controls=drop_contaminated_controls,
        min_verification=min_verification,
        batch_years=batch_years,
    )
    log = tr.log
    df, xnames, notes = build_frame(
        panel, outcome, tuple(controls), tr, registry, log,
        log_outcome=log_outcome, control_group=control_group, years=years,
    )
    if not ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).any():
        yrs = (int(df["year"].min()), int(df["year"].max())) if len(df) else None
        raise ValueError(
            f"no treated post-period observation: sample years {yrs}, treatment {treatment!r}"
            + (f" starts {first_treated_2013}" if treatment == "rbc2013" else "")
        )
    cohorts = sorted(int(c) for c in df.loc[df["cohort"] > 0, "cohort"].unique())
    staggered = len(cohorts) > 1
    headline = "did2s" if staggered else "twfe"
    estimators = ("twfe", "did2s") + (("twfe_es", "did2s_es") if event_study else ())

    units = tr.units.set_index("unit_id")
    if by is not None:
        if by not in BY_COLUMNS:
            raise ValueError(f"by must be one of {list(BY_COLUMNS)}")
        col = BY_COLUMNS[by]
        if col not in units or units[col].isna().all() or (units[col].astype(str) == "").all():
            raise ValueError(f"registry has no {col!r} values; cannot split by {by!r}")
        df["group"] = df["unit_id"].map(units[col]).where(df["cohort"] > 0)
    else:
        df["group"] = pd.NA

    groups = ["all"] + ([] if by is None else sorted(df["group"].dropna().astype(str).unique()))
    tables, pre_rows, fits, skipped = [], [], {}, {}
    for g in groups:
        sub = df if g == "all" else df[(df["cohort"] == 0) | (df["group"].astype(str) == g)]
        n_tr = sub.loc[sub["cohort"] > 0, "unit_id"].nunique()
        if g != "all" and n_tr < 2:
            skipped[g] = f"{n_tr} treated unit(s)"
            continue
        try:
            tab, f = estimate(sub, estimators, window=window, controls=xnames)
        except (ValueError, RuntimeError) as exc:  # e.g. no post obs in the group
            skipped[g] = str(exc)
            continue
        tables.append(tab.assign(group=g))
        fits[g] = f
        if event_study:
            d = prepare(sub, window)
            terms = event_terms(d, window)
            for est in ("twfe_es", "did2s_es"):
                w = wald_pretrend(f[est], terms, sub["unit_id"].nunique())
                pre_rows.append({"group": g, "estimator": est, **{k: v for k, v in w.items()}})
    # Callaway–Sant'Anna on the full sample (group 'all')
    cs = None
    if "all" in fits:
        cs = callaway_santanna(df, cs_control, window=window if event_study else None)
        tables.append(_cs_rows(cs, df, event_study, window).assign(group="all"))
        if event_study:
            w = pretrend_wald(cs)
            pre_rows.append({"group": "all", "estimator": "cs_es", "q": w["q"], "chi2": w["chi2"],
                             "p_chi2": w["p"], "F": w["chi2"] / w["q"] if w["q"] else float("nan"),
                             "df2": float("nan"), "p": w["p"], "terms": w["terms"]})
    estimates_tab = pd.concat(tables, ignore_index=True)
    estimates_tab = estimates_tab[["group"] + [c for c in estimates_tab.columns if c != "group"]]
    pretrend_tab = pd.DataFrame(
        pre_rows, columns=["group", "estimator", "q", "chi2", "p_chi2", "F", "df2", "p", "terms"]
    )

    plc = None
    if n_placebo > 0:
        real = estimates_tab[
            (estimates_tab["group"] == "all")
            & (estimates_tab["estimator"] == headline)
            & (estimates_tab["term"] == "ATT")
        ]["estimate"].iloc[0]
        plc = placebo(df, real, n=n_placebo, mode=placebo_mode, estimator=headline,
                      controls=xnames, seed=seed)

    names = dict(unit_names or {})
    names.update(dict(zip(registry["unit_id"].astype(str), registry["name"], strict=False)))
    names.update(dict(zip(tr.units["unit_id"], tr.units["name"], strict=False)))
    sample = (
        df.groupby("unit_id")
        .agg(cohort=("cohort", "first"), group=("group", "first"), n_obs=("year", "size"),
             first_year=("year", "min"), last_year=("year", "max"))
        .reset_index()
    )
    sample.insert(1, "name", sample["unit_id"].map(names).fillna(""))
    sample.insert(2, "treated", sample["cohort"] > 0)

    import pyfixest

    spec = {
        "outcome": outcome,
        "log_outcome": log_outcome,
        "treatment": treatment,
        "first_treated_2013": first_treated_2013 if treatment == "rbc2013" else None,
        "cohorts": cohorts,
        "batch_years": dict(batch_years or {}),
        "staggered": staggered,
        "county_choice": county_choice,
        "contaminated_controls": sorted(tr.contaminated),
        "drop_contaminated_controls": drop_contaminated_controls,
        "control_group": control_group,
        "min_verification": min_verification,
        "controls": list(controls),
        "control_terms": dict(zip(xnames, controls, strict=True)),
        "by": by,
        "skipped_groups": skipped,
        "event_study": event_study,
        "window": tuple(window),
        "reference_period": -1,
        "binning": "endpoints binned: k<lo counted in lo, k>hi in hi",
        "estimators": list(estimators) + (["cs", "cs_es"] if event_study else ["cs"]),
        "headline_estimator": headline,
        "cluster": "unit_id",
        "se_convention": {
            "twfe": "pyfixest CRV1, fixest small-sample factor G/(G-1)*(n-1)/(n-k), unit FE nested "
            "in clusters not counted in k; t(G-1) intervals",
            "did2s": "pyfixest did2s GMM cluster-robust (Gardner/Butts), no small-sample factor",
        },
        "pretrend_test": "joint Wald on leads k<=-2; p from F(q, G-1)",
        "placebo": None if plc is None else {"n": plc["n"], "mode": placebo_mode, "seed": seed,
                                             "estimator": headline},
        "years": (int(df["year"].min()), int(df["year"].max())),
        "n_obs": int(len(df)),
        "n_units": int(df["unit_id"].nunique()),
        "n_treated_units": int(df.loc[df["cohort"] > 0, "unit_id"].nunique()),
        "pyfixest": pyfixest.__version__,
        **notes,
    }
    spec["cs_control_group"] = cs_control
    spec["cs_event_study"] = ("CS dynamic aggregation, universal base g-1 (k = -1 is 0 by construction); "
                              "event times outside the window are left out, not binned")
    spec["se_convention"]["cs"] = ("Callaway–Sant'Anna, no covariates, universal base g-1; analytic "
                                   "influence-function SEs clustered by unit, normal 95% intervals")
    spec["n_dropped_members"] = int(
        log.frame()["reason"].str.contains("member dropped|without parent", regex=True).sum())
    sens = None
    if event_study and cs is not None:
        dyn = cs.dynamic[(cs.dynamic["e"] >= window[0]) & (cs.dynamic["e"] <= window[1])]
        try:
            sens = relative_magnitudes(dyn, mbars=cfg["sensitivity_mbars"]["value"],
                                       vcov=cs.dynamic_vcov)
            sens["estimator"] = "cs_es"
            if -2 in set(dyn["e"]):
                sens["smoothness"] = smoothness(dyn, ms=cfg["sensitivity_ms"]["value"],
                                                vcov=cs.dynamic_vcov)
        except ValueError as exc:
            spec["sensitivity_skipped"] = str(exc)
    diags = diagnose(spec, estimates_tab, pretrend_tab, sens, cfg)
    return DidResult(
        cs=cs,
        sensitivity=sens,
        diagnostics=diags,
        estimates=estimates_tab,
        sample=sample,
        sample_log=log.frame(),
        log_counts=log.counts(),
        pretrend=pretrend_tab,
        placebo=plc,
        spec=spec,
        fits=fits,
    )


def _cs_rows(cs, df: pd.DataFrame, event_study: bool, window: tuple[int, int]) -> pd.DataFrame:
    """CS simple ATT (estimator ``cs``) and dynamic coefficients (``cs_es``) as tidy rows."""
    counts = {"n_obs": int(len(df)), "n_units": int(df["unit_id"].nunique()),
              "n_treated_units": int(df.loc[df["cohort"] > 0, "unit_id"].nunique())}
    rows = [{"estimator": "cs", "term": "ATT", "rel_time": None, **_pick(cs.simple), **counts}]
    if event_study:
        for r in cs.dynamic.itertuples():
            if window[0] <= r.e <= window[1] and r.e != -1:
                rows.append({"estimator": "cs_es", "term": f"k={r.e}", "rel_time": int(r.e),
                             **_pick(r._asdict()), **counts})
    out = pd.DataFrame(rows)
    out["rel_time"] = out["rel_time"].astype("Int64")
    return out


def _pick(d: dict) -> dict:
    return {k: float(d[k]) for k in ("estimate", "se", "ci_low", "ci_high", "p")}
