"""规划专项 The plan's programmes: the 21 verified rows of the plan text (16 targets, 5 baseline
facts) from ``config/programmes.yaml``, and the programme quantities cities report in their forms.

The targets engine evaluates the catalogue's ``targets:``; this module says which of them are
the plan's programmes, under which programme heading, and which items a form's 规划专项 section
carries. :func:`check_programmes` keeps the two files in step (same value, year and type).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from rbcity.data.catalogue import CatalogueError, load_catalogue, load_targets

COLUMNS = ["id", "programme", "section", "kind", "type", "indicator_id", "related_indicator",
           "quantity", "comparator", "unit", "year", "year_reading", "verification", "target",
           "not_evaluated"]
#: target types evaluated by the engine (``duration`` is listed, not evaluated)
ENGINE_TYPES = ("level", "change", "cumulative", "count")


@lru_cache(maxsize=1)
def _doc() -> dict:
    path = resources.files("rbcity") / "config" / "programmes.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_programmes() -> pd.DataFrame:
    """One row per verified plan row: programme, kind (target | baseline_fact), type, indicator."""
    rows = [{c: p.get(c) for c in COLUMNS} for p in _doc()["programmes"]]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["year_reading"] = df["year_reading"].fillna(False).astype(bool)
    return df


def programme_quantities() -> list[str]:
    """Catalogue ids of the quantities a city reports in its form's 规划专项 section."""
    return list(_doc()["quantities"])


def check_programmes() -> None:
    """Raise :class:`CatalogueError` when a programme names an unknown indicator or its target
    differs from the catalogue's target row for that indicator (value, year, type)."""
    known = set(load_catalogue()["indicator_id"])
    tg = load_targets().set_index("indicator_id")
    for q in programme_quantities():
        if q not in known:
            raise CatalogueError(f"programmes.yaml: quantity {q!r} is not a catalogue indicator")
    for p in load_programmes().itertuples(index=False):
        for ind in (p.indicator_id, p.related_indicator):
            if isinstance(ind, str) and ind not in known:
                raise CatalogueError(f"programmes.yaml: {p.id}: unknown indicator {ind!r}")
        if p.kind != "target" or p.type not in ENGINE_TYPES:
            continue
        if p.indicator_id not in tg.index:
            raise CatalogueError(f"programmes.yaml: {p.id}: no catalogue target for {p.indicator_id}")
        t = tg.loc[p.indicator_id]
        if (float(t["target_value"]), int(t["target_year"]), t["mode"]) != (float(p.quantity), int(p.year), p.type):
            raise CatalogueError(f"programmes.yaml: {p.id}: differs from the catalogue target of "
                                 f"{p.indicator_id} ({t['target_value']:g}, {t['target_year']}, {t['mode']})")
