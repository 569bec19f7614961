"""The reader contract's data types: :class:`RawTable` (text cells of one sheet) and
:class:`ColumnInfo` (what is known about one column before validation).

A reader never parses numbers, resolves cities or matches indicators: it hands on cells as the
text they were, with the row number a user sees, so a bad cell can be shown as written. A
reader that already knows what a column is (a profile-driven format such as CSMAR, a wide
export with its codebook) fills ``ColumnInfo.indicator_id``/``unit``/``scope``/``price_basis``
and ``matched_by``; otherwise they stay ``None`` and :mod:`rbcity.data.ingest.headers` parses
the header text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from rbcity.errors import UserError

CITY_CODE_COLUMNS = ("unit_id", "city_code", "code", "区划代码", "行政区划代码", "城市代码", "代码",
                     "adcode", "county_code", "区县代码")
CITY_NAME_COLUMNS = ("city", "城市", "城市名称", "地区", "地区名称", "name", "地市", "区县", "county",
                     "region", "单位名称", "city_name")


class ReadProblem(Exception):
    """The file as a whole cannot be read: ``code`` ∈ broken_file, empty_file, wrong_sheet,
    bad_layout, unsupported_format, too_large, store_busy."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class ImportFileError(UserError, FileNotFoundError):
    """The path names no readable file, so not even a failed import can be recorded."""


@dataclass
class ColumnInfo:
    """One column of a :class:`RawTable`.

    ``header`` is the text as written (deduplicated with ``.1``, ``.2`` like pandas);
    ``label`` an optional longer description (a Stata variable label, a codebook's 中文名).
    The rest is set only by a reader that *knows* it (never guessed): ``indicator_id`` (catalogue
    id), ``unit`` (as the source states it), ``scope`` (口径: ``全市`` whole city or ``市辖区``
    urban districts), ``price_basis`` (``当年价`` current or ``可比价`` comparable prices) and
    ``matched_by`` (how the reader knew, shown in reject reasons and reports).
    """

    header: str
    label: str | None = None
    indicator_id: str | None = None
    unit: str | None = None
    scope: str | None = None
    price_basis: str | None = None
    matched_by: str | None = None
    #: set by a reader that knows a column is *not* importable, with why (e.g. an unknown CSMAR
    #: field and its DES label); the column is rejected with this reason, never header-matched
    note: str | None = None


@dataclass
class RawTable:
    """Text cells of one sheet (or one chunk of it).

    ``frame``: str/None cells (numeric dtypes allowed for typed sources such as Parquet; bool
    columns are kept as bool so they are never read as numbers), headers as written;
    ``rows``: the source row number of each frame row (1-based, as a spreadsheet shows it);
    ``file``/``sheet``: where it came from; ``columns``: one :class:`ColumnInfo` per frame
    column, in order (built from the headers when a reader gives none).
    """

    frame: pd.DataFrame
    rows: pd.Series
    file: str
    sheet: str
    encoding: str = ""
    columns: list[ColumnInfo] = field(default_factory=list)
    #: which format reader made it ('' = plain table) and what it skipped or inferred (shown to the user)
    fmt: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = [ColumnInfo(str(c)) for c in self.frame.columns]

    def info(self, header: str) -> ColumnInfo:
        """The :class:`ColumnInfo` of ``header`` (a bare one when the reader gave none)."""
        for c in self.columns:
            if c.header == header:
                return c
        return ColumnInfo(header)


def is_city_header(h) -> bool:
    """True when ``h`` names a city code or city name column (how readers find the header row)."""
    t = str(h).strip().lower()
    return t in CITY_CODE_COLUMNS or t in CITY_NAME_COLUMNS


def dedupe_headers(headers: list[str]) -> list[str]:
    """Blank headers become ``columnN``; repeated ones get ``.1``, ``.2`` … as pandas does for CSV."""
    out = [h if h else f"column{j + 1}" for j, h in enumerate(headers)]
    seen: dict[str, int] = {}
    for j, h in enumerate(out):
        if h in seen:
            seen[h] += 1
            out[j] = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
    return out
