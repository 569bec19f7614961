"""The 2013 registry against the plan's published counts (国发〔2013〕45号 规划范围 and the
classification totals) and the resource-exhausted batches (12 + 32 + 25 = 69)."""

from collections import Counter

from rbcity.registry.codes import all_codes, history
from rbcity.registry.load import load_exhausted, load_registry


def test_plan_counts():
    reg = load_registry()
    assert len(reg) == 262 and reg["unit_id"].is_unique
    assert Counter(reg["level"]) == {"prefecture": 126, "county_city": 62, "county": 58, "district": 16}
    assert Counter(reg["type_2013"]) == {"growth": 31, "mature": 141, "declining": 67, "regenerating": 23}


def test_level_by_type_table():
    reg = load_registry()
    got = {lv: [int(((reg.level == lv) & (reg.type_2013 == t)).sum())
                for t in ("growth", "mature", "declining", "regenerating")]
           for lv in ("prefecture", "county_city", "county", "district")}
    assert got == {"prefecture": [20, 66, 24, 16], "county_city": [7, 29, 22, 4],
                   "county": [4, 46, 5, 3], "district": [0, 0, 16, 0]}


def test_every_exhausted_city_in_registry_with_batch():
    reg = load_registry().set_index("name")
    exh = load_exhausted()
    assert Counter(exh["batch_year"]) == {2008: 12, 2009: 32, 2011: 25}
    for r in exh.itertuples():
        assert r.name_in_2013_list in reg.index, r
        assert reg.loc[r.name_in_2013_list, "exhausted_batch"] == r.batch_year
    assert int(load_registry()["exhausted_batch"].notna().sum()) == 69
    declining = set(reg.index[reg["type_2013"] == "declining"])
    assert declining <= set(exh["name_in_2013_list"])


def test_every_2013_code_in_code_history():
    codes = all_codes()
    reg = load_registry()
    with_code = reg[reg["admin_code_2013"] != ""]
    assert len(with_code) == 259  # three zones have no GB/T 2260 code
    for r in with_code.itertuples():
        assert codes[r.admin_code_2013] == r.name, r
        assert r.admin_code_2013 in {e.code for e in history(r.unit_id)}
    for r in reg.itertuples():
        for code in filter(None, r.admin_codes_now.split(";")):
            assert code in codes, (r.name, code)


def test_verification_grades_visible():
    reg = load_registry()
    assert Counter(reg["verification"]) == {"A": 196, "B": 1, "C": 65}
    assert reg.set_index("name").loc["宁乡县", "verification"] == "C"


def test_code_history_of_renamed_and_merged():
    reg = load_registry().set_index("name")
    jt = history(reg.loc["九台市", "unit_id"])
    assert [(e.code, e.name, e.valid_from, e.valid_to) for e in jt] == [
        ("220181", "九台市", None, 2013), ("220113", "九台区", 2014, None)]
    lw = history(reg.loc["莱芜市", "unit_id"])
    assert any(e.code == "370100" and e.name == "济南市" and e.valid_from == 2019 for e in lw)
    assert any("莱芜市" in e.event and "济南市" in e.event for e in lw)  # FIERsity's 2018 event
