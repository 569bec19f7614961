"""Issue 11, revisions: an older file never silently overrides a newer revision; exports round-trip."""

from __future__ import annotations

import pandas as pd
import pytest
from import_helpers import n_rows, put, stored

from rbcity.data import schema as s
from rbcity.data.audit import history
from rbcity.data.export import export_panel
from rbcity.data.importer import import_file

HEAD = "city,year,indicator,value,unit\n"


def test_reimporting_an_older_file_keeps_the_newer_revision_and_says_so(engine, tmp_path):
    a = put(tmp_path, "a.csv", HEAD + "鹤岗市,2010,gdp,100,万元\n鹤岗市,2011,gdp,110,万元\n")
    b = put(tmp_path, "b.csv", HEAD + "鹤岗市,2010,gdp,200,万元\n")
    assert import_file(engine, a).n_new == 2
    assert import_file(engine, b).n_revised == 1
    rep = import_file(engine, a)
    assert stored(engine, ind="gdp") == {("230400", 2010, "gdp"): 200.0, ("230400", 2011, "gdp"): 110.0}
    assert rep.status == "no-op" and rep.n_kept_newer == 1
    (r,) = rep.rejects
    assert (r.row, r.reason_code) == (2, "newer_revision_kept") and "--restore-older" in r.reason
    with engine.connect() as c:  # the conflict is recorded with the batch
        codes = [x for (x,) in c.execute(s.rejected_row.select().with_only_columns(s.rejected_row.c.reason_code)
                                          .where(s.rejected_row.c.batch_id == rep.batch_id))]
    assert codes == ["newer_revision_kept"]


def test_restore_older_restores_the_old_value_as_a_new_revision(engine, tmp_path):
    a = put(tmp_path, "a.csv", HEAD + "鹤岗市,2010,gdp,100,万元\n")
    b = put(tmp_path, "b.csv", HEAD + "鹤岗市,2010,gdp,200,万元\n")
    import_file(engine, a)
    import_file(engine, b)
    rep = import_file(engine, a, restore_older=True)
    assert (rep.status, rep.n_revised, rep.n_kept_newer) == ("committed", 1, 0)
    assert stored(engine, ind="gdp") == {("230400", 2010, "gdp"): 100.0}
    assert list(history(engine, "230400", "gdp")["value"]) == [100.0, 200.0, 100.0]


def test_a_new_file_still_revises(engine, tmp_path):
    import_file(engine, put(tmp_path, "a.csv", HEAD + "鹤岗市,2010,gdp,100,万元\n"))
    import_file(engine, put(tmp_path, "b.csv", HEAD + "鹤岗市,2010,gdp,200,万元\n"))
    rep = import_file(engine, put(tmp_path, "c.csv", HEAD + "鹤岗市,2010,gdp,100.0,万元\n"))
    assert (rep.status, rep.n_revised) == ("committed", 1)
    assert stored(engine, ind="gdp") == {("230400", 2010, "gdp"): 100.0}


def _seed(engine, tmp_path):
    p = put(tmp_path, "seed.csv", HEAD + "鹤岗市,2010,gdp,1052.86,亿元\n鹤岗市,2011,population,105.5,万人\n"
                                         "巢湖市,2015,gdp,3,万元\n巢湖市,2008,gdp,4,万元\n340181,2010,gdp,5,万元\n"
                                         "莱芜市,2018,tertiary_share,41.2,%\n")
    rep = import_file(engine, p)
    assert rep.rejects == [] and rep.n_new == 6
    return stored(engine)


@pytest.mark.parametrize("layout,fmt", [("long", "csv"), ("long", "xlsx"), ("long", "parquet"),
                                        ("wide", "csv"), ("wide", "xlsx"), ("wide", "parquet")])
def test_exports_round_trip(engine, store_template, tmp_path, layout, fmt):
    from store_urls import copy_url

    from rbcity.data.store import open_store

    want = _seed(engine, tmp_path)
    out = tmp_path / f"panel.{fmt}"
    export_panel(engine, out, layout=layout)
    e2 = open_store(copy_url(store_template, tmp_path / "fresh.sqlite"))
    rep = import_file(e2, out)
    assert rep.rejects == [], [(r.column, r.reason) for r in rep.rejects[:3]]
    assert stored(e2) == want
    if layout == "wide":
        assert n_rows(e2, s.observation) == 6


def test_wide_csv_export_headers_carry_units(engine, tmp_path):
    _seed(engine, tmp_path)
    export_panel(engine, tmp_path / "w.csv", layout="wide")
    cols = list(pd.read_csv(tmp_path / "w.csv", nrows=0).columns)
    assert cols[:5] == ["unit_id", "name", "province", "level", "in_registry"]
    assert {"gdp[万元]", "population[万人]", "tertiary_share[%]"} <= set(cols)
