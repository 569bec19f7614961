"""Run every plausibility rule over the store's current values and keep ``check_finding`` in
step (see :mod:`rbcity.data.checks.findings`). Called after every committed import and by
``rbcity checks run``; the rules are vectorised pandas over the whole long panel."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.audit import record_action
from rbcity.data.checks import findings as fstore
from rbcity.data.checks.frames import RuleResult
from rbcity.data.checks.history import repeated_value, scale_error, yoy_break
from rbcity.data.checks.identities import identity
from rbcity.data.checks.peers import peer_outlier
from rbcity.data.checks.sources import source_disagreement
from rbcity.data.checks.spec import RULES, load_checks_spec

RULE_FUNCS = {"yoy_break": yoy_break, "scale_error": scale_error, "identity": identity,
              "peer_outlier": peer_outlier, "source_disagreement": source_disagreement,
              "repeated_value": repeated_value}


@dataclass
class RuleStat:
    """How one rule did: values it could judge, findings it raised, their share, and whether
    that share is above the spec's ``max_share`` (a badly tuned rule)."""

    rule: str
    severity: str
    n_checked: int
    n_flagged: int
    share: float
    too_many: bool


@dataclass
class ChecksRun:
    stats: list[RuleStat] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    n_values: int = 0


def evaluate(obs: pd.DataFrame, spec: dict | None = None) -> tuple[pd.DataFrame, list[RuleStat]]:
    """Every rule over ``obs`` (long: unit_id, year, indicator_id, value, revision, source, unit, level).
    Returns the findings (with rule, severity, revision) and one :class:`RuleStat` per rule."""
    spec = spec or load_checks_spec()
    obs = obs.sort_values(["unit_id", "indicator_id", "year"]).reset_index(drop=True)
    obs["sid"] = obs.groupby(["unit_id", "indicator_id"], sort=False).ngroup()
    rev = obs.set_index(["unit_id", "year", "indicator_id"])["revision"]
    parts, stats = [], []
    for rule in RULES:
        p = spec["rules"][rule]
        res: RuleResult = RULE_FUNCS[rule](obs, p)
        f = res.findings.drop_duplicates(["unit_id", "year", "indicator_id"])
        share = len(f) / res.n_checked if res.n_checked else 0.0
        stats.append(RuleStat(rule, p["severity"], res.n_checked, len(f), share, share > spec["max_share"]))
        if len(f):
            idx = pd.MultiIndex.from_frame(f[["unit_id", "year", "indicator_id"]])
            parts.append(f.assign(rule=rule, severity=p["severity"], revision=rev.reindex(idx).to_numpy()))
    cols = ["rule", "unit_id", "year", "indicator_id", "revision", "value", "detail", "severity"]
    found = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    return found, stats


def load_checked_values(conn) -> pd.DataFrame:
    """The current observations with their unit's administrative level."""
    o, u = s.observation.c, s.unit.c
    q = select(o.unit_id, o.year, o.indicator_id, o.value, o.revision, o.source, o.unit, u.level).select_from(
        s.observation.join(s.unit, s.unit.c.unit_id == o.unit_id))
    # plain tuples: a DataFrame built from SQLAlchemy Row objects probes each row (×8 slower)
    df = pd.DataFrame([tuple(r) for r in conn.execute(q)],
                      columns=["unit_id", "year", "indicator_id", "value", "revision", "source", "unit", "level"])
    return df.astype({"year": "int64", "value": float, "revision": "int64"})


def run_checks(engine: Engine, spec: dict | None = None) -> ChecksRun:
    """Check every current value of the store and store the findings (one transaction)."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        obs = load_checked_values(conn)
        found, stats = evaluate(obs, spec)
        changes = fstore.sync(conn, found, obs[["unit_id", "year", "indicator_id", "revision"]])
        seconds = time.perf_counter() - t0
        # each run's per-rule figures are kept, so a listing can say which rule fires too often
        record_action(conn, "rbcity", "checks.run", {
            "n_values": len(obs), "seconds": round(seconds, 3), "changes": changes,
            "rules": {st.rule: {"n_checked": st.n_checked, "n_flagged": st.n_flagged,
                                "share": round(st.share, 6), "too_many": bool(st.too_many)} for st in stats}})
    return ChecksRun(stats, changes, seconds, len(obs))


def after_import(engine: Engine, reports) -> ChecksRun | None:
    """The import hook: re-check the store once after one or more import reports
    (``ImportReport`` objects or their dicts) if any of them committed a batch; None otherwise.
    Callers: ``rbcity import``, the web import, ``ensure_bundled``."""
    reports = reports if isinstance(reports, list | tuple) else [reports]
    status = [r.get("status") if isinstance(r, dict) else getattr(r, "status", None) for r in reports]
    if "committed" not in status:
        return None
    return run_checks(engine)
