"""Treatment and cohort assignment from the registry (no estimation, no rendering).

Two designs:

* ``rbc2013`` — listed in the 2013 plan (国发〔2013〕45号). Every member gets the same first treated
  year, ``first_treated_2013`` (2014 by default: the plan is dated 2013-11-12 and was released
  2013-12-03; most studies take 2014, see methodology §4.7).
* ``exhausted`` — designated resource-exhausted city (资源枯竭城市); the cohort is the batch year
  (2008 / 2009 / 2011, as recorded in the registry's ``exhausted_batch``). Staggered.

Prefecture panels only hold prefecture-level units, so county-level members (``county_city``,
``county``, ``district``) need an explicit choice (``county_choice``):

* ``"drop"`` — they are left out (the usual choice). Their parent prefecture, if it is not itself a
  member, stays in the control group; that is logged as ``contaminated_control`` and can be removed
  with ``drop_contaminated_controls=True``.
* ``"parent"`` — they are mapped to their parent prefecture, which becomes treated at the earliest
  cohort among itself and its mapped members. Members without a parent prefecture (directly under
  a province, e.g. 潜江市, or under 重庆市) cannot be mapped and are dropped.

Every exclusion is written to a sample log (``unit_id, name, stage, reason``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

TREATMENTS = ("rbc2013", "exhausted")
COUNTY_CHOICES = ("drop", "parent")
COUNTY_LEVELS = ("county_city", "county", "district")
REGISTRY_COLUMNS = (
    "unit_id",
    "name",
    "province",
    "level",
    "parent_id",
    "type_2013",
    "exhausted_batch",
    "verification",
)

LOG_COLUMNS = ["unit_id", "name", "stage", "reason", "n_obs"]


@dataclass
class SampleLog:
    """Who was dropped (or flagged) and why, stage by stage."""

    rows: list[dict] = field(default_factory=list)

    def add(self, unit_id: str, name: str, stage: str, reason: str, n_obs: int = 0) -> None:
        self.rows.append(
            {"unit_id": unit_id, "name": name, "stage": stage, "reason": reason, "n_obs": n_obs}
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=LOG_COLUMNS)

    def counts(self) -> pd.DataFrame:
        """Number of units and observations per (stage, reason)."""
        f = self.frame()
        if f.empty:
            return pd.DataFrame(columns=["stage", "reason", "n_units", "n_obs"])
        return (
            f.groupby(["stage", "reason"], sort=False)
            .agg(n_units=("unit_id", "size"), n_obs=("n_obs", "sum"))
            .reset_index()
        )


@dataclass
class Treatment:
    """Treated units with their cohort (first treated year), plus the log of exclusions.

    ``units`` columns: ``unit_id, name, province, cohort`` (Int; the first treated year),
    ``type_2013``, ``resource_kind`` (if the registry has it), ``via`` (``self`` or ``parent``),
    ``members`` (registry names mapped onto the unit), ``verification`` (worst grade among the
    members: C < B < A).
    ``exclude``: unit_ids to remove from the control group (county-level members that could not be
    treated are never in a prefecture panel; contaminated controls only if asked for).
    ``contaminated``: non-member prefectures that contain a treated county-level member.
    """

    design: str
    county_choice: str
    units: pd.DataFrame
    exclude: set[str]
    contaminated: set[str]
    log: SampleLog


def _check_registry(registry: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REGISTRY_COLUMNS if c not in registry.columns]
    if missing:
        raise ValueError(f"registry lacks columns {missing}")
    reg = registry.copy()
    reg["unit_id"] = reg["unit_id"].fillna("").astype(str).str.strip()
    reg["parent_id"] = reg["parent_id"].fillna("").astype(str).str.strip()
    reg["exhausted_batch"] = pd.array(reg["exhausted_batch"], dtype="Int64")
    return reg


def build_treatment(
    registry: pd.DataFrame,
    treatment: str = "exhausted",
    county_choice: str = "drop",
    first_treated_2013: int = 2014,
    drop_contaminated_controls: bool = False,
    min_verification: str | None = None,
    batch_years: dict[int, int] | None = None,
) -> Treatment:
    """Build the treated-unit table for ``treatment`` from the registry.

    ``min_verification``: ``"A"``, ``"B"`` or ``None`` (keep all). Members graded below it are
    dropped from the treatment *and* from the control group (they are not clean controls either).
    ``batch_years``: first treated year per exhausted batch when it differs from the batch year,
    e.g. ``{2011: 2012}`` for the disputed date of the third batch (default: the batch year).
    """
    if treatment not in TREATMENTS:
        raise ValueError(f"treatment must be one of {TREATMENTS}, got {treatment!r}")
    if county_choice not in COUNTY_CHOICES:
        raise ValueError(f"county_choice must be one of {COUNTY_CHOICES}, got {county_choice!r}")
    reg = _check_registry(registry)
    log = SampleLog()
    exclude: set[str] = set()

    if treatment == "rbc2013":
        members = reg.copy()
        members["cohort"] = int(first_treated_2013)
    else:
        members = reg[reg["exhausted_batch"].notna()].copy()
        shift = batch_years or {}
        members["cohort"] = [int(shift.get(int(b), int(b))) for b in members["exhausted_batch"]]

    if min_verification is not None:
        order = {"A": 0, "B": 1, "C": 2}
        limit = order[min_verification]
        low = members["verification"].map(order).fillna(2) > limit
        for r in members[low].itertuples():
            log.add(r.unit_id, r.name, "treatment", f"verification {r.verification} below {min_verification}")
            if r.unit_id:
                exclude.add(r.unit_id)
        members = members[~low]

    rows = []
    for r in members.itertuples():
        if r.level == "prefecture":
            if not r.unit_id:
                log.add("", r.name, "treatment", "prefecture member without admin code")
                continue
            rows.append((r.unit_id, r, "self"))
        elif r.level in COUNTY_LEVELS:
            if county_choice == "drop":
                log.add(r.unit_id, r.name, "treatment", f"{r.level} member dropped (county_choice='drop')")
            elif not r.parent_id:
                log.add(
                    r.unit_id,
                    r.name,
                    "treatment",
                    f"{r.level} member without parent prefecture (county_choice='parent')",
                )
            else:
                rows.append((r.parent_id, r, "parent"))
        else:
            log.add(r.unit_id, r.name, "treatment", f"unknown level {r.level!r}")

    names = dict(zip(reg["unit_id"], reg["name"], strict=False))
    by_unit: dict[str, list] = {}
    for target, r, via in rows:
        by_unit.setdefault(target, []).append((r, via))

    out = []
    has_resource = "resource_kind" in reg.columns
    worst = {"A": 0, "B": 1, "C": 2}
    for uid, items in by_unit.items():
        own = [r for r, via in items if via == "self"]
        kids = [r for r, via in items if via == "parent"]
        cohorts = sorted({int(r.cohort) for r, _ in items})
        cohort = cohorts[0]
        ref = own[0] if own else None
        if ref is not None:
            typ = ref.type_2013
            res = getattr(ref, "resource_kind", None) if has_resource else None
            prov = ref.province
            name = ref.name
        else:
            types = pd.Series([k.type_2013 for k in kids]).mode()
            typ = sorted(types)[0]
            res = kids[0].resource_kind if has_resource else None
            prov = kids[0].province
            name = names.get(uid, uid)
        if kids:
            log.add(
                uid,
                name,
                "treatment",
                "parent prefecture treated via county-level member(s): "
                + "、".join(k.name for k in kids)
                + (f"; cohorts {cohorts}, earliest used" if len(cohorts) > 1 else ""),
            )
        grades = [str(r.verification) for r, _ in items]
        out.append(
            {
                "unit_id": uid,
                "name": name,
                "province": prov,
                "cohort": cohort,
                "type_2013": typ,
                "resource_kind": res,
                "via": "self" if own else "parent",
                "members": "、".join(r.name for r, _ in items),
                "verification": max(grades, key=lambda g: worst.get(g, 2)),
            }
        )
    units = pd.DataFrame(
        out,
        columns=[
            "unit_id",
            "name",
            "province",
            "cohort",
            "type_2013",
            "resource_kind",
            "via",
            "members",
            "verification",
        ],
    )
    units["cohort"] = units["cohort"].astype("Int64")
    units = units.sort_values("unit_id").reset_index(drop=True)

    # Non-member prefectures holding a treated county-level member (only relevant under 'drop').
    treated_ids = set(units["unit_id"])
    contaminated: set[str] = set()
    if county_choice == "drop":
        county_members = members[members["level"].isin(COUNTY_LEVELS)]
        for pid in sorted(set(county_members["parent_id"]) - {""} - treated_ids):
            contaminated.add(pid)
            kids = "、".join(county_members.loc[county_members["parent_id"] == pid, "name"])
            if drop_contaminated_controls:
                exclude.add(pid)
                log.add(pid, names.get(pid, pid), "control", f"contaminated control dropped (treated member(s): {kids})")
            else:
                log.add(pid, names.get(pid, pid), "control", f"contaminated control kept (treated member(s): {kids})")
    return Treatment(treatment, county_choice, units, exclude, contaminated, log)


def assign_cohorts(unit_ids: pd.Series, treatment: Treatment) -> pd.Series:
    """Cohort (first treated year) per unit id, 0 for never treated."""
    m = dict(zip(treatment.units["unit_id"], treatment.units["cohort"].astype(int), strict=False))
    return unit_ids.map(m).fillna(0).astype(int)
