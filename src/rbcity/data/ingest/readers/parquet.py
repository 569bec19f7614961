"""Parquet: streamed by record batches. Numeric columns stay numeric (fast path), float32
columns become the text of their shortest float32 spelling (0.1, not 0.10000000149), bool
columns stay bool (never read as numbers), everything else becomes text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from rbcity.data.ingest.limits import LimitExceeded, Limits
from rbcity.data.ingest.readers import Reader, register
from rbcity.data.ingest.table import RawTable, ReadProblem


def cell_text(v):
    """A typed cell as text: None for missing, integers without '.0'."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in df.columns:
        col = df[c]
        if col.dtype == np.float32:
            txt = col.astype(str)
            df[c] = txt.where(col.notna(), None)
        elif pd.api.types.is_bool_dtype(col) or (col.dtype == object and col.map(type).eq(bool).all()):
            df[c] = col.astype(object)
            df.attrs.setdefault("bool_columns", []).append(str(c))
        elif not pd.api.types.is_numeric_dtype(col):
            df[c] = col.map(cell_text)
    df.columns = [str(c) for c in df.columns]
    return df


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        ncol = pf.metadata.num_columns
        nrow = pf.metadata.num_rows
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, …
        raise ReadProblem("broken_file", f"Parquet 无法读取 cannot read Parquet: {exc}") from exc
    if ncol > limits.max_columns:
        raise ReadProblem("too_large", str(LimitExceeded("max_columns", limits.max_columns)))
    if nrow > limits.max_rows:
        raise ReadProblem("too_large", str(LimitExceeded("max_rows", limits.max_rows)))
    start = 2
    try:
        for batch in pf.iter_batches(batch_size=limits.chunk_rows):
            df = _typed(batch.to_pandas().reset_index(drop=True))
            rows = pd.Series(range(start, start + len(df)), index=df.index)
            start += len(df)
            yield RawTable(df, rows, str(path), "")
    except ReadProblem:
        raise
    except Exception as exc:
        raise ReadProblem("broken_file", f"Parquet 无法读取 cannot read Parquet: {exc}") from exc


register(Reader("parquet", (".parquet", ".pq"), read, sniff=lambda head: head[:4] == b"PAR1"))
