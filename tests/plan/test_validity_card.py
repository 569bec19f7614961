"""The validity-card contract (plan/validity.py)."""

import pytest

from rbcity.plan.validity import (
    ValidityCard,
    card_of,
    decision_wording_allowed,
    verdict_by_rules,
    verdict_label,
)


def _card(verdict="not_valid", figure=0.389, baseline=0.540):
    return ValidityCard(
        engine="classify", verdict=verdict,
        checked_against=("2013年官方类型，5折交叉验证", "2013 official types, 5-fold CV"),
        metric=("准确率", "accuracy"), figure=figure, baseline=baseline,
        baseline_name=("多数类（全部成熟型）", "majority class (all mature)"), n=254,
        text=("类型仅供参考", "types are indicative only"), details={"unit": "share"})


def test_round_trip_through_dict_and_run_row():
    c = _card()
    d = c.to_dict()
    assert d["checked_against"] == ["2013年官方类型，5折交叉验证", "2013 official types, 5-fold CV"]
    back = ValidityCard.from_dict(d)
    assert back == c
    assert card_of({"id": 3, "summary": {"validity": d}}) == c
    assert card_of({"summary": {}}) is None and card_of(None) is None


def test_decision_wording_only_for_valid_cards():
    assert not decision_wording_allowed(_card("not_valid"))
    assert not decision_wording_allowed(_card("indicative"))
    assert decision_wording_allowed(_card("valid", 0.7, 0.54))
    assert decision_wording_allowed(_card("valid", 0.7, 0.54).to_dict())
    assert not decision_wording_allowed(None)


def test_verdict_rules_and_labels():
    rules = {"valid_margin": 0.05}
    assert verdict_by_rules(0.389, 0.540, rules) == "not_valid"
    assert verdict_by_rules(0.56, 0.540, rules) == "indicative"
    assert verdict_by_rules(0.60, 0.540, rules) == "valid"
    assert verdict_by_rules(None, 0.540, rules) == "indicative"
    assert verdict_by_rules(0.9, None, {"can_be_valid": False}) == "indicative"
    assert verdict_label("indicative") == "仅供参考"
    assert verdict_label("not_valid", "en") == "not valid for this use"
    with pytest.raises(ValueError):
        _card("maybe")


def test_card_lines_show_figure_and_baseline():
    lines = _card().lines("en")
    assert lines[0] == "validity: not valid for this use"
    assert "accuracy 38.9% vs majority class (all mature) 54.0% (n=254)" in lines[2]


def test_unchecked_card_is_indicative():
    from rbcity.plan.validity import unchecked_card

    c = unchecked_card("targets")
    assert c.verdict == "indicative" and not decision_wording_allowed(c)
