"""Which engines the stored data can feed, year by year, and which indicators still block them.

Printed after every import (issue 13) so an analyst sees at once what a new file made
computable. The rule (ours, deliberately simple and stated with the output): an engine spec is
split into *parts* — an index, a subsystem, an assessment content, an identification test group,
a hard trigger — each naming indicators. A part is *fed* in year Y when at least one of its
indicators has a value for at least one registry city in [Y − max_age_years, Y] (the spec's
own window, 0 when it has none). An engine is *computable* in Y when every required part is fed;
optional parts (hard triggers) never block. The engines' own availability rules (e.g.
``min_availability``) still decide per city when they run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_targets
from rbcity.plan.specs import ENGINES, load_spec

#: keys whose value is an indicator id wherever they appear in a spec
_ID_KEYS = ("indicator", "numerator", "denominator")


def _walk(node) -> set[str]:
    """Every indicator id a (part of a) spec names: ``indicator:``/``numerator:``/``denominator:``
    values and ``name:`` of the entries of an ``indicators:`` list."""
    out: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k in _ID_KEYS and isinstance(v, str):
                out.add(v)
            elif k == "indicators" and isinstance(v, list):
                out |= {i["name"] for i in v if isinstance(i, dict) and isinstance(i.get("name"), str)}
            else:
                out |= _walk(v)
    elif isinstance(node, list):
        for v in node:
            out |= _walk(v)
    return out


def spec_indicators(spec: dict) -> set[str]:
    """Every indicator id an engine spec names (anywhere in it)."""
    return _walk(spec)


def engine_parts(name: str, spec: dict | None = None) -> list[tuple[str, frozenset[str], bool]]:
    """``(part label, indicator ids, required)`` of engine ``name``."""
    spec = spec if spec is not None else load_spec(name)
    parts: list[tuple[str, frozenset[str], bool]] = []
    if name == "targets":
        inds = frozenset(load_targets()["indicator_id"])
        return [("targets", inds, True)] if inds else []
    if name == "identify":
        rs = spec["rule_sets"][spec.get("rule_set", "2013")]
        for g, grp in rs["groups"].items():
            inds = frozenset(spec["tests"][t]["indicator"] for t in grp["tests"])
            parts.append((f"group {g}", inds, grp.get("logic") == "all"
                          and rs.get("on_unavailable") != "available"))
        if not any(req for _, _, req in parts):  # combine: any — one fed group suffices
            parts = [("any group", frozenset().union(*[p[1] for p in parts]), True)]
        return parts
    for key in ("index", "resource", "development", "trend"):
        if isinstance(spec.get(key), dict) and (inds := _walk(spec[key])):
            parts.append((key, frozenset(inds), True))
    for group in ("subsystems", "contents"):
        for k, v in (spec.get(group) or {}).items():
            parts.append((f"{group[:-1]} {k}", frozenset(_walk(v)), True))
    for i, trig in enumerate(spec.get("hard_triggers") or []):
        parts.append((f"hard trigger {i + 1}", frozenset(_walk(trig)), False))
    return parts


@dataclass
class Readiness:
    """One engine's state over the years asked about."""

    engine: str
    computable_years: list[int] = field(default_factory=list)
    #: year → indicator ids of required parts that are not fed (only years not computable)
    blocking: dict[int, list[str]] = field(default_factory=dict)


def _observed(engine: Engine, indicators: set[str]) -> pd.DataFrame:
    o = s.observation.c
    with engine.connect() as conn:
        rows = conn.execute(select(o.indicator_id, o.year).where(
            o.indicator_id.in_(sorted(indicators)), o.unit_id.in_(select(s.city.c.unit_id))).distinct()).all()
    return pd.DataFrame(rows, columns=["indicator_id", "year"])


def readiness(engine: Engine, years: list[int], engines=ENGINES) -> list[Readiness]:
    """For each engine: the years in ``years`` it is computable in, and for the others the
    indicators that still block it (see the module docstring for the rule)."""
    specs = {e: load_spec(e) for e in engines}
    parts = {e: engine_parts(e, specs[e]) for e in engines}
    allinds = set().union(*[p[1] for ps in parts.values() for p in ps]) if parts else set()
    obs = _observed(engine, allinds)
    have = obs.groupby("indicator_id")["year"].apply(set).to_dict()
    out = []
    for e in engines:
        age = int(specs[e].get("max_age_years") or 0)
        r = Readiness(e)
        for y in years:
            fed = {i for i in allinds if any(y - age <= yy <= y for yy in have.get(i, ()))}
            missing = sorted({i for _, inds, req in parts[e] if req and not (inds & fed) for i in inds})
            if parts[e] and not missing:
                r.computable_years.append(y)
            else:
                r.blocking[y] = missing
        out.append(r)
    return out
