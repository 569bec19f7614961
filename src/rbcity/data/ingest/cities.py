"""Row → unit, using every key the row has: code, name, province, level and year together.

Each distinct key combination is resolved once (a cache lives for the whole import). Rules:

- the name is resolved *for the row's year* (never a year-less guess first), so 巢湖市 2015 is
  the county-level 340181, 哈密市 2013 is 652201, and 莱芜市 2020 is rejected naming 济南 as
  its successor (:class:`~rbcity.registry.resolve.NotInYear`);
- a code and a name must name the same unit, a stated province must be the unit's province,
  a level column must agree with the unit's level (the ``level`` option only narrows ties); keys that disagree reject the row
  (``黑龙江省,大同`` is unknown — never 山西 大同; ``北京市,朝阳`` is never 辽宁 朝阳);
- a ``unit_id`` column (rbcity's own ids, as exported) is taken as is when the store has that
  unit, but a name beside it must be that unit's name.
"""

from __future__ import annotations

import pandas as pd

from rbcity.registry.resolve import AmbiguousCity, NotInYear, UnknownCity, get_resolver

_LEVELS = {"prefecture": "prefecture", "地级": "prefecture", "地级市": "prefecture", "county": "county",
           "county_city": "county", "县级": "county", "县级市": "county", "区县": "county", "县": "county",
           "district": "county"}


def _s(v) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    t = str(v).strip()
    return t or None


def _prov_ok(given: str, unit_province: str) -> bool:
    g = given.replace("省", "").replace("市", "").replace("自治区", "")[:2]
    return bool(g) and unit_province.startswith(g)


class CityResolver:
    """Resolves (code, name, province, level, year) keys, caching each distinct key."""

    def __init__(self, units_in_store: dict[str, tuple[str, str, str]], *, level: str | None, by_id: bool):
        self.units = units_in_store  # unit_id → (name, province, level)
        self.level = level
        self.by_id = by_id
        self.resolver = get_resolver("all")
        self.cache: dict[tuple, tuple] = {}

    def frame(self, keys: pd.DataFrame) -> pd.DataFrame:
        """``keys`` (code, name, province, level_raw, year) → ``unit_id, city_reason, city_msg``."""
        out = [self.one(*k) for k in keys.itertuples(index=False, name=None)]
        return pd.DataFrame(out, columns=["unit_id", "city_reason", "city_msg"], index=keys.index)

    def one(self, code, name, prov, level_raw, year) -> tuple:
        if _s(name) is None and _s(prov) is None and _s(level_raw) is None and _s(code) is not None:
            # a code alone: code keys carry no years, so one resolution serves every year
            k = (code, None, None, None, "any")
            if k not in self.cache:
                r = self._resolve(_s(code), None, None, None, None)
                self.cache[k] = r if r[1] != "ambiguous_city" else None
            if self.cache[k] is not None:
                return self.cache[k]
        k = (code, name, prov, level_raw, year)
        if k not in self.cache:
            self.cache[k] = self._resolve(_s(code), _s(name), _s(prov), _s(level_raw),
                                          None if year is None or pd.isna(year) else int(year))
        return self.cache[k]

    def _message(self, exc: UnknownCity) -> str:
        """The error text of an unknown key, with its close matches (deferred: most rows whose
        code is unknown resolve by name, and difflib over every key is the slow part)."""
        if not exc.suggestions:
            exc = UnknownCity(exc.query, self.resolver.close_matches(exc.query))
        return str(exc)

    def _resolve(self, code, name, prov, level_raw, year) -> tuple:
        # a level column is a key (checked); the --level option only narrows name ties
        level = _LEVELS.get(level_raw.lower(), None) if level_raw else None
        if code is None and name is None:
            return (None, "unknown_city", "城市为空 no city name or code in this row")
        by_code = by_name = None
        msgs = []
        if code is not None:
            if self.by_id and code in self.units:
                by_code = code
            else:
                try:  # close matches of an unknown code only if the name fails too (below)
                    by_code = self.resolver.resolve(code, year, strict_year=True,
                                                    suggest=name is None).unit_id
                except NotInYear as exc:
                    return (None, "city_not_in_year", str(exc))
                except AmbiguousCity as exc:
                    return (None, "ambiguous_city", str(exc))
                except UnknownCity as exc:
                    msgs.append(exc)
        if name is not None:
            if by_code is not None and self.by_id and code in self.units:
                if name != self.units[code][0]:
                    return (None, "city_keys_disagree",
                            f"代码与名称不符 code {code} is {self.units[code][0]}, not {name!r}")
                by_name = by_code
            else:
                try:
                    by_name = self.resolver.resolve(name, year, province=prov, level=level or self.level,
                                                    strict_year=True, suggest=by_code is None).unit_id
                except NotInYear as exc:
                    if by_code is None:
                        return (None, "city_not_in_year", str(exc))
                except AmbiguousCity as exc:
                    if by_code is None:
                        return (None, "ambiguous_city", str(exc))
                    if all(c.unit_id != by_code for c in exc.candidates):
                        return (None, "city_keys_disagree", f"代码与名称不符 code {code} → {by_code}; {exc}")
                except UnknownCity as exc:
                    if by_code is None:
                        msgs.append(exc)
        if by_code is not None and by_name is not None and by_code != by_name:
            return (None, "city_keys_disagree",
                    f"代码与名称不符 code {code} → {by_code} but name {name!r} → {by_name}")
        uid = by_code or by_name
        if uid is None:
            return (None, "unknown_city", "; ".join(self._message(m) for m in msgs)
                    or "未知城市 unknown city")
        if uid not in self.units:
            return (None, "unknown_city", f"{code or name!r} → {uid}: 不在单位表 not in the store's unit table")
        uname, uprov, ulevel = self.units[uid]
        if prov is not None and not _prov_ok(prov, uprov):
            return (None, "city_keys_disagree" if code else "unknown_city",
                    f"{prov} 没有 has no {name or code!r} (→ {uname}, {uprov} {uid})")
        if level is not None and (ulevel == "prefecture") != (level == "prefecture"):
            return (None, "city_keys_disagree",
                    f"级别不符 level {level} but {uname} ({uid}) is {ulevel}")
        return (uid, None, "")
