"""Close-match suggestions of unknown cities: the memoised, character-filtered
``Resolver.close_matches`` returns exactly what ``difflib.get_close_matches`` over every key
returns (second implementation), and a bulk import's unknown code + unknown name message still
carries both keys' suggestions after they were deferred."""

import difflib

import pytest

from rbcity.data.ingest.cities import CityResolver
from rbcity.registry.resolve import UnknownCity, get_resolver


@pytest.fixture(scope="module")
def resolver():
    return get_resolver("all")


QUERIES = ["130199", "999999", "北京", "唐山市区", "张家口县", "大庆", "xyz", "",
           "鄂尔多斯", "1301", "攀枝花市x", "Baotou"]


@pytest.mark.parametrize("q", QUERIES)
def test_close_matches_equal_difflib_over_every_key(resolver, q):
    want = difflib.get_close_matches(q, list(resolver._keys), n=5, cutoff=0.6)
    assert resolver.close_matches(q) == want
    assert resolver.close_matches(q) == want  # memoised: same list again


def test_suggestions_found_for_a_near_miss(resolver):
    # 唐山市区 is not a key; 唐山市 is (ratio 2*3/7 = 0.857)
    assert "唐山市" in resolver.close_matches("唐山市区")
    with pytest.raises(UnknownCity) as e:
        resolver.resolve("唐山市区")
    assert "唐山市" in e.value.suggestions and "相近 close" in str(e.value)


def test_deferred_messages_keep_both_suggestions(resolver):
    cr = CityResolver({"130200": ("唐山市", "河北省", "prefecture")}, level=None, by_id=False)
    uid, reason, msg = cr._resolve("999999", "唐山市区", None, None, 2010)
    assert uid is None and reason == "unknown_city"
    want = "; ".join(str(UnknownCity(q, difflib.get_close_matches(q, list(resolver._keys),
                                                                  n=5, cutoff=0.6)))
                     for q in ("999999", "唐山市区"))
    assert msg == want
    # an unknown code with a known name resolves by the name, no suggestions needed
    assert cr._resolve("999999", "唐山市", None, None, 2010)[0] == "130200"
