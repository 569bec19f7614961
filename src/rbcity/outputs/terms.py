"""English for the Chinese labels the engines store as text (warning levels, coordination
grades and stages, assessment grades), so an English report or page never shows 巨警 & co.

:func:`term` is used by the reports' ``term`` filter and the web pages; a text with a
" / " English half (``lang_part``) or without Chinese characters is returned as it is.
"""

from __future__ import annotations

from rbcity.methods.coupling import C_STAGES
from rbcity.outputs.palette import COORDINATION_GRADES, WARNING_LEVELS

#: zh label → en label, collected from the palettes plus the engines' other stored labels.
TERMS: dict[str, str] = {
    **{zh: en for _, zh, en, _ in WARNING_LEVELS},
    **{zh: en for zh, en, _ in COORDINATION_GRADES},
    # exhausted-city assessment grades (rbcity.plan.assessment)
    "优秀": "excellent", "良好": "good", "合格": "pass", "较差": "poor",
    **dict(C_STAGES),
    "同步": "synchronous",
}


def term(text, lang: str) -> str:
    """``text`` in ``lang``: a known Chinese label translated for 'en', else unchanged."""
    if text is None:
        return ""
    s = str(text)
    if lang == "zh":
        return s.split(" / ", 1)[0] if " / " in s else s
    if " / " in s:
        return s.split(" / ", 1)[1]
    return TERMS.get(s, s)
