"""``rbcity import``: files of statistics → the store, never on the wrong city, 口径 or scale.

Modules (data flows top to bottom):

- :mod:`.table` — the reader contract's types: :class:`RawTable`, :class:`ColumnInfo`,
  :class:`ReadProblem`;
- :mod:`.readers` — one module per format (``csv``, ``xlsx``, ``parquet``), picked by a registry
  on suffix + a sniff of the file's first bytes;
- :mod:`.limits` — caps on bytes, cells, rows, columns, and the chunk size;
- :mod:`.headers` — a header's tokens → indicator, 口径 scope, price basis, unit (or a reason);
- :mod:`.columns` — the layout (long/wide, key columns) and one row per value cell;
- :mod:`.cities` — row → unit with every key (code, name, province, level, year);
- :mod:`.numbers` — cell text → numbers (strict thousands separators, percent, precision);
- :mod:`.validate` — the checks of one chunk, duplicates across the file;
- :mod:`.write` — batch + rejects + values + revisions in one transaction, under a write lock;
- :mod:`.pipeline` — :func:`import_file`, :func:`import_frame`.

The reader contract (for new formats — CSMAR, Stata, SPSS, yearbook tables …)
-------------------------------------------------------------------------------
A format is one new module in ``rbcity/data/ingest/readers/`` that calls
``register(Reader(name, suffixes, read, sniff=None, has_sheets=False, priority=0))``:

``read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]``
    yields chunks of at most ``limits.chunk_rows`` rows, all with the same columns. Each
    :class:`RawTable` carries ``frame`` (cells as text, ``None`` for empty; numeric dtypes are
    allowed for typed sources, bool columns stay bool and are never read as numbers), ``rows``
    (the source row number of each frame row, as the user sees it), ``file``, ``sheet``, and
    ``columns``: one :class:`ColumnInfo` per column (``header``, optional ``label``, and — only
    when the reader *knows* them, e.g. from a CSMAR profile — ``indicator_id``, ``unit``,
    ``scope``, ``price_basis``, ``matched_by``). A reader checks ``limits`` as it reads and
    never allocates what a file merely claims; a file it cannot read raises
    ``ReadProblem(code, message)`` (broken_file, empty_file, wrong_sheet, too_large, …).
``sniff(head: bytes) -> bool``
    optional: True when the first 8 KB look like this format (a suffix shared by several
    formats goes to the first whose sniff accepts it, higher ``priority`` first).
"""

from rbcity.data.ingest.limits import DEFAULT_LIMITS, Limits
from rbcity.data.ingest.pipeline import ensure_ready, import_file, import_frame
from rbcity.data.ingest.readers import Reader, read_chunks, read_table, register
from rbcity.data.ingest.report import REASONS, ImportReport, Reject
from rbcity.data.ingest.table import ColumnInfo, ImportFileError, RawTable, ReadProblem

__all__ = ["DEFAULT_LIMITS", "REASONS", "ColumnInfo", "ImportFileError", "ImportReport", "Limits", "RawTable",
           "ReadProblem", "Reader", "Reject", "ensure_ready", "import_file", "import_frame", "read_chunks",
           "read_table", "register"]
