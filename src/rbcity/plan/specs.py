"""Engine specs: one YAML file per engine in ``rbcity/config/`` whose every default says whose
it is (``source:`` — "rbcity default (ours)" or a citation), merged with user overrides.

A spec is plain data (dicts, lists, numbers, strings) so it can be stored with a run as JSON
and hashed (:func:`rbcity.plan.runs.spec_hash`); the engines read it, never the YAML files.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from rbcity.errors import UserError

ENGINES = ("identify", "classify", "targets", "warning", "coordination", "exhausted_assessment")


class SpecError(UserError):
    """A spec file or override is malformed (names the file and the key)."""


@cache
def _read_default(name: str) -> dict:
    path = resources.files("rbcity").joinpath("config", f"{name}.yaml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SpecError(f"没有引擎配置 no spec for engine {name!r} (config/{name}.yaml)") from exc
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or "source" not in data:
        raise SpecError(f"config/{name}.yaml: a spec must be a mapping with a 'source' key")
    return data


def deep_merge(base: dict, override: dict) -> dict:
    """``base`` updated by ``override`` recursively (mappings merge, everything else replaces)."""
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_spec(name: str, override: dict | str | Path | None = None) -> dict:
    """The default spec of engine ``name`` merged with ``override`` (a mapping or a YAML file).

    An override that changes anything should also change ``source`` so a stored run says whose
    the numbers are; when it does not, ``source`` gets " + user override" appended.
    """
    if name not in ENGINES:
        raise SpecError(f"未知引擎 unknown engine {name!r}; allowed: {', '.join(ENGINES)}")
    spec = copy.deepcopy(_read_default(name))
    if override is None:
        return spec
    if isinstance(override, str | Path):
        p = Path(override)
        if not p.exists():
            raise SpecError(f"配置文件不存在 spec file not found: {p}")
        override = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        if not isinstance(override, dict):
            raise SpecError(f"{p}: a spec override must be a mapping")
    merged = deep_merge(spec, override)
    if override and "source" not in override:
        merged["source"] = f"{spec['source']} + user override"
    return merged
