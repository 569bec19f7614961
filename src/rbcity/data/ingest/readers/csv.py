"""CSV / TSV / TXT: streamed in chunks of ``limits.chunk_rows`` rows, every cell as text.

Encoding: UTF-8 (with or without BOM) when the whole file decodes so (checked incrementally,
never holding the file), else GB18030 (covers GBK, common in statistics offices), else what
``charset_normalizer`` detects on the head.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from rbcity.data.ingest.limits import Limits
from rbcity.data.ingest.readers import Reader, register
from rbcity.data.ingest.table import RawTable, ReadProblem


def _decodes(path: Path, encoding: str) -> bool:
    dec = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                dec.decode(block)
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """The encoding to read ``path`` with (see the module docstring)."""
    with open(path, "rb") as fh:
        head = fh.read(200_000)
    if not head.strip():
        raise ReadProblem("empty_file", "文件为空 empty file")
    for enc in ("utf-8-sig", "gb18030"):
        if _decodes(path, enc):
            return enc
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is not None:
        return best.encoding
    raise ReadProblem("broken_file", "无法识别文件编码 cannot decode the file (not UTF-8/GBK text)")


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    enc = detect_encoding(path)
    with open(path, "rb") as fh:
        if b"\x00" in fh.read(10_000):
            raise ReadProblem("broken_file", "不是文本表格 not a text table (binary content)")
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        it = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding=enc,
                         chunksize=limits.chunk_rows, encoding_errors="strict")
    except pd.errors.EmptyDataError as exc:
        raise ReadProblem("empty_file", "文件为空 empty file (no header)") from exc
    start = 2
    shown = "utf-8" if enc == "utf-8-sig" else enc
    try:
        for df in it:
            if df.shape[1] > limits.max_columns:
                from rbcity.data.ingest.limits import LimitExceeded

                raise ReadProblem("too_large", str(LimitExceeded("max_columns", limits.max_columns)))
            n = len(df)
            if start - 2 + n > limits.max_rows or (start - 2 + n) * df.shape[1] > limits.max_cells:
                from rbcity.data.ingest.limits import LimitExceeded

                which = "max_rows" if start - 2 + n > limits.max_rows else "max_cells"
                raise ReadProblem("too_large", str(LimitExceeded(which, getattr(limits, which))))
            df.index = range(n)
            rows = pd.Series(range(start, start + n), index=df.index)
            start += n
            yield RawTable(df, rows, str(path), "", shown)
        if start == 2:  # header only: let the caller see one empty chunk with the columns
            return
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise ReadProblem("broken_file", f"CSV 无法解析 cannot parse CSV: {str(exc).splitlines()[0]}") from exc
    finally:
        it.close()


register(Reader("csv", (".csv", ".txt", ".tsv", ""), read))
