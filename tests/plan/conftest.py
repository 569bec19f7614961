"""Fixtures of the plan tests."""

from __future__ import annotations

import pytest
from plan_helpers import make_registry


@pytest.fixture
def registry_small():
    return make_registry([
        ("130200", "prefecture", "mature", "河北省", None, "130200"),
        ("130400", "prefecture", "declining", "河北省", 2009, "130400"),
        ("130521", "county", "growth", "河北省", None, "130521"),
        ("220181", "county_city", "regenerating", "吉林省", 2009, "220113"),
    ])
