"""The checks spec (``config/checks.yaml``): rules, thresholds and which severities hold a value
out of the engines. Every default in the file says whose it is."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from rbcity.errors import UserError

RULES = ("yoy_break", "scale_error", "identity", "peer_outlier", "source_disagreement", "repeated_value")


class ChecksSpecError(UserError):
    """config/checks.yaml is malformed (names the key)."""


@cache
def load_checks_spec() -> dict:
    """The parsed spec; raises :class:`ChecksSpecError` naming a missing key."""
    text = resources.files("rbcity").joinpath("config", "checks.yaml").read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    for key in ("source", "hold_out_severities", "max_share", "rules"):
        if key not in (spec or {}):
            raise ChecksSpecError(f"config/checks.yaml: missing key {key!r}")
    for rule in RULES:
        if rule not in spec["rules"] or "severity" not in spec["rules"][rule]:
            raise ChecksSpecError(f"config/checks.yaml: rules.{rule}.severity missing")
    return spec
