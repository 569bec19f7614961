"""Stata ``.dta`` and SPSS ``.sav`` panels (pyreadstat): wide, one row per city-year (issue 13).

The year variable is found by name (``year``, ``年份`` …) or label (``年份``); the city by name
or label (code before name; ``unit_id`` kept as rbcity's own id). Every other variable is mapped
from its variable label first, then its name — Chinese names with the unit glued on
(``地区生产总值万元``) included (:func:`~rbcity.data.ingest.colmap.map_column`). Numeric codes
read as floats (``140200.0``) are turned back into code text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from rbcity.data.ingest.colmap import map_column
from rbcity.data.ingest.limits import Limits
from rbcity.data.ingest.readers import Reader, register
from rbcity.data.ingest.table import (
    CITY_CODE_COLUMNS,
    CITY_NAME_COLUMNS,
    ColumnInfo,
    RawTable,
    ReadProblem,
)

YEAR_NAMES = ("year", "年份", "年度", "年", "统计年度", "sgnyea")


def _role(name: str, label: str) -> str | None:
    for text in (name, label):
        t = str(text or "").strip().lower()
        if t in YEAR_NAMES:
            return "year"
        if t in CITY_CODE_COLUMNS or t in ("城市代码", "行政区划代码", "ctnm_id"):
            return "code"
        if t in CITY_NAME_COLUMNS or t in ("城市名称", "城市名", "ctnm"):
            return "city"
    return None


def _text(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read(path: Path, *, sheet: str | None = None, limits: Limits) -> Iterator[RawTable]:
    import pyreadstat

    kind = "stata" if path.suffix.lower() == ".dta" else "spss"
    try:
        df, meta = (pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav)(str(path))
    except Exception as exc:  # pyreadstat raises ReadstatError, PyreadstatError, OSError …
        raise ReadProblem("broken_file", f"{kind.upper()} 文件无法读取 cannot read {path.name}: {exc}") from exc
    if len(df) > limits.max_rows or df.size > limits.max_cells:
        raise ReadProblem("too_large", f"{path.name}: {len(df):,} rows × {df.shape[1]} variables over the import limits")
    labels = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names), strict=True))
    rename, infos = {}, []
    for c in df.columns:
        role = _role(c, labels.get(c) or "")
        if role and role not in rename.values():
            rename[c] = "unit_id" if role == "code" and str(c).lower() == "unit_id" else role
            df[c] = df[c].map(_text)
            infos.append(ColumnInfo(rename[c], labels.get(c)))
        else:
            infos.append(map_column(str(c), labels.get(c) or None))
    if "year" not in rename.values() or not ({"code", "city", "unit_id"} & set(rename.values())):
        raise ReadProblem("bad_layout", f"{path.name}: 找不到年份或城市变量 no year or city variable "
                          "(name or label 年份/year and 城市/城市代码/city/code)")
    df = df.rename(columns=rename)
    rows = pd.Series(range(1, len(df) + 1), index=df.index)  # observation number as Stata shows it
    yield RawTable(df, rows, str(path), "", "", infos, fmt=kind,
                   notes=[f"{len(df)} 条观测 observations, {len(meta.column_names)} 个变量 variables"])


register(Reader("stata", (".dta",), read))
register(Reader("spss", (".sav", ".zsav"), read))
