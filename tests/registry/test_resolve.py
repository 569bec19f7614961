"""Resolution by 2013 name, today's name, short name, code of any year and renamed/merged
units — and errors (with candidates) instead of guesses."""

import pytest

from rbcity.registry.resolve import AmbiguousCity, UnknownCity, get_resolver, resolve_city


@pytest.mark.parametrize("query,expected", [
    ("鹤岗", "230400"), ("鹤岗市", "230400"), ("黑龙江省鹤岗市", "230400"),
    ("九台市", "220181"), ("九台", "220181"), ("九台区", "220181"), ("长春市九台区", "220181"),
    ("220181", "220181"), ("220113", "220181"), ("220113000000", "220181"),
    ("香格里拉县", "533421"), ("香格里拉市", "533421"), ("533401", "533421"),
    ("莱芜市", "371200"), ("莱芜", "371200"), ("371200", "371200"),
    ("哈密市", "652201"), ("伊州区", "652201"), ("650502", "652201"),
    ("遵义县", "520321"), ("播州区", "520321"), ("520304", "520321"),
    ("杨家杖子开发区", "X21140"),
])
def test_registry_resolution(query, expected):
    assert resolve_city(query).unit_id == expected


def test_partial_successor_is_not_the_city():
    # 红花岗区 (520302) took only a part of 遵义县; it existed before and is not 遵义县.
    with pytest.raises(UnknownCity):
        resolve_city("520302")


def test_unknown_lists_suggestions():
    with pytest.raises(UnknownCity) as e:
        resolve_city("鹤岗县")
    assert "鹤岗" in str(e.value)


def test_ambiguous_lists_candidates():
    r = get_resolver("all")
    with pytest.raises(AmbiguousCity) as e:
        r.resolve("哈密市")  # 2013 county-level city 652201 and today's prefecture 650500
    ids = {c.unit_id for c in e.value.candidates}
    assert ids == {"652201", "650500"}
    assert r.resolve("哈密市", year=2020, level="prefecture").unit_id == "650500"
    assert r.resolve("哈密市", year=2010).unit_id == "652201"


def test_all_scope_is_year_aware():
    r = get_resolver("all")
    assert r.resolve("襄樊", 2008).unit_id == "420600"
    assert r.resolve("巢湖", 2008, level="prefecture").unit_id == "341400"
    assert r.resolve("巢湖市", 2012).unit_id == "340181"
    assert r.resolve("伊克昭盟", 2000).unit_id == "150600"
    assert r.resolve("毫州市", 2008).unit_id == "341600"  # the yearbook's typo, a FIERsity OCR alias
    assert not r.resolve("济南", 2020).in_registry


def test_all_scope_codes_today_and_municipalities():
    r = get_resolver("all")
    assert r.resolve("220113").unit_id == "220181"  # 九台区 today = the registry's 九台市
    assert r.resolve("533401").unit_id == "533421"
    assert r.resolve("110100").name == "北京市"
    assert r.resolve("500100").unit_id == "500100"
