"""Format readers, picked by a registry: a new format is one new module in this package.

Each module calls :func:`register` with a :class:`Reader`: its ``suffixes``, an optional
``sniff(head: bytes) -> bool`` that looks at the file's first bytes (so a ``.txt`` that is
really a CSMAR export, or an ``.xlsx`` that is not a zip, goes to the right reader), whether the
format has sheets, and ``read(path, *, sheet=None, limits) -> Iterator[RawTable]``: chunks of
at most ``limits.chunk_rows`` rows, all with the same columns, row numbers as the user sees
them. Every module of this package is imported on first use (``pkgutil``), so nothing else
needs editing to add a format. Readers are tried in ``priority`` order (higher first) among
those whose suffix matches and whose sniff accepts the head.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rbcity.data.ingest.limits import Limits, default_limits
from rbcity.data.ingest.table import ImportFileError, RawTable, ReadProblem

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Reader:
    """One file format: see the module docstring for the contract."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[..., Iterator[RawTable]]
    sniff: Callable[[bytes], bool] | None = None
    has_sheets: bool = False
    priority: int = 0


_REGISTRY: list[Reader] = []
_loaded = False


def register(reader: Reader) -> Reader:
    """Add ``reader`` to the registry (called by each format module at import)."""
    _REGISTRY[:] = [r for r in _REGISTRY if r.name != reader.name] + [reader]
    return reader


def readers() -> list[Reader]:
    """Every registered reader (importing the format modules of this package once)."""
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return sorted(_REGISTRY, key=lambda r: -r.priority)


def pick(path: Path) -> Reader:
    """The reader for ``path`` by suffix and sniff; :class:`ReadProblem` when none fits."""
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if suffix == ".xls":
        raise ReadProblem("unsupported_format", "旧版 .xls 不支持，请另存为 .xlsx / save .xls as .xlsx")
    matching = [r for r in readers() if suffix in r.suffixes]
    for r in matching:
        if r.sniff is None or r.sniff(head):
            return r
    if matching:  # the suffix is known but the content is not that format: the first reader says why
        return matching[0]
    known = sorted({s for r in readers() for s in r.suffixes if s})
    raise ReadProblem("unsupported_format", f"不支持的文件类型 unsupported file type {suffix!r}; "
                      f"use one of {', '.join(known)}")


def read_chunks(path: str | Path, sheet: str | None = None, limits: Limits | None = None) -> Iterator[RawTable]:
    """Chunks of ``path`` as :class:`RawTable` (checks the file exists, its size and sheet option)."""
    p = Path(path)
    if not p.is_file():
        raise ImportFileError(f"找不到文件 no such file: {p}")
    limits = limits or default_limits()
    size = p.stat().st_size
    if size > limits.max_bytes:
        raise ReadProblem("too_large", f"文件过大 file too large: {size:,} bytes > max_bytes {limits.max_bytes:,}; "
                          "raise with RBCITY_IMPORT_MAX_BYTES if the file is genuine")
    reader = pick(p)
    if sheet is not None and not reader.has_sheets:
        raise ReadProblem("wrong_sheet", f"{p.suffix or 'this'} 文件没有工作表 file has no sheets; got --sheet {sheet!r}")
    n = 0
    for chunk in reader.read(p, sheet=sheet, limits=limits):
        if chunk.frame.shape[1] == 0:
            raise ReadProblem("empty_file", "没有列 no columns")
        n += len(chunk.frame)
        yield chunk
    if n == 0:
        raise ReadProblem("empty_file", "只有表头、没有数据行 header only, no data rows")


def read_table(path: str | Path, sheet: str | None = None, limits: Limits | None = None) -> RawTable:
    """The whole of ``path`` as one :class:`RawTable` (small files, tests, bundled sources)."""
    chunks = list(read_chunks(path, sheet, limits))
    first = chunks[0]
    if len(chunks) == 1:
        return first
    return RawTable(pd.concat([c.frame for c in chunks], ignore_index=True),
                    pd.concat([c.rows for c in chunks], ignore_index=True), first.file, first.sheet,
                    first.encoding, first.columns)
