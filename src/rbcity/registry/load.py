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

#: Ids for the three registry units that have no GB/T 2260 code (see data/plan2013/SOURCE.md).
NO_CODE_IDS: dict[str, str] = {
    "杨家杖子开发区": "X21140",
    "万盛经济开发区": "X50011",
    "平桂管理区": "X45111",
}

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
    遵义县 → 播州区 520304); ``admin_codes_now`` lists all successor codes (';'-separated).
    """
    df = _read_csv("plan2013", "cities_2013.csv")
    exh = load_exhausted()
    batch = dict(zip(exh["name_in_2013_list"], exh["batch_year"], strict=True))
    out = pd.DataFrame(
        {
            "unit_id": [c or NO_CODE_IDS[n] for c, n in zip(df["admin_code_2013"], df["name"], strict=True)],
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
    out["parent_id"] = [_parent_id(r) for r in out.itertuples()]
    out["successor_code"] = [_main_successor(r) for r in out.itertuples()]
    out["successor_name"] = [_successor_name(r) for r in out.itertuples()]
    out["source"] = SOURCE_LABEL
    return out


def _parent_id(row) -> str:
    """The parent prefecture's 2013 code (XXYY00) where the row names a parent."""
    if not row.parent:
        return ""
    if row.admin_code_2013:
        return row.admin_code_2013[:4] + "00"
    return {"葫芦岛市": "211400", "贺州市": "451100"}.get(row.parent, "")


def _main_successor(row) -> str:
    if row.name == "莱芜市":
        return "370100"  # abolished 2019-01; 莱城区/钢城区 went to 济南市 (note in SOURCE.md)
    return row.admin_codes_now.split(";")[-1] if row.admin_codes_now else ""


def _successor_name(row) -> str:
    if row.name == "莱芜市":
        return "济南市"
    return row.names_now.split(";")[-1] if row.names_now else ""


@lru_cache(maxsize=1)
def load_exhausted() -> pd.DataFrame:
    """The 69 resource-exhausted cities (资源枯竭城市) with batch year (2008/2009/2011)."""
    df = _read_csv("plan2013", "exhausted_cities.csv")
    df["batch_year"] = df["batch_year"].astype(int)
    return df
