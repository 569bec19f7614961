"""Filtering the registry the way users ask: by province, level, type, exhausted batch,
resource kind and free text — each filter value checked, never silently ignored."""

from __future__ import annotations

import pandas as pd

from rbcity.errors import UserError
from rbcity.registry.labels import LEVELS, PROVINCES_EN, TYPES
from rbcity.registry.pinyin import name_en, search_key


class FilterError(UserError, ValueError):
    """A filter value that is not one of the allowed ones (the message lists them)."""


def _pick(value: str, table: dict[str, tuple[str, str]], what: str) -> str:
    v = value.strip()
    for key, (zh, en) in table.items():
        if v.lower() in (key, en.lower()) or v == zh or (len(v) >= 2 and zh.startswith(v)):
            return key
    allowed = ", ".join(f"{zh}/{key}" for key, (zh, _) in table.items())
    raise FilterError(f"无效的{what}: {value!r}; allowed: {allowed}")


def parse_type(value: str) -> str:
    """'衰退型', '衰退', 'declining' → 'declining'."""
    return _pick(value, TYPES, "类型 type")


def parse_level(value: str) -> str:
    """'县级市', 'county_city', 'county-level city' → 'county_city'."""
    return _pick(value, LEVELS, "级别 level")


def parse_province(value: str) -> str:
    """'黑龙江', '黑龙江省', 'Heilongjiang' → '黑龙江省'."""
    v = value.strip()
    for zh, en in PROVINCES_EN.items():
        if v == zh or v.lower() == en.lower() or (len(v) >= 2 and zh.startswith(v)):
            return zh
    raise FilterError(f"无效的省份 invalid province: {value!r}")


def parse_exhausted(value: str) -> int | bool:
    """'yes'/'是' → True, 'no'/'否' → False, '2008'/'2009'/'2011' → that batch."""
    v = value.strip().lower()
    if v in ("yes", "y", "true", "是", "1"):
        return True
    if v in ("no", "n", "false", "否", "0"):
        return False
    if v in ("2008", "2009", "2011"):
        return int(v)
    raise FilterError(f"无效的资源枯竭筛选 invalid exhausted filter: {value!r}; allowed: yes, no, 2008, 2009, 2011")


def filter_cities(df: pd.DataFrame, *, province: str | None = None, level: str | None = None,
                  type_: str | None = None, exhausted: str | None = None,
                  resource: str | None = None, search: str | None = None) -> pd.DataFrame:
    """Rows of a registry frame (``load_registry()`` or the store's city table) that match."""
    mask = pd.Series(True, index=df.index)
    if province:
        mask &= df["province"] == parse_province(province)
    if level:
        mask &= df["level"] == parse_level(level)
    if type_:
        mask &= df["type_2013"] == parse_type(type_)
    if exhausted:
        ex = parse_exhausted(exhausted)
        batch = df["exhausted_batch"]
        if ex is True:
            mask &= batch.notna()
        elif ex is False:
            mask &= batch.isna()
        else:
            mask &= batch == ex
    if resource:
        mask &= df["resource_kind"].fillna("").str.contains(resource.strip(), regex=False)
    if search:
        text = search.strip()
        hay = df["name"] + " " + df["province"] + " " + df["names_now"].fillna("") + " " + df["parent"].fillna("")
        hit = hay.str.contains(text, regex=False) | (df["unit_id"] == text)
        key = search_key(text)
        if key and text.isascii():  # pinyin: "hegang", "He gang" and "Hegang" find 鹤岗
            hit |= df["name"].map(lambda n: key in search_key(name_en(n)))
        mask &= hit
    return df.loc[mask]
