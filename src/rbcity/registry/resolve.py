"""Find a city from what a user or a data file calls it — never by guessing.

A query may be a 2013 name (九台市), today's name (九台区), a short name (九台, 鹤岗), a
prefixed name (长春市九台区, 吉林省九台市), or a 6-digit code of any year (220181, 220113).
Keys are matched in tiers — codes, then full names, then short names and aliases — and the
first tier with any match decides. Inside a tier, several distinct units are narrowed by
the data's year (names that were not in force that year drop out) and by province; if more
than one unit is still left, :class:`AmbiguousCity` lists them all. Nothing is matched by
similarity: close spellings are only offered as suggestions in :class:`UnknownCity`.

Two scopes: ``registry`` (the 262 cities of 2013) and ``all`` (also every other prefecture
entity 2000–2024 and every county code ever used, for data on non-resource cities).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from rbcity.errors import UserError
from rbcity.registry.codes import all_codes, change_year, prefecture_entities, prefecture_names
from rbcity.registry.labels import short_name
from rbcity.registry.load import load_registry

TIER_CODE, TIER_NAME, TIER_SHORT = 0, 1, 2


class ResolveError(UserError, LookupError):
    """A query that does not name exactly one unit."""


class UnknownCity(ResolveError):
    def __init__(self, query: str, suggestions: list[str]):
        self.query, self.suggestions = query, suggestions
        hint = f"；相近 close: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"未知城市 unknown city: {query!r}{hint}")


class AmbiguousCity(ResolveError):
    def __init__(self, query: str, candidates: list[Match]):
        self.query, self.candidates = query, candidates
        listed = "; ".join(f"{c.name}（{c.province}，{c.unit_id}）" for c in candidates)
        super().__init__(f"有歧义 ambiguous: {query!r} matches {len(candidates)}: {listed}")


class NotInYear(ResolveError):
    """A name (or code) that named its unit only in other years; ``successor`` says what
    took its place, when known (莱芜市 2020 → 济南市)."""

    def __init__(self, query: str, year: int, unit: Match, valid: str, successor: str = ""):
        self.query, self.year, self.unit, self.successor = query, year, unit, successor
        then = f"；此后 then: {successor}" if successor else ""
        super().__init__(f"{query!r} 在 {year} 年不存在 does not exist in {year} "
                         f"({unit.name} {unit.unit_id} valid {valid}{then})")


@dataclass(frozen=True)
class Match:
    """A resolved unit. ``in_registry`` is True for the 262 cities of 2013."""

    unit_id: str
    name: str
    province: str
    level: str
    in_registry: bool
    matched_by: str


@dataclass(frozen=True)
class _Key:
    unit_id: str
    tier: int
    how: str
    start: int | None = None
    end: int | None = None
    strict: bool = False  # the unit itself ceased (or began): outside [start, end] the key names nothing


#: The newest year the prefecture-name table covers: an ``end`` equal to it means "still in use".
OPEN_END = 2024


class Resolver:
    """Name/code resolution over the registry (and optionally all known units)."""

    def __init__(self, scope: str = "registry"):
        if scope not in ("registry", "all"):
            raise ValueError(f"scope must be 'registry' or 'all', not {scope!r}")
        self.scope = scope
        self._keys: dict[str, list[_Key]] = {}
        self._units: dict[str, Match] = {}
        self._successor: dict[str, str] = {}
        self._build_registry()
        if scope == "all":
            self._build_all()

    # -- index building -------------------------------------------------------------
    def _add(self, key: str, k: _Key) -> None:
        if key:
            lst = self._keys.setdefault(key, [])
            if all((o.unit_id, o.tier) != (k.unit_id, k.tier) for o in lst):
                lst.append(k)

    def _build_registry(self) -> None:
        for r in load_registry().itertuples():
            self._units[r.unit_id] = Match(r.unit_id, r.name, r.province, r.level, True, "")
            uid = r.unit_id
            self._add(uid, _Key(uid, TIER_CODE, "id"))
            same = r.successor_relation == "same_unit"  # a merger's successor is another unit
            if r.successor_code and r.successor_code != r.admin_code_2013 and same:
                self._add(r.successor_code, _Key(uid, TIER_CODE, "今代码 code today"))
            changed = change_year(r.note)
            ceased = None
            if not same and str(r.successor_year or "").isdigit():  # merged away: its names end then
                ceased = int(r.successor_year) - 1
                self._successor[uid] = (f"{int(r.successor_year)} 年并入 merged into "
                                        f"{r.successor_name}（{r.successor_code}）")
            born = int(r.valid_from) if str(r.valid_from or "").isdigit() else None
            for name, how, start, end in ((r.name, "2013年名称 2013 name", born, ceased),
                                          (r.successor_name if same else "", "今名称 name today", changed, None)):
                if not name:
                    continue
                strict = end is not None or start is not None
                self._add(name, _Key(uid, TIER_NAME, how, start, end, strict))
                self._add(r.province + name, _Key(uid, TIER_NAME, how, start, end, strict))
                if r.parent:
                    self._add(r.parent + name, _Key(uid, TIER_NAME, how, start, end, strict))
                self._add(short_name(name), _Key(uid, TIER_SHORT, "简称 short name", start, end, strict))

    def _build_all(self) -> None:
        codes = all_codes()
        # a registry city's code today (九台市 → 220113) *is* that city: no second unit for it
        successors = {k for k, ks in self._keys.items() if any(x.how.startswith("今代码") for x in ks)}
        for code, name in codes.items():
            if code.endswith("0000") or code in successors:
                continue
            if code not in self._units:
                prov = codes.get(code[:2] + "0000", "")
                self._units[code] = Match(code, name, prov, "prefecture" if code.endswith("00") else "county", False, "")
            self._add(code, _Key(code, TIER_CODE, "代码 code"))
        for e in prefecture_entities().itertuples():  # e.g. 110100 北京市, absent from the code lists
            if e.code not in self._units:
                prov = codes.get(e.code[:2] + "0000", e.province_name_zh)
                self._units[e.code] = Match(e.code, e.canonical_name_zh, prov, "prefecture", False, "")
            self._add(e.code, _Key(e.code, TIER_CODE, "代码 code"))
        for n in prefecture_names().itertuples():
            start = None if n.start_year is None or str(n.start_year) == "<NA>" else int(n.start_year)
            end = None if n.end_year is None or str(n.end_year) == "<NA>" else int(n.end_year)
            if n.code not in self._units:
                prov = codes.get(n.code[:2] + "0000", "")
                self._units[n.code] = Match(n.code, n.name, prov, "prefecture", False, "")
            tier = TIER_NAME if n.kind == "official" else TIER_SHORT
            self._add(n.name, _Key(n.code, tier, f"FIERsity {n.kind}", start,
                                   None if end == OPEN_END else end, True))

    # -- lookup -----------------------------------------------------------------------
    def resolve(self, query: str, year: int | None = None, province: str | None = None,
                level: str | None = None, strict_year: bool = False, suggest: bool = True) -> Match:
        """The one unit ``query`` names (for data of ``year``, within ``province``).

        ``level`` ('prefecture' or 'county') narrows a tie to units of that level, e.g. a
        prefecture-level yearbook's 巢湖市 in 2008 is the prefecture 341400, not the
        county-level city 340181 that carried the name in 2013.

        ``strict_year``: a name whose unit did not exist in ``year`` under it (莱芜市 after the
        2019 merger, 哈密地区 after 2015) raises :class:`NotInYear` instead of resolving to it.

        ``suggest=False``: an :class:`UnknownCity` without close matches (for a caller that
        tries another key first and asks :meth:`close_matches` only if that fails too).
        """
        q = str(query).strip().replace(" ", "")
        if q.isdigit() and len(q) == 12:
            q = q[:6]
        for tier in (TIER_CODE, TIER_NAME, TIER_SHORT):
            keys = [k for k in self._keys.get(q, []) if k.tier == tier]
            if not keys:
                continue
            units = self._narrow(keys, year, province, level)
            if len(units) == 1:
                (uid, how), = units.items()
                m = self._units[uid]
                if strict_year and year is not None:
                    self._check_year(q, year, [k for k in keys if k.unit_id == uid], m)
                return Match(m.unit_id, m.name, m.province, m.level, m.in_registry, how)
            raise AmbiguousCity(q, [self._units[u] for u in sorted(units)])
        raise UnknownCity(q, self.close_matches(q) if suggest else [])

    def close_matches(self, q: str, n: int = 5, cutoff: float = 0.6) -> list[str]:
        """``difflib.get_close_matches(q, keys, n, cutoff)`` — the same list — memoised per query
        and computed only over keys sharing a character with ``q`` (a key sharing none has
        ratio 0 < ``cutoff``, and difflib ranks by (ratio, key), not by input order).  A bulk
        import of unknown codes asked difflib over all ~8 000 keys once per row (15 min of the
        bundled census ingest under a profiler)."""
        if not hasattr(self, "_close"):
            self._close: dict[tuple, list[str]] = {}
            self._by_char: dict[str, set[str]] = {}
            self._close_n = -1
        if self._close_n != len(self._keys):  # keys added since: rebuild the character index
            self._close.clear()
            self._by_char.clear()
            for key in self._keys:
                for ch in set(key):
                    self._by_char.setdefault(ch, set()).add(key)
            self._close_n = len(self._keys)
        memo = (q, n, cutoff)
        if memo not in self._close:
            if cutoff <= 0:
                pool = list(self._keys)
            else:
                pool = set().union(*(self._by_char.get(ch, ()) for ch in set(q)))
            self._close[memo] = difflib.get_close_matches(q, pool, n=n, cutoff=cutoff)
        return list(self._close[memo])

    def _unit_keys(self, uid: str) -> list[_Key]:
        if not hasattr(self, "_by_unit"):
            self._by_unit: dict[str, list[_Key]] = {}
            for ks in self._keys.values():
                for k in ks:
                    if k.tier != TIER_CODE:
                        self._by_unit.setdefault(k.unit_id, []).append(k)
        return self._by_unit.get(uid, [])

    def _check_year(self, q: str, year: int, keys: list[_Key], m: Match) -> None:
        """Raise :class:`NotInYear` when the unit had no name at all in ``year`` (a rename of the
        same unit — 思茅市 → 普洱市 — is not a gap: an old name in a later year is that unit)."""
        if not keys or not all(k.strict for k in keys):
            return
        every = self._unit_keys(m.unit_id) or keys
        if any(not k.strict for k in every):
            return
        if any((k.start is None or k.start <= year) and (k.end is None or year <= k.end) for k in every):
            return
        valid = ", ".join(f"{k.start or '…'}–{k.end or '…'}" for k in keys)
        raise NotInYear(q, year, m, valid, self._successor.get(m.unit_id, ""))

    def _narrow(self, keys: list[_Key], year: int | None, province: str | None,
                level: str | None = None) -> dict[str, str]:
        units = {k.unit_id: k.how for k in keys}
        if len(units) > 1 and year is not None:
            valid = {k.unit_id: k.how for k in keys
                     if (k.start is None or k.start <= year) and (k.end is None or year <= k.end)}
            if valid:
                units = valid
        if len(units) > 1 and province:
            inprov = {u: h for u, h in units.items() if self._units[u].province.startswith(province[:2])}
            if inprov:
                units = inprov
        if len(units) > 1 and level:
            lv = {u: h for u, h in units.items()
                  if (self._units[u].level == "prefecture") == (level == "prefecture")}
            if lv:
                units = lv
        if len(units) > 1:
            reg = {u: h for u, h in units.items() if self._units[u].in_registry}
            # A registry row and a non-registry unit with the same code are the same unit.
            if len(reg) == 1 and all(u in reg or u == next(iter(reg)) for u in units):
                units = reg
        return units

    def candidates(self, query: str) -> list[Match]:
        """All units any key equal to ``query`` points at (for UIs and error messages)."""
        return [self._units[k.unit_id] for k in self._keys.get(query.strip(), [])]


@lru_cache(maxsize=2)
def get_resolver(scope: str = "registry") -> Resolver:
    """A cached resolver (building the 'all' index reads ~7,000 codes once)."""
    return Resolver(scope)


def resolve_city(query: str, year: int | None = None, province: str | None = None) -> Match:
    """Resolve a registry city (one of the 262); raise UnknownCity/AmbiguousCity otherwise."""
    return get_resolver("registry").resolve(query, year, province)
