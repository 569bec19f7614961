"""Units the importer understands and how they convert.

A file's value is converted to the catalogue unit only where the file states its unit and
both units are of one kind (money in 元/万元/亿元, US dollars, persons, shares in %/ratio/‰,
mass, area). ``ratio`` (a share written 0–1) becomes % by ×100 — only because the file says
it is a ratio. Anything else is *incompatible* and rejected, never guessed.
"""

from __future__ import annotations

import re

#: unit spelling → (kind, factor to the kind's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "元": ("cny", 1.0), "千元": ("cny", 1e3), "万元": ("cny", 1e4), "百万元": ("cny", 1e6),
    "亿元": ("cny", 1e8), "yuan": ("cny", 1.0), "10k yuan": ("cny", 1e4), "100m yuan": ("cny", 1e8),
    "美元": ("usd", 1.0), "千美元": ("usd", 1e3), "万美元": ("usd", 1e4), "百万美元": ("usd", 1e6),
    "亿美元": ("usd", 1e8), "usd": ("usd", 1.0), "10k usd": ("usd", 1e4),
    "人": ("persons", 1.0), "万人": ("persons", 1e4), "persons": ("persons", 1.0),
    "10k persons": ("persons", 1e4),
    "%": ("share", 1.0), "百分比": ("share", 1.0), "百分比%": ("share", 1.0), "percent": ("share", 1.0),
    "pct": ("share", 1.0), "ratio": ("share", 100.0), "比值": ("share", 100.0), "小数": ("share", 100.0),
    "‰": ("share", 0.1), "千分比": ("share", 0.1),
    "吨": ("mass", 1.0), "万吨": ("mass", 1e4), "千克": ("mass", 1e-3), "公斤": ("mass", 1e-3),
    "t": ("mass", 1.0),
    "平方米": ("area", 1.0), "m2": ("area", 1.0), "m²": ("area", 1.0), "万平方米": ("area", 1e4),
    "公顷": ("area", 1e4), "平方公里": ("area", 1e6), "km2": ("area", 1e6),
    "张": ("beds", 1.0), "万张": ("beds", 1e4),
    "个": ("count", 1.0), "所": ("count", 1.0), "家": ("count", 1.0),
    "元/人": ("cny_pc", 1.0), "万元/人": ("cny_pc", 1e4),
    "dn sum": ("dn", 1.0), "dn": ("dn", 1.0),
    "2012=100": ("index2012", 1.0),
    # city-yearbook units (issue 13)
    "立方米": ("volume", 1.0), "万立方米": ("volume", 1e4), "亿立方米": ("volume", 1e8),
    "人/平方公里": ("density", 1.0), "万人/平方公里": ("density", 1e4),
    "立方米/公顷": ("stock_area", 1.0), "人/百万吨": ("fatality_rate", 1.0),
}
_ALIASES = {"percentage": "%", "％": "%", "百分比": "%", "百分比%": "%", "percent": "%", "pct": "%",
            "比值": "ratio", "小数": "ratio", "千分比": "‰", "百分点": "%", "m^2": "m2", "平方米/人": "平方米",
            "人/千人": "人", "元/人·年": "元/人"}


def normalise_unit(text: str) -> str:
    """A unit as written → its canonical spelling (whitespace and case folded)."""
    t = re.sub(r"\s+", " ", str(text).strip()).replace("（", "(").replace("）", ")")
    low = t.lower()
    low = _ALIASES.get(low, low)
    return low if low in _UNITS else t


def is_unit_token(text: str) -> bool:
    """True when ``text`` is a unit rbcity knows (used to split yearbook headers)."""
    return normalise_unit(text) in _UNITS


class UnitProblem(ValueError):
    """Why a stated unit cannot be converted; ``code`` is unit_missing or unit_incompatible."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def factor(from_unit: str | None, to_unit: str) -> float:
    """Multiplier taking a value in ``from_unit`` to ``to_unit``; raises :class:`UnitProblem`."""
    if from_unit is None or str(from_unit).strip() in ("", "nan", "None"):
        raise UnitProblem("unit_missing", f"未注明单位 unit missing (catalogue unit {to_unit})")
    f, t = normalise_unit(from_unit), normalise_unit(to_unit)
    if f == t:
        return 1.0
    if f in _UNITS and t in _UNITS and _UNITS[f][0] == _UNITS[t][0]:
        return _UNITS[f][1] / _UNITS[t][1]
    raise UnitProblem("unit_incompatible",
                      f"单位不兼容 unit {from_unit!r} cannot be converted to {to_unit!r}")
