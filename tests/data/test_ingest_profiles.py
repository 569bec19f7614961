"""Saved import mappings (issue 13): --save-profile / --profile, stored in the store (0005)."""

from __future__ import annotations

import pandas as pd
import pytest

from rbcity.data.importer import import_file
from rbcity.data.panel import load_panel
from rbcity.data.profiles import ProfileError, list_profiles, load_profile, save_profile


def test_profile_round_trip_and_replace(engine):
    assert save_profile(engine, "my-yearbook", {"X1": ("地区生产总值", "亿元")}, user="ana") is None
    assert load_profile(engine, "my-yearbook") == {"X1": ("gdp", "亿元")}  # names resolved to ids
    old = save_profile(engine, "my-yearbook", {"X1": ("gdp", "万元")})
    assert old == {"X1": ("gdp", "亿元")}
    assert [p["name"] for p in list_profiles(engine)] == ["my-yearbook"]


def test_profile_rejects_unknown_indicator_and_missing_profile(engine):
    with pytest.raises(ProfileError, match="unknown indicator"):
        save_profile(engine, "bad", {"X": ("no_such_thing", "万元")})
    with pytest.raises(ProfileError, match="no import profile"):
        load_profile(engine, "nope")


def test_profile_applies_on_import(engine, tmp_path):
    save_profile(engine, "odd", {"X1": ("gdp", "亿元")})
    p = tmp_path / "odd.csv"
    pd.DataFrame({"城市": ["大同市"], "年份": [2015], "X1": [1000.0]}).to_csv(p, index=False)
    rep = import_file(engine, p, columns=load_profile(engine, "odd"))
    assert rep.n_accepted == 1 and rep.mapping[0]["matched_by"] == "--map"
    assert load_panel(engine, indicators=["gdp"])["value"].iloc[0] == pytest.approx(1000.0 * 1e4)
