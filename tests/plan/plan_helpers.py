"""Helpers for the plan tests: small hand-made registries and long panels of the store's
exact shape (a uniquely named module, so it never clashes with another conftest)."""

from __future__ import annotations

import pandas as pd


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


