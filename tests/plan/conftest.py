"""Small hand-made registries and long panels of the store's exact shape."""

from __future__ import annotations

import pandas as pd
import pytest


def make_registry(rows):
    """rows: (unit_id, level, type_2013, province, exhausted_batch, admin_codes_now)."""
    df = pd.DataFrame(rows, columns=["unit_id", "level", "type_2013", "province",
                                     "exhausted_batch", "admin_codes_now"])
    df["name"] = df["unit_id"]
    df["exhausted_batch"] = df["exhausted_batch"].astype("Int64")
    df["resource_kind"] = ""
    return df


def make_panel(records):
    """records: (unit_id, year, indicator_id, value) → the store's long panel shape."""
    df = pd.DataFrame(records, columns=["unit_id", "year", "indicator_id", "value"])
    df["unit"] = ""
    df["source"] = "test"
    df["revision"] = 1
    return df


@pytest.fixture
def registry_small():
    return make_registry([
        ("130200", "prefecture", "mature", "河北省", None, "130200"),
        ("130400", "prefecture", "declining", "河北省", 2009, "130400"),
        ("130521", "county", "growth", "河北省", None, "130521"),
        ("220181", "county_city", "regenerating", "吉林省", 2009, "220113"),
    ])
