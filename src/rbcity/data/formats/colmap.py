"""Automatic column mapping: a column's name, label, unit and 口径 → a catalogue indicator.

Every column of a file gets one :class:`ColumnMap` saying which indicator it feeds, in which
unit and 口径, and *how* that was decided (``matched_by``): ``--map``/profile (the user said
so), ``CSMAR profile`` (the shipped field table), ``header`` (name or alias in the header, with
口径/unit tokens), ``label`` (a Stata/SPSS variable label), ``name+unit`` (a unit glued to the
end of a Chinese name, ``地区生产总值万元``). Nothing is matched by similarity: an unmatched
column is listed with the reason, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rbcity.data.catalogue import catalogue_entries, identity, match_header
from rbcity.data.units import is_unit_token, normalise_unit


@dataclass
class ColumnMap:
    """How one column was read: ``indicator_id`` (None = not imported), the ``unit`` the file
    states, ``scope`` (口径), ``label`` (what the file calls it, e.g. a DES or variable label),
    ``matched_by`` and, for unmatched columns, ``note`` (why)."""

    column: str
    indicator_id: str | None
    unit: str | None = None
    scope: str = ""
    label: str = ""
    matched_by: str = ""
    note: str = ""


def split_glued_unit(text: str) -> tuple[str, str | None]:
    """``地区生产总值万元`` → (``地区生产总值``, ``万元``): the longest known unit at the end."""
    t = str(text).strip()
    for n in range(min(8, len(t) - 1), 0, -1):
        tail = t[-n:]
        if is_unit_token(tail) and not tail.isascii():
            return t[:-n], normalise_unit(tail)
    return t, None


def scope_of(indicator_id: str | None) -> str:
    """The catalogue 口径 of an indicator ('' for None)."""
    if indicator_id is None:
        return ""
    e = next((e for e in catalogue_entries() if e["id"] == indicator_id), None)
    return identity(e)[0] if e else ""


def auto_map(column: str, label: str = "") -> ColumnMap:
    """Map one column from its header (and a variable label, when the file has one)."""
    tries = [(column, "header")]
    if label and label != column:
        tries.insert(0, (label, "label"))
    notes = []
    for text, how in tries:
        hm = match_header(text)
        if hm.indicator_id:
            return ColumnMap(column, hm.indicator_id, hm.unit, scope_of(hm.indicator_id), label, how)
        if hm.note:
            notes.append(hm.note)
            continue
        name, unit = split_glued_unit(text)
        if unit:
            hm2 = match_header(name)
            if hm2.indicator_id:
                return ColumnMap(column, hm2.indicator_id, unit, scope_of(hm2.indicator_id), label,
                                 f"{how} name+unit")
            if hm2.note:
                notes.append(hm2.note)
    return ColumnMap(column, None, None, "", label, "",
                     "; ".join(notes) or "未知指标 no catalogue name/alias matches; 用 --map 指定 map it")


def mapping_frame(maps: list[ColumnMap]) -> pd.DataFrame:
    """The printed mapping table: column, label, indicator, unit, 口径, matched_by, note."""
    return pd.DataFrame([dict(column=m.column, label=m.label, indicator=m.indicator_id or "—",
                              unit=m.unit or "", scope=m.scope, matched_by=m.matched_by or "unmapped",
                              note=m.note) for m in maps],
                        columns=["column", "label", "indicator", "unit", "scope", "matched_by", "note"])
