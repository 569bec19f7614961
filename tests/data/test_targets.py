"""``rbcity targets import``: official target rows validated like any import."""

from __future__ import annotations

from rbcity.data.catalogue import load_targets, stored_targets
from rbcity.data.targets import import_targets

HEAD = "indicator_id,scope,baseline_year,baseline_value,target_year,target_value,comparator,mode,attribute,source\n"


def test_targets_import_validates_each_row(engine, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(HEAD +
                 "urban_population_share,national,2012,62,2020,63.6,>=,level,预期性,专栏1 (official PDF p.5)\n"
                 "城镇人口比重,national,2012,62,2015,62.6,>=,level,expected,专栏1 (official PDF p.5)\n"
                 "no_such,national,2012,1,2020,2,>=,level,,x\n"
                 "green_coverage,national,2012,30,2020,130,>=,level,,x\n"
                 "gdp,national,2012,1,20x0,2,>=,level,,x\n"
                 "gdp,national,2012,1,2020,abc,>=,level,,x\n"
                 "gdp,national,2012,1,2020,2,=>,level,,x\n"
                 "gdp,national,2012,1,2020,2,>=,sideways,,x\n"
                 "gdp,national,2012,1,2020,2,>=,level,,\n", encoding="utf-8")
    rep = import_targets(engine, p)
    assert rep.status == "committed" and rep.n_new == 2
    got = sorted((r.row, r.reason_code, r.column) for r in rep.rejects)
    assert got == [(4, "unknown_indicator", "indicator_id"), (5, "out_of_range", "target_value"),
                   (6, "bad_year", "target_year"), (7, "not_a_number", "target_value"),
                   (8, "bad_field", "comparator"), (9, "bad_field", "mode"), (10, "bad_field", "source")]
    st = stored_targets(engine)
    imported = st[st["batch_id"] == rep.batch_id].set_index("target_year")
    assert imported.at[2020, "target_value"] == 63.6 and imported.at[2015, "attribute"] == "预期性"
    assert len(st) == len(load_targets()) + 2
    assert import_targets(engine, p).status == "no-op"
    p2 = tmp_path / "t2.csv"
    p2.write_text(HEAD + "urban_population_share,national,2012,62,2020,64,>=,level,预期性,专栏1 (official PDF p.5)\n",
                  encoding="utf-8")
    rep2 = import_targets(engine, p2)
    assert (rep2.n_new, rep2.n_revised) == (0, 1)


def test_targets_missing_columns_is_a_failed_batch(engine, tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("indicator_id,target_value\ngdp,1\n", encoding="utf-8")
    rep = import_targets(engine, p)
    assert rep.status == "failed" and rep.rejects[0].reason_code == "bad_layout"
    assert "target_year" in rep.rejects[0].reason and "source" in rep.rejects[0].reason
