"""Caps on what one import may read, in one place.

A file is refused (a *failed* batch with reason ``too_large``) as soon as a cap is passed;
nothing ever allocates what a file merely *claims* (an XLSX ``<dimension ref="A1:XFD1048576">``
is ignored: cells are counted as they are read). The defaults fit a yearbook panel of every
Chinese county for decades several times over; they are rbcity's engineering choice, not the
plan's. Override per call (``import_file(..., limits=Limits(max_rows=...))``) or with the
environment (``RBCITY_IMPORT_MAX_BYTES``, ``_MAX_CELLS``, ``_MAX_ROWS``, ``_MAX_COLUMNS``,
``_CHUNK_ROWS``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Limits:
    """``max_bytes`` of the file, ``max_cells`` non-empty cells read, ``max_rows`` data rows,
    ``max_columns`` columns, and ``chunk_rows``: rows validated at a time (bounds memory)."""

    max_bytes: int = 2 * 1024**3
    max_cells: int = 100_000_000
    max_rows: int = 20_000_000
    max_columns: int = 2_000
    chunk_rows: int = 250_000

    def with_env(self) -> Limits:
        """These limits with any ``RBCITY_IMPORT_<NAME>`` environment override applied."""
        changes = {}
        for f in fields(self):
            v = os.environ.get(f"RBCITY_IMPORT_{f.name.upper()}")
            if v:
                changes[f.name] = int(v)
        return replace(self, **changes) if changes else self


DEFAULT_LIMITS = Limits()


def default_limits() -> Limits:
    """The defaults with environment overrides (read at call time, so tests can set them)."""
    return DEFAULT_LIMITS.with_env()


class LimitExceeded(Exception):
    """A cap was passed while reading; the message names the cap and how to raise it."""

    def __init__(self, what: str, cap: int, seen: str = ""):
        env = f"RBCITY_IMPORT_{what.upper()}"
        super().__init__(f"文件过大 file too large: {what} > {cap:,}{' (' + seen + ')' if seen else ''}; "
                         f"raise with {env} if the file is genuine")
