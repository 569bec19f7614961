"""Roles scoped to places: who may read and act on which city's form.

* ``reporter`` — one city (``app_user.scope_unit``): uploads and submits its own form;
* ``province_reviewer`` — the cities of one province (``scope_province``): returns or accepts;
* ``national_reviewer`` and ``admin`` — every city: return, accept and publish.

Other roles (analyst, viewer) see no unpublished form. The check is a pure function of the
scope and the city, so every web route and page calls the same one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from rbcity.data import schema as s
from rbcity.errors import UserError

REPORTING_ROLES = ("reporter", "province_reviewer", "national_reviewer")
NATIONAL = ("national_reviewer", "admin")

#: action → (roles that may take it, statuses it starts from, status it leads to)
ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str | None, ...], str]] = {
    "upload": (("reporter", "admin"), (None, "draft", "returned"), "draft"),
    "submit": (("reporter", "admin"), ("draft", "returned"), "submitted"),
    "return": (("province_reviewer", *NATIONAL), ("submitted", "accepted"), "returned"),
    "accept": (("province_reviewer", *NATIONAL), ("submitted",), "accepted"),
    "publish": (NATIONAL, ("accepted",), "published"),
}


class ScopeRefused(UserError, PermissionError):
    """A user acting or reading outside the place (or role) they are scoped to (HTTP 403)."""

    status = 403


@dataclass(frozen=True)
class Scope:
    username: str
    role: str
    unit_id: str = ""
    province: str = ""

    def covers(self, unit_id: str, province: str) -> bool:
        """True when this user may see the (unpublished) form of the city ``unit_id``."""
        if self.role in NATIONAL:
            return True
        if self.role == "province_reviewer":
            return bool(self.province) and province == self.province
        if self.role == "reporter":
            return bool(self.unit_id) and unit_id == self.unit_id
        return False

    def may(self, action: str, unit_id: str, province: str) -> bool:
        """True when this user's role may take ``action`` and the city is in scope."""
        return self.role in ACTIONS[action][0] and self.covers(unit_id, province)

    def actions_now(self, status: str | None, unit_id: str, province: str) -> list[str]:
        """The actions this user may take on a form in ``status`` (None: no form yet), in
        :data:`ACTIONS` order — what a page offers as buttons; the workflow checks again."""
        return [a for a, (_, starts, _) in ACTIONS.items()
                if status in starts and self.may(a, unit_id, province)]


def scope_of(engine: Engine, username: str) -> Scope | None:
    """The user's role and place, or None for an unknown user."""
    u = s.app_user.c
    with engine.connect() as conn:
        row = conn.execute(select(u.role, u.scope_unit, u.scope_province).where(u.username == username)).first()
    return None if row is None else Scope(username, row.role, row.scope_unit or "", row.scope_province or "")


def place_for(role: str, city: str | None, province: str | None) -> tuple[str, str]:
    """(unit_id, province) a role is scoped to, from a city or province name as typed; a
    reporter needs a city, a province reviewer a province, other roles neither."""
    from rbcity.registry.query import parse_province
    from rbcity.registry.resolve import resolve_city

    if role == "reporter":
        if not city or province:
            raise UserError("填报员须指定且仅指定城市 a reporter needs --city (and no --province)")
        return resolve_city(city).unit_id, ""
    if role == "province_reviewer":
        if not province or city:
            raise UserError("省级审核员须指定且仅指定省份 a province reviewer needs --province (and no --city)")
        return "", parse_province(province)
    if city or province:
        raise UserError(f"角色 {role} 不限定地区 role {role} is not scoped to a place: drop --city/--province")
    return "", ""


def set_scope(engine: Engine, username: str, unit_id: str, province: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(s.app_user).where(s.app_user.c.username == username)
                     .values(scope_unit=unit_id, scope_province=province))
