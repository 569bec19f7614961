"""The reporting system's data layer: the form workbook, an upload landing as a draft with
rejects per cell, the walk draft → submitted → returned → submitted → accepted → published
with three scoped users, stale versions and scope refusals."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from reporting_fill import fill, row_of
from sqlalchemy import select

from rbcity.data import schema as s
from rbcity.data.reporting import workflow as wf
from rbcity.data.reporting.forms import SHEET, build_workbook
from rbcity.data.reporting.scope import Scope, ScopeRefused

HEGANG, FUXIN = "230400", "210900"
REPORTER = Scope("hg_rep", "reporter", HEGANG, "")
PROVINCE = Scope("hlj_rev", "province_reviewer", "", "黑龙江省")
NATION = Scope("nat_rev", "national_reviewer")


def _obs(engine, unit, year, ind):
    o = s.observation.c
    with engine.connect() as c:
        return c.execute(select(o.value).where(o.unit_id == unit, o.year == year, o.indicator_id == ind)).scalar()


@pytest.fixture
def stored(engine):
    """鹤岗 2019 already has a GDP of 2,500,000 万元 in the store (so it is pre-filled and locked)."""
    import pandas as pd

    from rbcity.data.importer import import_frame
    from rbcity.data.reader import RawTable

    frame = pd.DataFrame({"unit_id": [HEGANG], "year": ["2019"], "indicator": ["gdp"], "value": ["2500000"],
                          "unit": ["万元"]}, dtype=object)
    rep = import_frame(engine, RawTable(frame, pd.Series([2]), "seed.csv", ""), source="seed")
    assert rep.n_new == 1
    return engine


def test_workbook_prefills_locks_and_validates(stored):
    data = build_workbook(stored, HEGANG, 2019)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    assert ws.protection.sheet is True
    gdp, pc = row_of(data, "gdp"), row_of(data, "gdp_per_capita")
    assert ws[f"H{gdp}"].value == 2500000 and ws[f"H{gdp}"].protection.locked  # stored: locked
    assert ws[f"H{pc}"].value is None and not ws[f"H{pc}"].protection.locked  # to fill: open
    assert ws[f"F{pc}"].value == "元/人"
    ranges = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert ranges[f"H{pc}"] == ("decimal", "0.0", "1000000.0")  # the catalogue's valid range
    assert ranges[f"F{pc}"] == ("list", '"元/人"', None)
    assert f"H{gdp}" not in ranges


def test_upload_lands_as_draft_with_rejects_per_cell(stored):
    blank = build_workbook(stored, HEGANG, 2019)
    fdi, fr = row_of(blank, "fdi"), row_of(blank, "fiscal_revenue")
    filled = fill(blank, {"gdp_per_capita": 41000, "fdi": "abc", "fiscal_revenue": -3},
                  notes={"economy": "煤炭价格回升"}, cells={f"A{row_of(blank, 'retail_sales')}": FUXIN,
                                                     f"H{row_of(blank, 'retail_sales')}": 10})
    out = wf.upload(stored, REPORTER, HEGANG, 2019, filled)
    assert out["status"] == "draft" and out["version"] == 1 and out["n_values"] == 1 and out["n_notes"] == 1
    by_cell = {r["cell"]: r["reason_code"] for r in out["rejects"]}
    assert by_cell == {f"H{fdi}": "not_a_number", f"H{fr}": "out_of_range",
                       f"A{row_of(blank, 'retail_sales')}": "not_this_form"}
    d = wf.detail(stored, REPORTER, HEGANG, 2019)
    assert {(v["item"], v["value"], v["text"]) for v in d["values"]} == {
        ("gdp_per_capita", 41000.0, None), ("note:economy", None, "煤炭价格回升")}
    assert len(d["rejects"]) == 3
    assert _obs(stored, HEGANG, 2019, "gdp_per_capita") is None  # a draft never reaches the engines


def test_walk_draft_returned_resubmitted_accepted_published(stored):
    blank = build_workbook(stored, HEGANG, 2019)
    v = wf.upload(stored, REPORTER, HEGANG, 2019, fill(blank, {"gdp_per_capita": 41000}))["version"]
    v = wf.act(stored, REPORTER, HEGANG, 2019, "submit", version=v)["version"]
    with pytest.raises(ScopeRefused):  # the reporter may not accept its own form
        wf.act(stored, REPORTER, HEGANG, 2019, "accept", version=v)
    v = wf.act(stored, PROVINCE, HEGANG, 2019, "return", version=v, comments={"gdp_per_capita": "与统计公报不符"})["version"]
    assert wf.detail(stored, REPORTER, HEGANG, 2019)["comments"][0]["comment"] == "与统计公报不符"
    v = wf.upload(stored, REPORTER, HEGANG, 2019, fill(blank, {"gdp_per_capita": 42000}), version=v)["version"]
    v = wf.act(stored, REPORTER, HEGANG, 2019, "submit", version=v)["version"]
    v = wf.act(stored, PROVINCE, HEGANG, 2019, "accept", version=v)["version"]
    with pytest.raises(ScopeRefused):  # publication is national
        wf.act(stored, PROVINCE, HEGANG, 2019, "publish", version=v)
    assert _obs(stored, HEGANG, 2019, "gdp_per_capita") is None
    out = wf.act(stored, NATION, HEGANG, 2019, "publish", version=v)
    assert out["status"] == "published" and out["version"] == 7 and out["batch_id"]
    assert _obs(stored, HEGANG, 2019, "gdp_per_capita") == 42000.0
    with stored.connect() as c:
        b = c.execute(select(s.import_batch).where(s.import_batch.c.id == out["batch_id"])).mappings().one()
    assert b["n_new"] == 1 and b["user"] == "nat_rev" and "reporting form" in b["source"]


def test_stale_version_and_wrong_state(stored):
    blank = build_workbook(stored, HEGANG, 2019)
    v = wf.upload(stored, REPORTER, HEGANG, 2019, fill(blank, {"gdp_per_capita": 41000}))["version"]
    v2 = wf.act(stored, REPORTER, HEGANG, 2019, "submit", version=v)["version"]
    with pytest.raises(wf.StaleForm):  # a second reviewer acting on what they saw before
        wf.act(stored, PROVINCE, HEGANG, 2019, "accept", version=v)
    wf.act(stored, PROVINCE, HEGANG, 2019, "accept", version=v2)
    with pytest.raises(wf.WrongState):
        wf.act(stored, REPORTER, HEGANG, 2019, "submit", version=v2 + 1)


def test_scope_refusals(stored):
    other = Scope("fx_rep", "reporter", FUXIN, "")
    liaoning = Scope("ln_rev", "province_reviewer", "", "辽宁省")
    wf.upload(stored, REPORTER, HEGANG, 2019, fill(build_workbook(stored, HEGANG, 2019), {"gdp_per_capita": 1}))
    with pytest.raises(ScopeRefused):
        wf.detail(stored, other, HEGANG, 2019)  # 阜新's reporter cannot read 鹤岗's draft
    with pytest.raises(ScopeRefused):
        wf.upload(stored, other, HEGANG, 2019, build_workbook(stored, HEGANG, 2019))
    with pytest.raises(ScopeRefused):
        wf.detail(stored, liaoning, HEGANG, 2019)
    assert wf.detail(stored, PROVINCE, HEGANG, 2019)["status"] == "draft"
    assert wf.dashboard(stored, liaoning, 2019)["province"].unique().tolist() == ["辽宁省"]


def test_dashboard_counts_and_overdue(stored):
    from datetime import date

    wf.upload(stored, REPORTER, HEGANG, 2019, fill(build_workbook(stored, HEGANG, 2019), {"gdp_per_capita": 1}))
    df = wf.dashboard(stored, PROVINCE, 2019, today=date(2020, 4, 1))  # past the 31 March deadline
    assert wf.deadline(2019) == date(2020, 3, 31)
    row = df.set_index("unit_id").loc[HEGANG]
    assert row["status"] == "draft" and bool(row["overdue"])
    prov = wf.dashboard_by_province(df).set_index("province").loc["黑龙江省"]
    assert prov["cities"] == len(df) and prov["draft"] == 1 and prov["missing"] == len(df) - 1
    assert prov["overdue"] == len(df)
    assert not wf.dashboard(stored, PROVINCE, 2019, today=date(2020, 3, 1))["overdue"].any()
