"""Readers for the files analysts already hold (issue 13): CSMAR city tables with their DES
file, Stata/SPSS panels, yearbook tables with title, two-level headers, units and notes rows.

Each reader turns its file into a :class:`Prepared`: the text-cell table the importer validates
(city, year and value columns under names it knows) plus one :class:`~.colmap.ColumnMap` per
value column. :func:`prepare` picks the reader from the file itself (no flag); None means a plain
long/wide table the importer reads as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rbcity.data.formats.colmap import ColumnMap
from rbcity.data.reader import RawTable


@dataclass
class Prepared:
    """A file read by a format reader: ``table`` for the importer, ``maps`` per value column,
    ``kind`` (csmar | stata | spss | yearbook), ``notes`` (what was skipped, e.g. notes rows)."""

    table: RawTable
    maps: list[ColumnMap]
    kind: str
    notes: list[str] = field(default_factory=list)
    year: int | None = None

    def columns(self) -> dict:
        """Header → (indicator, unit) for the importer, mapped columns only."""
        return {m.column: (m.indicator_id, m.unit) for m in self.maps if m.indicator_id}

    def column_notes(self) -> dict:
        """Header → why it is not imported, for the importer's column-level rejects."""
        return {m.column: m.note for m in self.maps if not m.indicator_id and m.note}


def prepare(path: str | Path, sheet: str | None = None) -> Prepared | None:
    """The format reader's result for ``path``, or None for a plain table."""
    from rbcity.data.formats import csmar, stata, yearbook

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".dta", ".sav", ".zsav"):
        return stata.read(p)
    for mod in (csmar, yearbook):
        got = mod.read(p, sheet)
        if got is not None:
            return got
    return None
