"""Compatibility: table readers now live in :mod:`rbcity.data.ingest.readers` (one module per
format, picked by a registry); these names stay importable."""

from rbcity.data.ingest.readers import read_chunks, read_table
from rbcity.data.ingest.readers.parquet import cell_text as _cell_text
from rbcity.data.ingest.table import (
    CITY_CODE_COLUMNS,
    CITY_NAME_COLUMNS,
    ImportFileError,
    RawTable,
    ReadProblem,
)
from rbcity.data.ingest.table import is_city_header as _is_city_header

__all__ = ["CITY_CODE_COLUMNS", "CITY_NAME_COLUMNS", "ImportFileError", "RawTable", "ReadProblem", "_cell_text",
           "_is_city_header", "read_chunks", "read_table"]
