"""Colours and bilingual labels for what maps and charts colour by, shared by the static
(matplotlib) and interactive (ECharts) renderings so both show the same colours.

A :class:`Scheme` is either categorical (ordered keys with zh/en labels and a colour each) or
continuous (a numeric indicator, coloured on a sequential ramp between its min and max).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rbcity.registry.labels import TYPES

TYPE_COLORS: dict[str, str] = {
    "growth": "#2ca02c", "mature": "#1f77b4", "declining": "#d62728", "regenerating": "#9467bd",
}

#: Early-warning levels 0..4 (预警): the engine's label and colour names, drawn with these hexes.
WARNING_LEVELS: list[tuple[int, str, str, str]] = [
    (0, "无警", "no warning", "#2e9e44"),
    (1, "轻警", "light", "#3b7dd8"),
    (2, "中警", "moderate", "#e6c229"),
    (3, "重警", "serious", "#f08a24"),
    (4, "巨警", "severe", "#d7301f"),
]
WARNING_COLOR_NAMES = {"green": "#2e9e44", "blue": "#3b7dd8", "yellow": "#e6c229",
                       "orange": "#f08a24", "red": "#d7301f"}

#: The ten coupling-coordination classes (协调等级), worst first.
COORDINATION_GRADES: list[tuple[str, str, str]] = [
    ("极度失调", "extreme imbalance", "#a50026"),
    ("严重失调", "serious imbalance", "#d73027"),
    ("中度失调", "moderate imbalance", "#f46d43"),
    ("轻度失调", "mild imbalance", "#fdae61"),
    ("濒临失调", "verge of imbalance", "#fee08b"),
    ("勉强协调", "barely coordinated", "#d9ef8b"),
    ("初级协调", "primary coordination", "#a6d96a"),
    ("中级协调", "intermediate coordination", "#66bd63"),
    ("良好协调", "good coordination", "#1a9850"),
    ("优质协调", "high-quality coordination", "#006837"),
]

EXHAUSTED_GRADES: list[tuple[str, str, str]] = [
    ("优秀", "excellent", "#1a9850"), ("良好", "good", "#91cf60"),
    ("合格", "pass", "#fee08b"), ("较差", "poor", "#d73027"),
]

TARGET_STATUS: list[tuple[str, str, str, str]] = [
    ("achieved", "已实现", "achieved", "#1a9850"),
    ("on_track", "进展顺利", "on track", "#91cf60"),
    ("off_track", "进度滞后", "off track", "#d73027"),
    # a national sum from too few reporting cities (config/targets.yaml min_reporting_share)
    ("incomplete", "填报不全", "incomplete reporting", "#fdae61"),
    # a city's or province's share of a national-only (cumulative / count) target
    ("reported", "已填报（计入全国）", "reported (counts toward the national target)", "#74add1"),
    ("no_data", "无数据", "no data", "#bdbdbd"),
]

MISSING_COLOR = "#d9d9d9"
RAMP = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]


@dataclass(frozen=True)
class Category:
    key: object
    zh: str
    en: str
    color: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Scheme:
    """How to colour by one thing: ``by`` is type | warning | grade | an indicator id."""

    by: str
    title_zh: str
    title_en: str
    categories: list[Category] = field(default_factory=list)

    @property
    def continuous(self) -> bool:
        return not self.categories

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def color_of(self, value, lo: float | None = None, hi: float | None = None) -> str:
        """The colour of one value (``MISSING_COLOR`` for a missing or unknown one)."""
        if value is None or (isinstance(value, float) and value != value):
            return MISSING_COLOR
        if self.categories:
            for c in self.categories:
                if c.key == value:
                    return c.color
            return MISSING_COLOR
        return ramp_color(float(value), lo, hi)


def ramp_color(v: float, lo: float | None, hi: float | None) -> str:
    """Linear interpolation on :data:`RAMP` between ``lo`` and ``hi``."""
    if lo is None or hi is None or hi <= lo:
        t = 0.5
    else:
        t = min(1.0, max(0.0, (v - lo) / (hi - lo)))
    x = t * (len(RAMP) - 1)
    i = min(int(x), len(RAMP) - 2)
    f = x - i
    a, b = RAMP[i], RAMP[i + 1]
    rgb = [round(int(a[k:k + 2], 16) * (1 - f) + int(b[k:k + 2], 16) * f) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def scheme_for(by: str, title: tuple[str, str] | None = None) -> Scheme:
    """The colour scheme for ``by`` (type | warning | grade | exhausted_grade | any indicator id)."""
    if by == "type":
        return Scheme("type", "城市类型（2013）", "City type (2013)",
                      [Category(k, zh, en, TYPE_COLORS[k]) for k, (zh, en) in TYPES.items()])
    if by == "classify_type":
        return Scheme(by, "城市类型（动态调整）", "City type (reclassified)",
                      [Category(k, zh, en, TYPE_COLORS[k]) for k, (zh, en) in TYPES.items()])
    if by == "warning":
        return Scheme("warning", "预警等级", "Early-warning level",
                      [Category(lv, zh, en, col) for lv, zh, en, col in WARNING_LEVELS])
    if by == "grade":
        return Scheme("grade", "耦合协调等级", "Coordination grade",
                      [Category(zh, zh, en, col) for zh, en, col in COORDINATION_GRADES])
    if by == "exhausted_grade":
        return Scheme(by, "资源枯竭城市绩效等级", "Exhausted-city assessment grade",
                      [Category(zh, zh, en, col) for zh, en, col in EXHAUSTED_GRADES])
    zh, en = title or (by, by)
    return Scheme(by, zh, en)
