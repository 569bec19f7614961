"""Integer keys for (unit, year, indicator): how millions of values are matched without Python strings.

The key columns stay categorical; with their categories in sorted order the integer codes sort
as the text does, so one int64 per value orders as the store's primary key
(``unit_id, year, indicator_id``). Duplicates in a file, the stored values a file revises and
the write order are all found by sorting or searching these int64 keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def sorted_categorical(col: pd.Series) -> pd.Categorical:
    """``col`` as a categorical with its (used) categories in sorted order."""
    c = col.array if isinstance(col.dtype, pd.CategoricalDtype) else pd.Categorical(col.astype(str))
    c = c.remove_unused_categories()
    return c.reorder_categories(sorted(c.categories))


def keys(unit_codes, years, ind_codes, n_ind: int) -> np.ndarray:
    """One int64 per (unit code, year, indicator code); ordered as the primary key when the
    codes come from :func:`sorted_categorical` (years are below 10,000)."""
    return ((np.asarray(unit_codes, np.int64) * 10_000 + np.asarray(years, np.int64)) * max(n_ind, 1)
            + np.asarray(ind_codes, np.int64))


def frame_keys(frame: pd.DataFrame) -> np.ndarray:
    """The int64 keys of a frame whose ``unit_id``/``indicator_id`` are categorical (codes of
    its own categories: comparable within this frame; sorted order only if the categories are)."""
    ind = frame["indicator_id"].cat
    return keys(frame["unit_id"].cat.codes, frame["year"], ind.codes, len(ind.categories))


def repeated(key: np.ndarray) -> np.ndarray:
    """True for every element whose key occurs more than once (by sorting: ~2 int64 arrays of
    memory, no hash table)."""
    if len(key) < 2:
        return np.zeros(len(key), bool)
    s = np.sort(key)
    twice = s[1:][s[1:] == s[:-1]]
    if not len(twice):
        return np.zeros(len(key), bool)
    return np.isin(key, np.unique(twice))
