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
    #: 'prefecture' when the format says every row is a prefecture-level city (CSMAR CRE tables)
    level: str | None = None

    def columns(self) -> dict:
        """Header → (indicator, unit) for the importer, mapped columns only."""
        return {m.column: (m.indicator_id, m.unit) for m in self.maps if m.indicator_id}

    def column_notes(self) -> dict:
        """Header → why it is not imported, for the importer's column-level rejects."""
        return {m.column: m.note for m in self.maps if not m.indicator_id and m.note}


PEEK_ROWS = 20


def peek_rows(path: Path, sheet: str | None = None, n: int = PEEK_ROWS) -> list[list]:
    """The first ``n`` rows of a text table or XLSX sheet as cells (no full read: recognising a
    format must not slow down the import of a big plain file). [] when unreadable."""
    import csv

    from rbcity.data.reader import ReadProblem, _decode

    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = wb[sheet] if sheet in wb.sheetnames else wb[wb.sheetnames[0]]
                return [list(r) for r in ws.iter_rows(max_row=n, values_only=True)]
            finally:
                wb.close()
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
        text, _ = _decode(head)
        lines = text.splitlines()[:n]
        sep = "\t" if "\t" in text else ","
        return list(csv.reader(lines, delimiter=sep))
    except (ReadProblem, OSError, ValueError, KeyError, csv.Error, UnicodeDecodeError):
        return []
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on damaged parts; the plain reader reports them
        return []


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
