"""The 2013 registry of 262 resource-based cities and the 69 resource-exhausted cities.

Source: the plan's appendices as rebuilt in ``data/plan2013/`` (see its SOURCE.md for how
each row was verified; grade C rows are reconstructed from recall and must be shown as such).
Each row gets a ``unit_id``: its 2013 GB/T 2260 code, or for the three zones that never had
one a stable ``X``-prefixed id (they are *not* codes and are never shown as such).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

SOURCE_LABEL = "国发〔2013〕45号 附件（据 shared/data 重建，见 SOURCE.md）"


def data_path(*parts: str):
    """Path of a file shipped in ``rbcity/registry/data``."""
    return resources.files("rbcity.registry").joinpath("data", *parts)


def _read_csv(*parts: str) -> pd.DataFrame:
    with data_path(*parts).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def load_registry() -> pd.DataFrame:
    """The 262 cities, one row each, indexed 0..261 in appendix order.

    Columns: ``unit_id, seq, name, province, level, level_zh, parent, parent_id, type_2013,
    type_2013_zh, admin_code_2013, admin_codes_now, names_now, successor_code, successor_name,
    resource_kind, exhausted_batch, evidence, verification, note``.
    ``successor_code`` is the main successor unit's code today (莱芜市 → 济南市 370100;
    遵义县 → 播州区 520304); ``admin_codes_now`` lists all successor codes (';'-separated);
    ``successor_relation`` is ``same_unit`` (renamed or re-coded: the successor *is* the city)
    or ``merged_into`` (absorbed by a larger unit that is not the city).

    Facts the source table lacks (ids of the three code-less zones, their parents, 莱芜's
    merger) come from ``data/plan2013/amendments.csv``, each with its source.
    """
    df = _read_csv("plan2013", "cities_2013.csv")
    exh = load_exhausted()
    batch = dict(zip(exh["name_in_2013_list"], exh["batch_year"], strict=True))
    out = pd.DataFrame(
        {
            "unit_id": df["admin_code_2013"],
            "seq": df["seq"].astype(int),
            "name": df["name"],
            "province": df["province"],
            "level": df["admin_level"],
            "level_zh": df["admin_level_zh"],
            "parent": df["parent"],
            "type_2013": df["type_2013"],
            "type_2013_zh": df["type_2013_zh"],
            "admin_code_2013": df["admin_code_2013"],
            "admin_codes_now": df["admin_code_2024"],
            "names_now": df["name_2024"],
            "resource_kind": df["resource_type"],
            "exhausted_batch": pd.array([batch.get(n) for n in df["name"]], dtype="Int64"),
            "evidence": df["evidence"],
            "verification": df["verification"],
            "note": df["note"],
        }
    )
    out["parent_id"] = [r.admin_code_2013[:4] + "00" if r.parent and r.admin_code_2013 else ""
                        for r in out.itertuples()]
    out["successor_code"] = [c.split(";")[-1] for c in out["admin_codes_now"]]
    out["successor_name"] = [n.split(";")[-1] for n in out["names_now"]]
    out["successor_relation"] = "same_unit"
    out["successor_year"] = ""  # only where the note's first year is not the change year
    out["valid_from"] = ""  # the year a unit was created, where it is younger than its 2013 name's data
    by_name = out.set_index("name")
    for a in _read_csv("plan2013", "amendments.csv").itertuples():
        by_name.loc[a.name, a.field] = a.value
    out = by_name.reset_index()[list(out.columns)]
    out["source"] = SOURCE_LABEL
    return out


@lru_cache(maxsize=1)
def load_exhausted() -> pd.DataFrame:
    """The 69 resource-exhausted cities (资源枯竭城市) with batch year (2008/2009/2011)."""
    df = _read_csv("plan2013", "exhausted_cities.csv")
    df["batch_year"] = df["batch_year"].astype(int)
    return df
