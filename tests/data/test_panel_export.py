"""Reading the panel back (long, wide, filters, data revision) and exporting it for Stata/R."""

from __future__ import annotations

import pandas as pd
import pytest

from rbcity.data.export import ExportError, export_panel
from rbcity.data.importer import import_file
from rbcity.data.panel import LONG_COLUMNS, data_revision, load_panel, to_wide

CSV = ("city,year,indicator,value,unit,source\n"
       "鹤岗市,2010,gdp,2000000,万元,年鉴A\n"
       "鹤岗市,2011,gdp,250,亿元,年鉴A\n"
       "鹤岗市,2010,population,108.5,万人,年鉴A\n"
       "石家庄市,2010,gdp,3000000,万元,年鉴B\n"  # not a resource-based city: a control unit
       "九台,2010,population,850000,人,年鉴A\n")


@pytest.fixture
def loaded(engine, tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(CSV, encoding="utf-8")
    rep = import_file(engine, p)
    assert rep.n_new == 5
    return engine


def test_long_panel_filters_and_units(loaded):
    df = load_panel(loaded)
    assert list(df.columns) == LONG_COLUMNS and len(df) == 5
    g = df.set_index(["unit_id", "year", "indicator_id"])
    assert g.at[("230400", 2011, "gdp"), "value"] == 2500000.0  # 250 亿元 → 万元
    assert g.at[("220181", 2010, "population"), "value"] == 85.0  # 850000 人 → 万人
    assert g.at[("230400", 2010, "gdp"), "source"] == "年鉴A" and g.at[("230400", 2010, "gdp"), "unit"] == "万元"
    assert set(load_panel(loaded, registry_only=True)["unit_id"]) == {"230400", "220181"}
    assert len(load_panel(loaded, indicators="gdp", years=[2010])) == 2
    assert len(load_panel(loaded, units=["230400"])) == 3
    assert load_panel(loaded, indicators=["fdi"]).empty


def test_wide_and_data_revision(loaded, engine):
    w = to_wide(load_panel(loaded))
    assert w.index.names == ["unit_id", "year"]
    assert list(w.columns) == ["gdp", "population"]
    assert w.loc[("230400", 2010), "population"] == 108.5 and pd.isna(w.loc[("230400", 2011), "population"])
    assert data_revision(loaded) >= 1


def test_data_revision_empty(engine):
    assert data_revision(engine) == 0
    assert to_wide(load_panel(engine)).empty


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_long_roundtrip(loaded, tmp_path, fmt):
    out = tmp_path / f"panel.{fmt}"
    res = export_panel(loaded, out, layout="long")
    assert res["rows"] == 5
    back = {"csv": lambda p: pd.read_csv(p, dtype={"unit_id": str}), "xlsx": lambda p: pd.read_excel(p, dtype={"unit_id": str}),
            "parquet": pd.read_parquet}[fmt](out)
    assert {"unit_id", "year", "indicator_id", "value", "unit", "source", "name"} <= set(back.columns)
    assert back.loc[(back["unit_id"] == "230400") & (back["year"] == 2011), "value"].iloc[0] == 2500000.0
    rep = import_file(loaded, out)  # the long export is a valid import file: nothing changes
    assert rep.n_accepted == 5 and rep.n_new == rep.n_revised == 0


def test_export_wide_with_codebook(loaded, tmp_path):
    res = export_panel(loaded, tmp_path / "w.csv", layout="wide", registry_only=True)
    w = pd.read_csv(tmp_path / "w.csv", dtype={"unit_id": str})
    assert res["rows"] == len(w) == 3
    assert {"gdp[万元]", "population[万人]", "year", "name"} <= set(w.columns)
    cb = pd.read_csv(tmp_path / "w_codebook.csv")
    assert set(cb["indicator_id"]) == {"gdp", "population"}
    assert cb.set_index("indicator_id").at["gdp", "unit"] == "万元"
    export_panel(loaded, tmp_path / "w.xlsx", layout="wide")
    assert set(pd.ExcelFile(tmp_path / "w.xlsx").sheet_names) == {"panel", "codebook"}


def test_export_errors(loaded, tmp_path):
    with pytest.raises(ExportError):
        export_panel(loaded, tmp_path / "x.doc")
    with pytest.raises(ExportError):
        export_panel(loaded, tmp_path / "x.csv", layout="tall")
    with pytest.raises(ExportError):
        export_panel(loaded, tmp_path / "x.csv", indicators=["nope"])


def test_group_means_by_hand():
    import pandas as pd

    from rbcity.data.panel import group_means

    df = pd.DataFrame({"unit_id": ["a", "b", "c", "a", "b"], "year": [2010, 2010, 2010, 2011, 2011],
                       "indicator_id": ["x", "x", "x", "x", "y"], "value": [1.0, 3.0, 100.0, 5.0, 7.0]})
    m = group_means(df, "x", ["a", "b"])
    assert m.loc[2010, "mean"] == 2.0 and m.loc[2010, "count"] == 2
    assert m.loc[2011, "mean"] == 5.0 and m.loc[2011, "count"] == 1  # b's 2011 value is another indicator
    assert list(m.index) == [2010, 2011]
    assert group_means(df, "x", ["zz"]).empty  # no data → no rows, not zeros
