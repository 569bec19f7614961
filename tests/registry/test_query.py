import pytest

from rbcity.registry.load import load_registry
from rbcity.registry.query import FilterError, filter_cities


def test_filters():
    reg = load_registry()
    assert len(filter_cities(reg, type_="衰退型")) == 67
    assert len(filter_cities(reg, type_="declining", level="市辖区")) == 16
    assert len(filter_cities(reg, province="云南")) == 17
    assert len(filter_cities(reg, province="Henan")) == 15
    assert len(filter_cities(reg, exhausted="yes")) == 69
    assert len(filter_cities(reg, exhausted="2009")) == 32
    assert len(filter_cities(reg, exhausted="no")) == 193
    assert list(filter_cities(reg, search="九台")["name"]) == ["九台市"]


@pytest.mark.parametrize("kw", [{"type_": "衰落型"}, {"level": "乡"}, {"province": "火星"}, {"exhausted": "2010"}])
def test_bad_filter_values(kw):
    with pytest.raises(FilterError):
        filter_cities(load_registry(), **kw)
