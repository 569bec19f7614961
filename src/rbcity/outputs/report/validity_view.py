"""An engine run's validity card as the report shows it (verdict, what it was checked against,
the figure and the baseline to beat).

The card comes from :func:`rbcity.plan.validity.card_of` when the plan layer has it, else from
the run summary's ``"validity"`` dict (same shape). A run without a card is shown as
"未检验 not checked" — never as valid — and its results are worded as indicative only.
"""

from __future__ import annotations

#: verdict → (zh, en, css class); the labels are rbcity.plan.validity.VERDICT_LABELS' (plus
#: "not checked" for a run stored before cards existed)
VERDICTS: dict[str, tuple[str, str, str]] = {
    "valid": ("有效", "valid", "v-valid"),
    "indicative": ("仅供参考", "indicative only", "v-indicative"),
    "not_valid": ("不适用于此用途", "not valid for this use", "v-not-valid"),
    "not_checked": ("未检验", "not checked", "v-not-checked"),
}


def _get(card, key, default=None):
    if isinstance(card, dict):
        return card.get(key, default)
    return getattr(card, key, default)


def _pair(v, lang: str) -> str:
    """A zh/en field: a dict {'zh','en'}, a (zh, en) pair, or a plain string."""
    if v is None:
        return ""
    if isinstance(v, dict):
        return str(v.get(lang) or v.get("zh") or v.get("en") or "")
    if isinstance(v, list | tuple) and len(v) == 2:
        return str(v[0] if lang == "zh" else v[1])
    return str(v)


def raw_card(run: dict | None):
    """The card object/dict of a run, or None."""
    if not run:
        return None
    try:
        from rbcity.plan.validity import card_of  # engines branch
    except ImportError:
        card_of = None
    if card_of is not None:
        try:
            card = card_of(run)
        except (KeyError, TypeError, ValueError):
            card = None
        if card is not None:
            return card
    summ = run.get("summary") or {}
    return summ.get("validity") if isinstance(summ.get("validity"), dict) else None


def card_view(run: dict | None, lang: str) -> dict:
    """Display fields of a run's card: verdict key and label, checked_against, metric,
    figure, baseline (with its name), n, text; ``decision`` says whether results may be worded
    as a decision (only a valid card)."""
    card = raw_card(run)
    i = 0 if lang == "zh" else 1
    verdict = str(_get(card, "verdict") or "not_checked") if card is not None else "not_checked"
    if verdict not in VERDICTS:
        verdict = "not_checked"
    decision = verdict == "valid"
    if card is not None:
        try:
            from rbcity.plan.validity import decision_wording_allowed
        except ImportError:
            pass
        else:
            try:
                decision = bool(decision_wording_allowed(card))
            except (KeyError, TypeError, AttributeError):
                decision = verdict == "valid"
    return {"verdict": verdict, "label": VERDICTS[verdict][i], "css": VERDICTS[verdict][2],
            "checked_against": _pair(_get(card, "checked_against"), lang) if card is not None else "",
            "metric": _pair(_get(card, "metric"), lang).strip("—") if card is not None else "",
            "figure": _get(card, "figure") if card is not None else None,
            "baseline": _get(card, "baseline") if card is not None else None,
            "baseline_name": _pair(_get(card, "baseline_name"), lang) if card is not None else "",
            "n": _get(card, "n") if card is not None else None,
            "text": _pair(_get(card, "text"), lang) if card is not None else "",
            "decision": decision}
