"""Column headers → indicator, 口径, price basis and unit; every token honoured or the column
is rejected with its reason (nothing dropped silently).

A yearbook header is ``指标_口径_价格_单位`` in any order (``地区生产总值_当年价格_全市_万元``),
or ``指标(单位)`` / ``id[unit]`` (``gdp[万元]``, as ``rbcity export --layout wide`` writes).
Tokens:

- 口径 scope: 全市/全市合计/合计 → 全市 (whole city); 市辖区/市区/城区 → 市辖区 (urban districts);
  县 → 县;
- price basis: 当年价格/当年价/现价 → 当年价; 可比价格/可比价/不变价 → 可比价;
- a unit rbcity knows (万元, %, …), or the bracketed part of ``name(unit)``;
- ``地级以上城市`` (a yearbook section title) is neutral;
- everything else is part of the indicator's name.

The indicator is the catalogue entry named by the name tokens *whose stated scope and price
basis agree with the header's* (:func:`rbcity.data.catalogue.qualifiers`): ``地区生产总值_市辖区``
is not ``gdp`` (全市) — the column is rejected "口径 市辖区 has no catalogue indicator" unless the
catalogue defines a 市辖区 GDP. A header without a 口径 token takes the catalogue's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rbcity.data.catalogue import match_indicators, qualifiers
from rbcity.data.units import is_unit_token, normalise_unit

SCOPES = {"全市": "全市", "全市合计": "全市", "合计": "全市", "市辖区": "市辖区", "市区": "市辖区",
          "城区": "市辖区", "县": "县"}
PRICES = {"当年价格": "当年价", "当年价": "当年价", "现价": "当年价", "可比价格": "可比价",
          "可比价": "可比价", "不变价": "可比价", "不变价格": "可比价"}
NEUTRAL = {"地级以上城市", "市"}
_SPLIT = re.compile(r"[_\s,，、;；()（）\[\]【】]+")
_BRACKET = re.compile(r"^(.*?)\s*[(（\[【]\s*([^()（）\[\]【】]+?)\s*[)）\]】]\s*$")


@dataclass(frozen=True)
class Header:
    """What a header says. ``indicator_id`` is None when rejected; then ``reason_code``
    (unknown_indicator or scope_mismatch) and ``reason`` say why."""

    indicator_id: str | None
    unit: str | None = None
    scope: str | None = None
    price_basis: str | None = None
    reason_code: str | None = None
    reason: str = ""


def _pick(cands: tuple[str, ...], scope: str | None, price: str | None) -> list[str]:
    q = qualifiers()
    return [c for c in cands if (scope is None or q[c][0] == scope) and (price is None or q[c][1] == price)]


def parse_header(header: str) -> Header:
    """Parse one header (see the module docstring)."""
    h = str(header).strip()
    unit = None
    scope = price = None
    m = _BRACKET.match(h)
    if m:
        inner = [t for t in _SPLIT.split(m.group(2)) if t]
        kinds = [("scope" if t in SCOPES else "price" if t in PRICES else "unit" if is_unit_token(t)
                  else "neutral" if t in NEUTRAL else None) for t in inner]
        if all(kinds):
            for t, k in zip(inner, kinds, strict=True):
                if k == "unit":
                    unit = normalise_unit(t)
            h = m.group(1) + "_" + "_".join(t for t, k in zip(inner, kinds, strict=True) if k != "unit")
        elif match_indicators(m.group(1)):  # a known indicator with a unit rbcity cannot convert
            h, unit = m.group(1), m.group(2).strip()
    direct = match_indicators(h)
    tokens = [t for t in _SPLIT.split(h) if t]
    name: list[str] = []
    for t in tokens:
        if t in SCOPES:
            if scope and SCOPES[t] != scope:
                return Header(None, unit, reason_code="scope_mismatch",
                              reason=f"口径矛盾 conflicting 口径 tokens {scope}/{SCOPES[t]} in {header!r}")
            scope = SCOPES[t]
        elif t in PRICES:
            price = PRICES[t]
        elif t in NEUTRAL:
            continue
        elif unit is None and name and is_unit_token(t):
            unit = normalise_unit(t)
        else:
            name.append(t)
    if direct:  # the whole header is an id/name/alias (aged_65_share); its qualifiers still count
        cands = direct
    else:
        joined = "".join(name)
        cands = match_indicators(joined) if joined else ()
        with_q = match_indicators(joined + (scope or "")) if scope else ()
        cands = tuple(dict.fromkeys(cands + with_q))
    if not cands:
        return Header(None, unit, scope, price, "unknown_indicator",
                      f"未知指标 unknown indicator: 列 column {header!r}; 见 see `rbcity indicators`")
    fit = _pick(cands, scope, price)
    if not fit:
        q = qualifiers()
        what = []
        if scope and all(q[c][0] != scope for c in cands):
            what.append(f"口径 {scope}")
        if price and all(q[c][1] != price for c in cands):
            what.append(f"价格 {price}")
        have = ", ".join(f"{c} ({q[c][0]}, {q[c][1]})" for c in cands)
        return Header(None, unit, scope, price, "scope_mismatch",
                      f"{' / '.join(what) or '口径'} has no catalogue indicator 无对应指标 "
                      f"(column {header!r}; catalogue: {have})")
    if len(fit) > 1:
        # no 口径 token: the catalogue's 全市 / 当年价 entry is what an unqualified header means
        plain = _pick(tuple(fit), scope or "全市", price or "当年价")
        fit = plain if len(plain) == 1 else fit
    if len(fit) > 1:
        return Header(None, unit, scope, price, "unknown_indicator",
                      f"指标有歧义 ambiguous indicator {header!r}: {', '.join(fit)}")
    return Header(fit[0], unit, scope, price)
