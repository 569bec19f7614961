"""The indicator catalogue and the plan's targets, from ``config/indicators.yaml``.

One editable YAML file holds every indicator rbcity knows (id, 中文名, English name, unit,
direction, dimension, definition, source, valid range, header aliases) and the plan's text
targets. :func:`sync_catalogue` writes both into the store idempotently; user-imported target
rows (``rbcity targets import``) live beside the shipped ones and are never touched by a sync.

Header matching (:func:`match_header`) understands the yearbook style ``指标_口径_单位``
(``地区生产总值_当年价格_全市_万元``), a unit in brackets (``GDP（万元）``, ``gdp[万元]``) and
plain ids (``gdp``). Nothing is matched by similarity.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.data.units import is_unit_token, normalise_unit
from rbcity.errors import UserError

DIMENSIONS = ("resource", "economy", "society", "environment")
MODES = ("level", "change", "cumulative", "count")
COMPARATORS = (">=", "<=", ">", "<", "=", "~")
CATALOGUE_COLUMNS = ["indicator_id", "name_zh", "name_en", "unit", "direction", "dimension",
                     "definition", "source", "min_value", "max_value"]
TARGET_COLUMNS = ["indicator_id", "scope", "baseline_year", "baseline_value", "target_year",
                  "target_value", "comparator", "mode", "attribute", "source", "status"]
#: 口径 and price-basis tokens of yearbook headers: they qualify an indicator, they do not name it.
SCOPE_TOKENS = {"全市", "市辖区", "市", "全市合计", "市区", "城区", "县", "当年价格", "当年价",
                "可比价格", "可比价", "现价", "不变价", "地级以上城市", "合计"}
#: A 口径 token that says the data are prefecture-level (``level='prefecture'`` for the resolver).
PREFECTURE_TOKENS = {"全市", "市辖区", "市区", "地级以上城市"}
ENV_VAR = "RBCITY_INDICATORS"


class CatalogueError(UserError, ValueError):
    """The indicator catalogue file is malformed (says which entry and field)."""


def catalogue_path() -> Path:
    """``$RBCITY_INDICATORS`` if set, else the shipped ``config/indicators.yaml``."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(str(resources.files("rbcity") / "config" / "indicators.yaml"))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    if not isinstance(doc.get("indicators"), list):
        raise CatalogueError(f"{path}: no 'indicators' list")
    seen = set()
    for i, ind in enumerate(doc["indicators"]):
        where = f"{path}: indicators[{i}] ({ind.get('id', '?')})"
        for key in ("id", "name_zh", "name_en", "unit", "direction", "dimension"):
            if ind.get(key) in (None, ""):
                raise CatalogueError(f"{where}: missing {key}")
        if ind["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id")
        seen.add(ind["id"])
        if ind["dimension"] not in DIMENSIONS:
            raise CatalogueError(f"{where}: dimension must be one of {DIMENSIONS}")
        if ind["direction"] not in (1, -1):
            raise CatalogueError(f"{where}: direction must be 1 or -1")
    for i, t in enumerate(doc.get("targets") or []):
        if t.get("indicator_id") not in seen:
            raise CatalogueError(f"{path}: targets[{i}]: unknown indicator {t.get('indicator_id')!r}")
    return doc


def _doc() -> dict:
    p = catalogue_path()
    return _load(str(p), p.stat().st_mtime)


def load_catalogue() -> pd.DataFrame:
    """One row per indicator: ``indicator_id, name_zh, name_en, unit, direction, dimension,
    definition, source, min_value, max_value`` (range in the catalogue unit; NaN = open)."""
    rows = [dict(indicator_id=i["id"], name_zh=i["name_zh"], name_en=i["name_en"], unit=i["unit"],
                 direction=int(i["direction"]), dimension=i["dimension"],
                 definition=i.get("definition", "") or "", source=i.get("source", "") or "",
                 min_value=i.get("min"), max_value=i.get("max"))
            for i in _doc()["indicators"]]
    df = pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)
    df["min_value"] = pd.to_numeric(df["min_value"]).astype(float)
    df["max_value"] = pd.to_numeric(df["max_value"]).astype(float)
    return df


def load_targets() -> pd.DataFrame:
    """The shipped targets: ``indicator_id, scope, baseline_year, baseline_value, target_year,
    target_value, comparator, mode (level|change|cumulative|count), attribute, source, status``."""
    rows = [{c: t.get(c) for c in TARGET_COLUMNS} for t in _doc().get("targets") or []]
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    for c in ("baseline_year", "target_year"):
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    for c in ("baseline_value", "target_value"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    for c in ("scope", "comparator", "mode", "attribute", "source", "status"):
        df[c] = df[c].fillna("").astype(str)
    return df


def _norm(text: str) -> str:
    """Key for alias matching: no whitespace, ASCII lower-cased, full-width brackets folded."""
    t = re.sub(r"\s+", "", str(text))
    t = t.replace("（", "(").replace("）", ")").replace("【", "[").replace("】", "]")
    return t.lower()


@lru_cache(maxsize=4)
def _alias_index(path: str, mtime: float) -> dict[str, str]:
    idx: dict[str, str] = {}
    for ind in _load(path, mtime)["indicators"]:
        for name in [ind["id"], ind["name_zh"], ind["name_en"], *(ind.get("aliases") or [])]:
            idx.setdefault(_norm(name), ind["id"])
    return idx


@lru_cache(maxsize=4)
def _alias_lists(path: str, mtime: float) -> dict[str, tuple[str, ...]]:
    idx: dict[str, list[str]] = {}
    for ind in _load(path, mtime)["indicators"]:
        for name in [ind["id"], ind["name_zh"], ind["name_en"], *(ind.get("aliases") or [])]:
            lst = idx.setdefault(_norm(name), [])
            if ind["id"] not in lst:
                lst.append(ind["id"])
    return {k: tuple(v) for k, v in idx.items()}


def match_indicators(name: str) -> tuple[str, ...]:
    """Every indicator a name/id/alias names (several when indicators differ only in 口径 or
    price basis, e.g. a 全市 and a 市辖区 GDP); the importer picks by the header's qualifiers."""
    p = catalogue_path()
    return _alias_lists(str(p), p.stat().st_mtime).get(_norm(name), ())


def qualifiers() -> dict[str, tuple[str, str]]:
    """indicator id → (口径 scope, price basis) as the catalogue states them: ``scope`` defaults
    to 全市 (whole city, the yearbooks' main table); ``price_basis`` to 当年价 (current prices,
    or not a price at all). A header qualifier must agree with these (see rbcity.data.ingest.headers)."""
    return {i["id"]: (i.get("scope") or "全市", i.get("price_basis") or "当年价") for i in _doc()["indicators"]}


def twin(indicator_id: str, scope: str | None = None, price_basis: str | None = None) -> str | None:
    """The catalogue indicator with ``indicator_id``'s concept in the stated 口径/price basis:
    itself when it already has them, else the entry whose ``of:`` names it (or shares its
    ``of:``); None when there is none — a 市辖区 value is never stored under a 全市 id."""
    q = qualifiers()
    if indicator_id not in q:
        return None
    want = (scope or q[indicator_id][0], price_basis or q[indicator_id][1])
    entries = _doc()["indicators"]
    base = next((e.get("of") for e in entries if e["id"] == indicator_id), None) or indicator_id
    family = [e["id"] for e in entries if e["id"] == base or e.get("of") == base]
    return next((i for i in family if q[i] == want), None)


def alias_index() -> dict[str, str]:
    """Normalised name/alias/id → indicator id."""
    p = catalogue_path()
    return _alias_index(str(p), p.stat().st_mtime)


@dataclass(frozen=True)
class HeaderMatch:
    """What a column header says: the indicator (or None), the stated unit (or None), and
    whether a 口径 token marks the data as prefecture-level."""

    indicator_id: str | None
    unit: str | None
    prefecture: bool = False


def match_indicator(name: str) -> str | None:
    """The indicator an indicator name/id/alias names (None when unknown)."""
    return alias_index().get(_norm(name))


def match_header(header: str) -> HeaderMatch:
    """Parse a wide-layout header: ``指标_口径_单位``, ``指标 口径``, ``指标(单位)``, ``id[unit]``."""
    h = str(header).strip()
    unit = None
    m = re.match(r"^(.*?)\s*[(（\[【]\s*([^()（）\[\]【】]+?)\s*[)）\]】]\s*$", h)
    if m and is_unit_token(m.group(2)):
        h, unit = m.group(1), normalise_unit(m.group(2))
    elif m and match_indicator(m.group(1)):  # a known indicator with a unit rbcity cannot convert
        return HeaderMatch(match_indicator(m.group(1)), m.group(2).strip())
    direct = match_indicator(h)
    if direct:
        return HeaderMatch(direct, unit)
    tokens = [t for t in re.split(r"[_\s]+", h) if t]
    prefecture = any(t in PREFECTURE_TOKENS for t in tokens)
    name_tokens = []
    for t in tokens:
        if t in SCOPE_TOKENS:
            continue
        if unit is None and is_unit_token(t) and name_tokens:
            unit = normalise_unit(t)
            continue
        name_tokens.append(t)
    if not name_tokens:
        return HeaderMatch(None, unit, prefecture)
    return HeaderMatch(match_indicator("".join(name_tokens)), unit, prefecture)


def sync_catalogue(engine: Engine) -> dict[str, int]:
    """Write the catalogue and the shipped targets into the store (idempotent).

    Indicators are upserted; an indicator that left the YAML stays while observations use it.
    Shipped targets (``batch_id`` NULL) are replaced by the YAML's; imported ones are kept.
    """
    cat = load_catalogue()
    rows = [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
            for r in cat.to_dict("records")]
    tg = load_targets()
    trows = []
    for r in tg.to_dict("records"):
        trows.append({k: (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
                      for k, v in r.items()})
    changed = 0
    with engine.begin() as conn:
        have = {r["indicator_id"]: dict(r) for r in conn.execute(select(s.indicator)).mappings()}
        for r in rows:
            old = have.get(r["indicator_id"])
            if old is None:
                conn.execute(insert(s.indicator), [r])
                changed += 1
            elif any(old[k] != r[k] for k in r):
                conn.execute(update(s.indicator).where(s.indicator.c.indicator_id == r["indicator_id"])
                             .values(**r))
                changed += 1
        old_t = [{c: r[c] for c in TARGET_COLUMNS} for r in
                 conn.execute(select(s.target).where(s.target.c.batch_id.is_(None))
                              .order_by(s.target.c.id)).mappings()]
        if old_t != trows:
            conn.execute(delete(s.target).where(s.target.c.batch_id.is_(None)))
            if trows:
                conn.execute(insert(s.target), trows)
            changed += len(trows)
    return {"indicators": len(rows), "targets": len(trows), "changed": changed}


def stored_targets(engine: Engine) -> pd.DataFrame:
    """Every target in the store (shipped and imported), with its ``batch_id``."""
    with engine.connect() as conn:
        return pd.read_sql(select(s.target).order_by(s.target.c.id), conn)
