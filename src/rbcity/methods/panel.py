"""Thin converters between the wide pandas panel and the ``(T, m, n)`` numpy array.

Wide panel: a DataFrame with a ``(unit, year)`` MultiIndex (level order as given) and one column
per indicator; NaN = missing.  Array: ``X[t, i, j]`` = year t, unit i, indicator j.  Missing
(unit, year) rows of the DataFrame become all-NaN rows of the array.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["panel_to_array", "array_to_panel"]


def panel_to_array(df: pd.DataFrame, indicators=None, *, unit_level=0, year_level=1):
    """Wide ``(unit, year)`` DataFrame → ``(X, years, units, indicators)``.

    ``units`` and ``years`` are the sorted unique index values; ``indicators`` defaults to the
    columns in their order.  Duplicate (unit, year) rows raise ``ValueError``.
    """
    if not isinstance(df.index, pd.MultiIndex) or df.index.nlevels != 2:
        raise ValueError("expected a DataFrame indexed by a (unit, year) MultiIndex")
    if df.index.has_duplicates:
        raise ValueError("duplicate (unit, year) rows")
    cols = list(df.columns) if indicators is None else list(indicators)
    u = df.index.get_level_values(unit_level)
    y = df.index.get_level_values(year_level)
    units = np.array(sorted(pd.unique(u)), dtype=object)
    years = np.array(sorted(pd.unique(y)))
    iu = pd.Index(units).get_indexer(u)
    iy = pd.Index(years).get_indexer(y)
    X = np.full((len(years), len(units), len(cols)), np.nan)
    X[iy, iu, :] = df[cols].to_numpy(dtype=float)
    return X, years, units, cols


def array_to_panel(A, years, units, indicators=None, *, names=("unit", "year"), name=None):
    """``(T, m, n)`` → wide DataFrame, or ``(T, m)`` → Series, indexed by (unit, year)."""
    A = np.asarray(A)
    T, m = len(years), len(units)
    idx = pd.MultiIndex.from_product([list(units), list(years)], names=list(names))
    if A.ndim == 2:
        if A.shape != (T, m):
            raise ValueError(f"expected shape {(T, m)}")
        return pd.Series(A.T.reshape(-1), index=idx, name=name)
    if A.ndim == 3:
        n = A.shape[2]
        cols = list(indicators) if indicators is not None else list(range(n))
        return pd.DataFrame(A.transpose(1, 0, 2).reshape(m * T, n), index=idx, columns=cols)
    raise ValueError("expected a (T, m) or (T, m, n) array")
