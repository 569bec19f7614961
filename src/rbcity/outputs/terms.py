"""English for the Chinese labels the engines store as text (warning levels, coordination
grades and stages, assessment grades), so an English report or page never shows 巨警 & co.

:func:`term` is used by the reports' ``term`` filter and the web pages; a text with a
" / " English half (``lang_part``) or without Chinese characters is returned as it is.
"""

from __future__ import annotations

import re

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


#: catalogue units (config/indicators.yaml) in English
UNITS_EN: dict[str, str] = {
    "万人": "10k persons", "万元": "10k yuan", "亿元": "100m yuan", "万美元": "10k USD", "元": "yuan",
    "个": "count", "人": "persons", "元/人": "yuan per person", "吨": "tonnes", "万吨": "10k tonnes",
    "平方米": "m²", "张": "beds", "人/千人": "per 1,000 persons",
    "个百分点": "percentage points", "万立方米": "10k m³", "万公顷": "10k ha", "公顷": "ha", "万平方米": "10k m²",
    "年": "years",
}

_ZH_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+\s*")


def unit_en(unit: str, lang: str) -> str:
    """A catalogue unit in ``lang`` (万人 → 10k persons for English)."""
    return unit if lang == "zh" or not unit else UNITS_EN.get(unit, unit)


def strip_zh(text: str) -> str:
    """The English of an engine text that runs both languages together without a separator
    ("库中无此指标的开放数据 no open data …"): Chinese runs removed, empty brackets dropped."""
    out = _ZH_RUN.sub("", text)
    out = re.sub(r"\(\s*\)", "", out)
    return re.sub(r"\s{2,}", " ", out).strip()


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


def translate_terms(text: str, lang: str) -> str:
    """``text`` with every known Chinese label replaced by its English (for 'en'): used on
    free text such as spec notes, where a label sits inside a sentence."""
    if lang == "zh" or not text:
        return text
    for zh in sorted(TERMS, key=len, reverse=True):
        if zh in text:
            text = text.replace(zh, TERMS[zh])
    return text


def lang_part(text: str, lang: str) -> str:
    """The zh or en half of an engine's bilingual "中文 / English" text (whole text otherwise)."""
    if " / " in text:
        zh, en = text.split(" / ", 1)
        if any("\u4e00" <= ch <= "\u9fff" for ch in zh):
            return zh.strip() if lang == "zh" else en.strip()
    return text
