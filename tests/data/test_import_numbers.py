"""Issue 11, numbers: separators, booleans, precision after conversion, float32, duplicates in
convertible units — asserted on STORED values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from import_helpers import put, stored

from rbcity.data.importer import import_file

HEAD = "city,year,indicator,value,unit\n"


def test_thousands_separator_only_in_valid_positions(engine, tmp_path):
    p = put(tmp_path, "t.csv", HEAD + '鹤岗市,2010,gdp,"1,2",万元\n鹤岗市,2011,gdp,"1,234,567",万元\n'
                                      '鹤岗市,2012,gdp,"12,34",万元\n鹤岗市,2013,gdp,"1,234.5",万元\n')
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("230400", 2011, "gdp"): 1234567.0, ("230400", 2013, "gdp"): 1234.5}
    assert [(r.row, r.reason_code) for r in rep.rejects] == [(2, "not_a_number"), (4, "not_a_number")]


def test_unit_conversion_keeps_the_stated_precision(engine, tmp_path):
    p = put(tmp_path, "c.csv", HEAD + "鹤岗市,2010,gdp,1052.86,亿元\n鹤岗市,2011,gdp,0.0001,亿元\n"
                                      "鹤岗市,2012,tertiary_share,0.552,ratio\n")
    import_file(engine, p)
    got = stored(engine, unit_id="230400")
    assert got[("230400", 2010, "gdp")] == 10528600.0  # not 10528599.999999998
    assert got[("230400", 2011, "gdp")] == 1.0
    assert got[("230400", 2012, "tertiary_share")] == 55.2


def test_equal_values_in_convertible_units_are_one_value(engine, tmp_path):
    p = put(tmp_path, "d.csv", HEAD + "鹤岗市,2010,gdp,1052.86,亿元\n鹤岗市,2010,gdp,10528600,万元\n"
                                      "鹤岗市,2011,gdp,1,亿元\n鹤岗市,2011,gdp,10001,万元\n")
    rep = import_file(engine, p)
    assert stored(engine, ind="gdp") == {("230400", 2010, "gdp"): 10528600.0}
    assert rep.n_duplicate == 1
    assert [(r.row, r.reason_code) for r in rep.rejects] == [(4, "duplicate_conflict"), (5, "duplicate_conflict")]


def test_parquet_bools_are_not_numbers_and_float32_noise_is_gone(engine, tmp_path):
    df = pd.DataFrame({"city": ["鹤岗市", "大庆市"], "year": [2010, 2010],
                       "tertiary_share[%]": np.array([55.2, 41.3], dtype=np.float32),
                       "urban_population_share[%]": [True, False]})
    p = tmp_path / "b.parquet"
    df.to_parquet(p)
    assert float(np.float32(55.2)) != 55.2  # the noise this test is about
    rep = import_file(engine, p)
    assert stored(engine, ind="tertiary_share") == {("230400", 2010, "tertiary_share"): 55.2,
                                                    ("230600", 2010, "tertiary_share"): 41.3}
    assert stored(engine, ind="urban_population_share") == {}
    assert rep.reasons() == {"not_a_number": 2}


def test_xlsx_export_over_the_sheet_limit_is_a_clear_error(engine, tmp_path, monkeypatch):
    import pytest

    import rbcity.data.export as ex
    from rbcity.errors import UserError

    import_file(engine, put(tmp_path, "a.csv", HEAD + "鹤岗市,2010,gdp,1,万元\n鹤岗市,2011,gdp,2,万元\n"))
    monkeypatch.setattr(ex, "XLSX_MAX_ROWS", 2)  # the rule, at a size a test can build
    with pytest.raises(UserError, match="XLSX"):
        ex.export_panel(engine, tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()
    assert ex.export_panel(engine, tmp_path / "o.csv")["rows"] == 2


def test_bulk_arrow_path_decides_every_cell_as_the_general_rules_do():
    """CSV text arrives as Arrow strings; plain numbers are converted in bulk (numbers._SIMPLE).
    On the same cells the bulk path and the cell-by-cell rules must agree on value, decimals,
    percent, formula, bool and blank — the edge cases included."""
    import numpy as np
    import pandas as pd

    from rbcity.data.ingest import numbers

    cells = ["1", "1.", "1.250", ".5", "-2.5e3", "1E2", "1e400", " 7 ", "\t8\n", "1,234.5", "1,2", "55.2%",
             "=A1", "true", "FALSE", "", "—", "abc", "０", "1 000", "12\u3000", None, "+3", "٣", "1_000",
             "0x10", "nan", "inf", "-0", "00.10", "1..2", "+-1", "3.", "e5", "1e", "1052.86"]
    arrow = pd.Series(cells, dtype="str")
    plain = numbers.simple(arrow)
    assert plain is not None and plain.sum() == 14  # the plain decimals above, and only those
    assert numbers.simple(arrow.astype(object)) is None  # not Arrow text: general path only
    fast, slow = numbers.parse(arrow, plain), numbers.parse(arrow.astype(object))
    pd.testing.assert_frame_equal(fast.astype(float), slow.astype(float))
    assert numbers.blank(arrow, plain).tolist() == numbers.blank(arrow.astype(object)).tolist()
    assert fast["value"].iloc[2] == 1.25 and fast["decimals"].iloc[2] == 3  # as written
    assert np.isnan(fast["value"].iloc[6]) and np.isnan(fast["decimals"].iloc[4])  # overflow; exponent
