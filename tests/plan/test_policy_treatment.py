"""Treatment builder on a small hand-made registry (county-level choice, batches → cohorts)."""

import pandas as pd
import pytest

from rbcity.plan.policy.treatment import assign_cohorts, build_treatment


@pytest.fixture
def registry():
    rows = [
        # unit_id, name, province, level, parent_id, type, batch, grade
        ("210900", "阜新市", "辽宁省", "prefecture", "", "declining", 2008, "C"),
        ("370400", "枣庄市", "山东省", "prefecture", "", "declining", 2009, "A"),
        ("620981", "玉门市", "甘肃省", "county_city", "620900", "declining", 2009, "A"),
        ("130700", "张家口市", "河北省", "prefecture", "", "mature", None, "A"),
        ("130706", "下花园区", "河北省", "district", "130700", "declining", 2009, "C"),
        ("429005", "潜江市", "湖北省", "county_city", "", "declining", 2009, "A"),
        ("", "万盛经济开发区", "重庆市", "district", "", "declining", 2009, "C"),
        ("360723", "大余县", "江西省", "county", "360700", "declining", 2011, "C"),
        ("360700", "赣州市", "江西省", "prefecture", "", "mature", None, "A"),
    ]
    cols = ["unit_id", "name", "province", "level", "parent_id", "type_2013", "exhausted_batch", "verification"]
    df = pd.DataFrame(rows, columns=cols)
    df["exhausted_batch"] = pd.array(df["exhausted_batch"], dtype="Int64")
    return df


def _cohorts(tr):
    return dict(zip(tr.units["unit_id"], tr.units["cohort"].astype(int), strict=True))


def test_exhausted_drop(registry):
    tr = build_treatment(registry, "exhausted", "drop")
    assert _cohorts(tr) == {"210900": 2008, "370400": 2009}
    log = tr.log.frame()
    dropped = set(log.loc[log["stage"] == "treatment", "name"])
    assert dropped == {"玉门市", "下花园区", "潜江市", "万盛经济开发区", "大余县"}
    # parents of dropped treated county-level members stay as controls, flagged
    assert tr.contaminated == {"620900", "130700", "360700"}
    assert tr.exclude == set()
    assert (log.loc[log["stage"] == "control", "reason"].str.contains("kept")).all()


def test_exhausted_drop_contaminated(registry):
    tr = build_treatment(registry, "exhausted", "drop", drop_contaminated_controls=True)
    assert tr.exclude == {"620900", "130700", "360700"}


def test_exhausted_parent(registry):
    tr = build_treatment(registry, "exhausted", "parent")
    assert _cohorts(tr) == {
        "210900": 2008,
        "370400": 2009,
        "620900": 2009,  # 酒泉市 via 玉门市
        "130700": 2009,  # 张家口市 via 下花园区
        "360700": 2011,  # 赣州市 via 大余县
    }
    u = tr.units.set_index("unit_id")
    assert u.loc["620900", "via"] == "parent"
    assert u.loc["130700", "type_2013"] == "declining"  # type of the mapped member
    assert u.loc["360700", "verification"] == "C"
    log = tr.log.frame()
    no_parent = log[log["reason"].str.contains("without parent")]
    assert set(no_parent["name"]) == {"潜江市", "万盛经济开发区"}
    assert tr.contaminated == set()


def test_rbc2013_drop_and_parent(registry):
    tr = build_treatment(registry, "rbc2013", "drop", first_treated_2013=2014)
    assert _cohorts(tr) == {"210900": 2014, "370400": 2014, "130700": 2014, "360700": 2014}
    assert tr.contaminated == {"620900"}
    tr2 = build_treatment(registry, "rbc2013", "parent", first_treated_2013=2013)
    c2 = _cohorts(tr2)
    assert c2["620900"] == 2013 and len(c2) == 5
    u = tr2.units.set_index("unit_id")
    assert u.loc["130700", "type_2013"] == "mature"  # its own type wins over the member's
    assert u.loc["130700", "members"] == "张家口市、下花园区"


def test_min_verification(registry):
    tr = build_treatment(registry, "exhausted", "parent", min_verification="B")
    c = _cohorts(tr)
    assert "210900" not in c and "360700" not in c and "130700" not in c
    assert "210900" in tr.exclude  # low-grade member is not a clean control either


def test_batch_years_override(registry):
    tr = build_treatment(registry, "exhausted", "parent", batch_years={2011: 2012})
    assert _cohorts(tr)["360700"] == 2012 and _cohorts(tr)["210900"] == 2008


def test_assign_cohorts(registry):
    tr = build_treatment(registry, "exhausted", "drop")
    s = assign_cohorts(pd.Series(["210900", "110000", "370400"]), tr)
    assert s.tolist() == [2008, 0, 2009]


def test_bad_arguments(registry):
    with pytest.raises(ValueError):
        build_treatment(registry, "bogus")
    with pytest.raises(ValueError):
        build_treatment(registry, "exhausted", county_choice="merge")
    with pytest.raises(ValueError):
        build_treatment(registry.drop(columns=["parent_id"]))
