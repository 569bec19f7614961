"""Compatibility: the importer now lives in :mod:`rbcity.data.ingest` (a package with one
module per concern); these names stay importable for callers (cli, web, bundled, targets)."""

from rbcity.data.ingest.columns import (
    INDICATOR_COLUMNS,
    PROVINCE_COLUMNS,
    SOURCE_COLUMNS,
    UNIT_COLUMNS,
    VALUE_COLUMNS,
    YEAR_COLUMNS,
)
from rbcity.data.ingest.numbers import BLANKS
from rbcity.data.ingest.pipeline import ensure_ready, import_file, import_frame
from rbcity.data.ingest.report import REASONS, ImportReport, Reject
from rbcity.data.ingest.validate import YEAR_MIN
from rbcity.data.ingest.write import bulk_insert
from rbcity.data.ingest.write import done_batch as _done_batch
from rbcity.data.ingest.write import failed as _failed
from rbcity.data.ingest.write import hash_file as _hash_file
from rbcity.data.ingest.write import insert_batch as _insert_batch
from rbcity.data.ingest.write import insert_rejects as _insert_rejects
from rbcity.data.units import normalise_unit as normalised_unit

__all__ = ["BLANKS", "INDICATOR_COLUMNS", "PROVINCE_COLUMNS", "REASONS", "SOURCE_COLUMNS", "UNIT_COLUMNS",
           "VALUE_COLUMNS", "YEAR_COLUMNS", "YEAR_MIN", "ImportReport", "Reject", "_done_batch", "_failed",
           "_hash_file", "_insert_batch", "_insert_rejects", "bulk_insert", "ensure_ready", "import_file",
           "import_frame", "normalised_unit"]
