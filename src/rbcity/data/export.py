"""``rbcity export``: the panel to CSV, XLSX or Parquet, long or wide, for Stata/R/Excel.

Long (one row per value): ``unit_id, name, province, level, in_registry, year, indicator_id,
value, unit, source, revision`` — re-importable with ``rbcity import``. Wide (one row per
unit-year, one column per indicator id) comes with a codebook (indicator, 中文名, English name,
unit, dimension, sources, years): a second sheet ``codebook`` in XLSX, a ``*_codebook.csv``
file beside CSV/Parquet output; Stata ``.dta`` carries it as variable labels (中文 / English, unit).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.catalogue import load_catalogue
from rbcity.data.coverage import year_ranges
from rbcity.data.panel import load_panel, to_wide
from rbcity.errors import UserError

FORMATS = ("csv", "xlsx", "parquet", "dta")
LAYOUTS = ("long", "wide")


class ExportError(UserError, ValueError):
    """Bad export options (format, layout, filters)."""


def _units(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(s.unit.c.unit_id, s.unit.c.name, s.unit.c.province, s.unit.c.level,
                                  s.unit.c.in_registry), conn)


def codebook(long_df: pd.DataFrame) -> pd.DataFrame:
    cat = load_catalogue()[["indicator_id", "name_zh", "name_en", "unit", "dimension", "direction", "definition"]]
    if long_df.empty:
        return cat.iloc[0:0]
    g = long_df.groupby("indicator_id")
    meta = pd.DataFrame({"sources": g["source"].apply(lambda x: "; ".join(sorted(set(x)))),
                         "years": g["year"].apply(year_ranges), "n_values": g.size()}).reset_index()
    return cat.merge(meta, on="indicator_id", how="inner")


def export_panel(engine: Engine, path, *, layout: str = "long", fmt: str | None = None,
                 indicators=None, years=None, registry_only: bool = False) -> dict:
    """Write the panel to ``path``; returns what was written (``rows``, ``files``)."""
    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".").lower() or "csv")
    fmt = {"pq": "parquet", "xls": "xlsx"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise ExportError(f"无效的格式 invalid format {fmt!r}; allowed: {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise ExportError(f"无效的布局 invalid layout {layout!r}; allowed: {', '.join(LAYOUTS)}")
    if indicators:
        known = set(load_catalogue()["indicator_id"])
        bad = [i for i in indicators if i not in known]
        if bad:
            raise ExportError(f"未知指标 unknown indicator(s): {', '.join(bad)}; 见 see `rbcity indicators`")
    long_df = load_panel(engine, indicators=indicators, years=years, registry_only=registry_only)
    units = _units(engine)
    p.parent.mkdir(parents=True, exist_ok=True)
    files = [str(p)]
    if layout == "long":
        out = long_df.merge(units, on="unit_id", how="left")[
            ["unit_id", "name", "province", "level", "in_registry", "year", "indicator_id", "value", "unit",
             "source", "revision"]]
        _write(out, p, fmt)
        return {"rows": len(out), "files": files}
    wide = to_wide(long_df).reset_index()
    out = units[["unit_id", "name", "province", "level", "in_registry"]].merge(wide, on="unit_id", how="inner")
    out = out.sort_values(["unit_id", "year"]).reset_index(drop=True)
    cb = codebook(long_df)
    if fmt == "dta":
        from rbcity.data.stata_export import write_dta

        write_dta(out, p)
        return {"rows": len(out), "files": files}
    if fmt == "xlsx":
        with pd.ExcelWriter(p) as xw:
            out.to_excel(xw, sheet_name="panel", index=False)
            cb.to_excel(xw, sheet_name="codebook", index=False)
    else:
        _write(out, p, fmt)
        cbp = p.with_name(p.stem + "_codebook.csv")
        cb.to_csv(cbp, index=False, encoding="utf-8-sig")
        files.append(str(cbp))
    return {"rows": len(out), "files": files}


def _write(df: pd.DataFrame, p: Path, fmt: str) -> None:
    if fmt == "dta":
        from rbcity.data.stata_export import write_dta

        write_dta(df, p)
    elif fmt == "csv":
        df.to_csv(p, index=False, encoding="utf-8-sig")  # BOM: Excel opens Chinese text correctly
    elif fmt == "xlsx":
        df.to_excel(p, index=False)
    else:
        df.to_parquet(p, index=False)
