"""Cell text → numbers, strictly: what is not unambiguously a number is rejected.

- Thousands separators only in valid positions (``1,234,567.5``); ``1,2`` is not 12.
- A trailing ``%`` (an Excel percent-formatted cell, or typed so) is kept as a flag: the value
  is in percent, valid only where the catalogue unit is %.
- A leading ``=`` is a formula without a cached value.
- bool columns (``True``/``False``, Parquet booleans) are never numbers.
- Values are rounded to the precision the source states after unit conversion: a value
  written with *d* decimals and multiplied by 10^k keeps at most *d − k* decimals (1052.86 亿元 →
  10528600 万元 exactly): the float noise of the conversion is removed, the source's digits kept.

Speed: text read from CSV arrives as Arrow strings. Cells that are plainly a decimal number
(``_SIMPLE``: optional sign, digits with at most one point, optional exponent, ASCII blanks
around) — nearly all cells of a real file — are recognised and converted by Arrow's compute
kernels in bulk; every other cell goes through the general rules above, cell by cell, so the
fast path decides nothing the general path would decide differently (``tests/data``
``test_import_numbers.py`` runs both on the same cells).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

BLANKS = {"", "nan", "NaN", "NA", "N/A", "n/a", "null", "NULL", "None", "-", "--", "—", "——", "…",
          "……", "...", "..", "<NA>"}
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
#: a plain decimal number with ASCII blanks around it: what Arrow may convert in bulk
_SIMPLE = r"^[ \t\n\r\f\v]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\f\v]*$"


def _arrow(values: pd.Series) -> pa.Array | None:
    """The Arrow strings behind a text column (``read_csv(dtype=str)``), else None."""
    if isinstance(values.array, pd.arrays.ArrowStringArray):
        return pa.array(values.array)
    return None


def simple(values: pd.Series) -> np.ndarray | None:
    """Where a text column's cells are plainly decimal numbers (``_SIMPLE``); None when the
    column is not Arrow text (then every cell takes the general path)."""
    arr = _arrow(values)
    if arr is None:
        return None
    return pc.fill_null(pc.match_substring_regex(arr, _SIMPLE), False).to_numpy(zero_copy_only=False)


def blank(values: pd.Series, plain: np.ndarray | None = None) -> pd.Series:
    """True where a cell is empty or a yearbook's 'no data' mark. ``plain``: the cells known to
    be plain numbers (:func:`simple`), which are never blank."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.isna()
    if plain is not None and plain.any():
        out = pd.Series(False, index=values.index)
        rest = ~plain
        if rest.any():
            out[rest] = blank(values[rest]).to_numpy()
        return out
    st = values.astype(object)
    return st.isna() | st.astype(str).str.strip().isin(BLANKS)


def parse(values: pd.Series, plain: np.ndarray | None = None) -> pd.DataFrame:
    """``value`` (float, NaN where not a number), ``decimals`` (as written; NaN when unknown),
    ``percent`` (written with %), ``formula`` (an uncached formula), ``is_bool``. ``plain``: the
    cells known to be plain numbers (:func:`simple`), converted in bulk."""
    n = len(values)
    out = pd.DataFrame({"value": np.full(n, np.nan), "decimals": np.full(n, np.nan),
                        "percent": np.zeros(n, bool), "formula": np.zeros(n, bool),
                        "is_bool": np.zeros(n, bool)}, index=values.index)
    if plain is not None and plain.any():
        txt = pc.utf8_trim_whitespace(pa.array(values[plain].array))
        v = pc.cast(txt, pa.float64()).to_numpy(zero_copy_only=False)
        dot = pc.find_substring(txt, ".").to_numpy(zero_copy_only=False).astype(float)
        length = pc.utf8_length(txt).to_numpy(zero_copy_only=False).astype(float)
        dec = np.where(dot >= 0, length - dot - 1, 0.0)
        sci = pc.match_substring_regex(txt, "[eE]").to_numpy(zero_copy_only=False)
        fin = np.isfinite(v)
        out.loc[plain, "value"] = np.where(fin, v, np.nan)
        out.loc[plain, "decimals"] = np.where(fin & ~sci, dec, np.nan)
        rest = ~plain
        if rest.any():
            out.loc[rest] = parse(values[rest]).to_numpy()
        return out
    if pd.api.types.is_bool_dtype(values):
        out["is_bool"] = True
        return out
    if pd.api.types.is_numeric_dtype(values):
        v = values.astype(float)
        out["value"] = v.where(np.isfinite(v))
        return out
    obj = values.astype(object)
    if pd.api.types.infer_dtype(obj, skipna=True) in ("string", "empty"):  # text cells (CSV): no bools
        isbool = pd.Series(False, index=obj.index)
    else:
        isbool = obj.map(lambda x: isinstance(x, bool | np.bool_))
    txt = obj.where(~isbool, None).astype(str).str.strip()
    out["is_bool"] = isbool.to_numpy() | txt.str.lower().isin(["true", "false"]).to_numpy()
    out["formula"] = txt.str.startswith("=").to_numpy()
    pct = txt.str.endswith("%") | txt.str.endswith("％")
    out["percent"] = pct.to_numpy()
    txt = txt.where(~pct, txt.str[:-1].str.strip())
    num = pd.to_numeric(txt, errors="coerce")
    miss = num.isna() & ~out["is_bool"] & ~out["formula"]
    if miss.any():  # thousands separators in valid positions, inner spaces
        t = txt[miss].str.replace(r"[\s\u3000]", "", regex=True).str.replace("，", ",")
        ok = t.str.match(_THOUSANDS)
        num[miss] = pd.to_numeric(t.where(ok).str.replace(",", ""), errors="coerce")
        txt = txt.copy()
        txt[miss] = t.str.replace(",", "")
    num = num.astype(float)
    num[out["is_bool"].to_numpy()] = np.nan
    out["value"] = num.where(np.isfinite(num))
    # decimals as written: the digits after the point (0 without one) of every parsed number
    dot = txt.str.find(".").to_numpy(dtype=float)
    dec = np.where(dot >= 0, txt.str.len().to_numpy(dtype=float) - dot - 1, 0.0)
    out["decimals"] = np.where(out["value"].notna().to_numpy(), dec, np.nan)
    sci = txt.str.contains(r"[eE]", regex=True)
    out.loc[sci.to_numpy(), "decimals"] = np.nan
    return out


def round_to_source(values: pd.Series, decimals: pd.Series, fac: pd.Series) -> pd.Series:
    """Round converted ``values`` to the precision the source stated (see module docstring)."""
    v = values.astype(float).to_numpy(copy=True)
    d = decimals.to_numpy(dtype=float)
    f = fac.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(np.isfinite(f) & (f > 0), np.round(np.log10(f)), 0.0)
        keep = np.where(np.isfinite(d), np.clip(d - shift, 0, 15), np.nan)
    ok = np.isfinite(keep) & np.isfinite(v)
    for k in np.unique(keep[ok]).astype(int):
        m = ok & (keep == k)
        v[m] = np.round(v[m], k)
    return pd.Series(v, index=values.index)
