"""Who may do what in the admin: the one place for role rules (pure functions of an actor and a record).

Controllers ask here (`ctx.require(policy.can_...)`) and never compare roles
themselves. The only SQL is `scope_clause`/`organization_scope_clause`, the
same rule written as a condition, so lists show exactly what may be opened.

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
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from directory.areas import services_local_to_mrc
from directory.models import Organization, Service

ROLES = ("admin", "mrc", "organization")
ROLE_LABELS = {
    "admin": "Administration régionale",
    "mrc": "Personnel de MRC",
    "organization": "Organisme",
}

Area = tuple[Any, ...]  # (scope, mrc_id, municipality_id)


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
    def from_user(cls, user: Any) -> Actor:
        return cls(user.id, user.email, user.name or "", user.role, user.mrc_id, user.organization_id)


def area_mrc(area: Area, municipality_mrc: Mapping[str, str]) -> str | None:
    """The MRC of an area; None for a region-wide area."""
    scope: str
    mrc_id: str | None
    municipality_id: str | None
    scope, mrc_id, municipality_id = area
    if scope == "municipality":
        return municipality_mrc.get(municipality_id or "") or mrc_id
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


def own_mrc(actor: Actor) -> str | None:
    """The one MRC an MRC staff member works for (None for every other role)."""
    return actor.mrc_id if actor.role == "mrc" else None


def own_organization(actor: Actor) -> str | None:
    """The one organisation an organisation editor works for (None for every other role)."""
    return actor.organization_id if actor.role == "organization" else None


def choosable_mrcs(actor: Actor, mrcs: Mapping[str, str]) -> dict[str, str]:
    """The MRCs this actor may pick in a form or a filter (id -> name)."""
    mine = own_mrc(actor)
    if mine is not None:
        return {mine: mrcs.get(mine, mine)}
    return dict(mrcs)


def can_choose_region(actor: Actor) -> bool:
    """Whether a service may be given the whole region as its area by this actor (MRC staff: only their MRC)."""
    return actor.role != "mrc"


def choosable_organizations(actor: Actor, organizations: Mapping[str, str]) -> dict[str, str]:
    """The organisations a service may be attached to by this actor (id -> name)."""
    if actor.role == "organization":
        return {k: v for k, v in organizations.items() if k == actor.organization_id}
    return dict(organizations)


def can_see_campaigns(actor: Actor) -> bool:
    return actor.role in ("admin", "mrc")


def can_send_listing_link(actor: Actor, may_edit_organization: bool) -> bool:
    """Asking an organisation to confirm its listing is staff work (not the organisation's own editors)."""
    return may_edit_organization and actor.role in ("admin", "mrc")


def can_use_second_factor(actor: Actor) -> bool:
    """Only regional administrators (who hold every right) set up a second factor."""
    return actor.role == "admin"


def area_tuples(areas: Iterable[Any]) -> list[Area]:
    """Areas as (scope, mrc_id, municipality_id), from snapshot dicts or ServiceArea rows."""
    return [(a["scope"], a.get("mrc_id"), a.get("municipality_id")) if isinstance(a, dict)
            else (a.scope, a.mrc_id, a.municipality_id) for a in areas]


def change_problem(actor: Actor, before: Mapping[str, Any] | None, after: Mapping[str, Any],
                   municipality_mrc: Mapping[str, str]) -> str | None:
    """Why `actor` may not turn the service snapshot `before` (None: a new service) into `after` (None: allowed).

    One rule for the form, a restored version and an imported CSV row.
    """
    before_areas = area_tuples((before or {}).get("service_areas", []))
    after_areas = area_tuples(after.get("service_areas", []))
    # A service residents are not offered (inactive, archived: a one-off action kept in
    # the history) may keep having no area; any change of areas is still checked.
    offered = after.get("status") in ("active", "temporarily closed")
    if offered or before_areas != after_areas:
        problem = area_change_problem(actor, before_areas, after_areas, municipality_mrc)
        if problem:
            return problem
    org_id = after.get("organization_id")
    if org_id and (before is None or org_id != before.get("organization_id")) and not can_use_organization(actor, org_id):
        return "Vous ne pouvez pas rattacher ce service à un autre organisme."
    if after.get("new_organization_name") and not can_create_organization(actor):
        return "Vous ne pouvez pas créer d'organisme."
    if (before or {}).get("priority", 0) != after.get("priority", 0) and not can_set_priority(actor):
        return "Seule l'administration régionale change la priorité."
    return None


def scope_clause(actor: Actor) -> ColumnElement[Any] | None:
    """SQL condition on Service: what this actor may read and change (None: all); `can_edit_service` as SQL."""
    if actor.role == "admin":
        return None
    if actor.role == "organization":
        return Service.organization_id == actor.organization_id
    if actor.role == "mrc" and actor.mrc_id:
        return Service.id.in_(services_local_to_mrc(actor.mrc_id))
    return Service.id.is_(None)


def organization_scope_clause(actor: Actor) -> ColumnElement[Any] | None:
    """SQL condition on Organization: the organisations this actor sees in the list (None: all)."""
    if actor.role == "organization":
        return Organization.id == actor.organization_id
    services = scope_clause(actor)
    if services is None:
        return None
    return Organization.id.in_(select(Service.organization_id).where(services))
