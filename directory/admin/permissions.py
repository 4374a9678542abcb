"""Who may read or change what (pure functions, no database).

Roles:
- "admin": regional administrator — everything, including accounts,
  categories, region-wide services and region-wide campaigns.
- "mrc": staff of one MRC (user.mrc_id) — the services with at least one
  service area in their MRC (the whole MRC, or a municipality of it), the
  campaigns of their MRC, the unmet-needs statistics of their MRC.
- "organization": editor of one organisation (user.organization_id) — the
  services of that organisation and the organisation itself.

An area is a tuple (scope, mrc_id, municipality_id); `municipality_mrc`
maps a municipality id to its MRC id.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLES = ("admin", "mrc", "organization")
ROLE_LABELS = {
    "admin": "Administration régionale",
    "mrc": "Personnel de MRC",
    "organization": "Organisme",
}

Area = tuple  # (scope, mrc_id, municipality_id)


@dataclass(frozen=True)
class Actor:
    id: str
    email: str
    name: str
    role: str
    mrc_id: str | None = None
    organization_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def from_user(cls, user) -> Actor:
        return cls(user.id, user.email, user.name or "", user.role, user.mrc_id, user.organization_id)


def area_mrc(area: Area, municipality_mrc: Mapping[str, str]) -> str | None:
    """The MRC of an area; None for a region-wide area."""
    scope, mrc_id, municipality_id = area
    if scope == "municipality":
        return municipality_mrc.get(municipality_id) or mrc_id
    if scope == "mrc":
        return mrc_id
    return None


def area_in_actor_mrc(actor: Actor, area: Area, municipality_mrc: Mapping[str, str]) -> bool:
    return actor.role == "mrc" and actor.mrc_id is not None and area[0] != "region" and area_mrc(area, municipality_mrc) == actor.mrc_id


def can_edit_service(actor: Actor, organization_id: str | None, areas: Iterable[Area], municipality_mrc: Mapping[str, str]) -> bool:
    """Reading a service in the admin and changing it go together."""
    if actor.role == "admin":
        return True
    if actor.role == "organization":
        return actor.organization_id is not None and organization_id == actor.organization_id
    if actor.role == "mrc":
        return any(area_in_actor_mrc(actor, a, municipality_mrc) for a in areas)
    return False


def area_change_problem(actor: Actor, before: Iterable[Area], after: Iterable[Area], municipality_mrc: Mapping[str, str]) -> str | None:
    """Why `actor` may not turn the areas `before` into `after` (None: allowed).

    Admins and organisation editors choose any area. MRC staff add or remove
    only areas of their own MRC; the areas of other MRCs and region-wide
    areas stay as they are.
    """
    before_set, after_set = set(map(tuple, before)), set(map(tuple, after))
    if not after_set:
        return "Il faut au moins une zone de service."
    if actor.role != "mrc":
        return None
    for area in before_set ^ after_set:
        if not area_in_actor_mrc(actor, area, municipality_mrc):
            return "Vous ne pouvez modifier que les zones de votre MRC."
    if not before_set and not any(area_in_actor_mrc(actor, a, municipality_mrc) for a in after_set):
        return "Un nouveau service doit desservir votre MRC."
    return None


def can_edit_organization(actor: Actor, organization_id: str, service_areas: Iterable[Iterable[Area]], municipality_mrc: Mapping[str, str]) -> bool:
    """An organisation's own fields (name, website…) affect all its services.

    MRC staff may change an organisation only when every one of its services
    is one they may edit (the organisation works in their MRC only).
    """
    if actor.role == "admin":
        return True
    if actor.role == "organization":
        return organization_id == actor.organization_id
    if actor.role == "mrc":
        groups = [list(areas) for areas in service_areas]
        return bool(groups) and all(can_edit_service(actor, organization_id, areas, municipality_mrc) for areas in groups)
    return False


def can_use_organization(actor: Actor, organization_id: str) -> bool:
    """Whether a (new or moved) service may be attached to this organisation."""
    if actor.role == "organization":
        return organization_id == actor.organization_id
    return actor.role in ("admin", "mrc")


def can_create_organization(actor: Actor) -> bool:
    return actor.role in ("admin", "mrc")


def can_manage_campaign(actor: Actor, campaign_mrc_id: str | None) -> bool:
    if actor.role == "admin":
        return True
    return actor.role == "mrc" and campaign_mrc_id is not None and campaign_mrc_id == actor.mrc_id


def can_see_needs(actor: Actor) -> bool:
    return actor.role in ("admin", "mrc")


def needs_mrc_scope(actor: Actor) -> str | None:
    """The only MRC whose statistics this actor sees (None: all)."""
    return actor.mrc_id if actor.role == "mrc" else None


def can_manage_users(actor: Actor) -> bool:
    return actor.role == "admin"


def can_manage_categories(actor: Actor) -> bool:
    return actor.role == "admin"


def can_set_priority(actor: Actor) -> bool:
    return actor.role == "admin"
