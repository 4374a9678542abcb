"""search(need, place): the services that serve a place, best first.

Ranking: services whose area names the municipality, then those covering its
whole MRC, then region-wide lines. A service of another MRC is never returned
as local; when an MRC has nothing for a need, services of neighbouring MRCs
are returned apart (`nearby`) so the answer can present them honestly.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from .formatting import format_phone, mrc_display
from .gazetteer import Gazetteer, Place, Resolution, default_gazetteer
from .models import Category, Organization, Service, ServiceArea, ServiceAtLocation, service_category
from .needs import NeedMatcher, matcher_from_rows
from .schedules import OpeningStatus, ScheduleRule, opening_status
from .text import fold

TZ = ZoneInfo("America/Toronto")
VISIBLE_STATUSES = ("active", "temporarily closed")

# MRCs that touch each other, for "nothing here, but next door…".
NEIGHBOURS = {
    "kamouraska": ("riviere-du-loup", "temiscouata"),
    "riviere-du-loup": ("kamouraska", "les-basques", "temiscouata"),
    "les-basques": ("riviere-du-loup", "rimouski-neigette", "temiscouata"),
    "rimouski-neigette": ("les-basques", "la-mitis", "temiscouata"),
    "la-mitis": ("rimouski-neigette", "la-matanie", "la-matapedia"),
    "la-matanie": ("la-mitis", "la-matapedia"),
    "la-matapedia": ("la-mitis", "la-matanie"),
    "temiscouata": ("kamouraska", "riviere-du-loup", "les-basques", "rimouski-neigette"),
}

# Rank of an area match: lower is closer to the resident.
RANK_MUNICIPALITY, RANK_MRC, RANK_MRC_PART, RANK_REGION, RANK_NEIGHBOUR = 0, 1, 2, 3, 4
SCOPE_NAMES = {
    RANK_MUNICIPALITY: "municipality",
    RANK_MRC: "mrc",
    RANK_MRC_PART: "municipality_in_mrc",
    RANK_REGION: "region",
    RANK_NEIGHBOUR: "neighbour",
}


@dataclass(frozen=True)
class PhoneInfo:
    number: str
    display: str
    extension: str | None
    type: str
    description: str | None


@dataclass(frozen=True)
class ServiceResult:
    id: str
    name: str
    organization: str
    description: str
    categories: tuple[str, ...]
    phones: tuple[PhoneInfo, ...]
    url: str | None
    email: str | None
    address: str | None
    status: str
    assured_date: dt.date | None
    scope: str
    area_label: str
    opening: OpeningStatus
    schedule_description: str | None
    eligibility_description: str | None
    fees_description: str | None
    application_process: str | None
    priority: int

    @property
    def has_contact(self) -> bool:
        return bool(self.phones or self.url or self.email or self.address)


@dataclass
class SearchOutcome:
    need: str | None
    need_label: str | None
    place: Place | None
    resolution: Resolution | None
    results: list[ServiceResult] = field(default_factory=list)
    local_count: int = 0  # results of the municipality or its MRC (not region-wide)
    nearby: list[ServiceResult] = field(default_factory=list)
    total: int = 0

    @property
    def found_local(self) -> bool:
        return self.local_count > 0


class _MatcherCache:
    """Rebuilds the need matcher only when the categories change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._matcher: NeedMatcher | None = None
        self._labels: dict[str, str] = {}

    def get(self, session: Session) -> tuple[NeedMatcher, dict[str, str]]:
        rows = session.execute(select(Category)).scalars().all()
        key = tuple(sorted((r.id, r.label, r.synonyms, r.position, r.resident_facing) for r in rows))
        with self._lock:
            if key != self._key:
                self._matcher = matcher_from_rows(rows)
                self._labels = {r.id: r.label for r in rows}
                self._key = key
            return self._matcher, self._labels


_matchers = _MatcherCache()


def resolve_need(session: Session, need: str | None) -> tuple[str | None, str | None]:
    """A category id or free text -> (category id, label); (None, None) if nothing matches."""
    if not need or not need.strip():
        return None, None
    matcher, labels = _matchers.get(session)
    if need in labels:
        return need, labels[need]
    best = matcher.best(need)
    return (best, labels.get(best)) if best else (None, None)


def _area_clause(place: Place):
    """SQL condition on ServiceArea and the rank it gives, per place kind."""
    if place.kind == "municipality":
        return [
            (and_(ServiceArea.scope == "municipality", ServiceArea.municipality_id == place.municipality_id), RANK_MUNICIPALITY),
            (and_(ServiceArea.scope == "mrc", ServiceArea.mrc_id == place.mrc_id), RANK_MRC),
            (ServiceArea.scope == "region", RANK_REGION),
        ]
    if place.kind == "mrc":
        return [
            (and_(ServiceArea.scope == "mrc", ServiceArea.mrc_id == place.mrc_id), RANK_MRC),
            (and_(ServiceArea.scope == "municipality", ServiceArea.mrc_id == place.mrc_id), RANK_MRC_PART),
            (ServiceArea.scope == "region", RANK_REGION),
        ]
    return [(ServiceArea.scope == "region", RANK_REGION)]


def _candidate_ranks(session: Session, place: Place, category_id: str | None) -> dict[str, tuple[int, int]]:
    """service id -> (area rank, priority) for visible services of the place."""
    clauses = _area_clause(place)
    stmt = select(ServiceArea.service_id, ServiceArea.scope, ServiceArea.mrc_id, ServiceArea.municipality_id, Service.priority).join(
        Service, Service.id == ServiceArea.service_id
    ).where(Service.status.in_(VISIBLE_STATUSES), or_(*[c for c, _ in clauses]))
    if category_id:
        stmt = stmt.join(service_category, service_category.c.service_id == Service.id).where(
            service_category.c.category_id == category_id
        )
    ranks: dict[str, tuple[int, int]] = {}
    for service_id, scope, mrc_id, municipality_id, priority in session.execute(stmt):
        rank = _rank_of(place, scope, mrc_id, municipality_id)
        if rank is None:
            continue
        if service_id not in ranks or rank < ranks[service_id][0]:
            ranks[service_id] = (rank, priority or 0)
    return ranks


def _rank_of(place: Place, scope: str, mrc_id: str | None, municipality_id: str | None) -> int | None:
    if scope == "region":
        return RANK_REGION
    if scope == "mrc" and mrc_id == place.mrc_id:
        return RANK_MRC
    if scope == "municipality":
        if place.kind == "municipality" and municipality_id == place.municipality_id:
            return RANK_MUNICIPALITY
        if place.kind == "mrc" and mrc_id == place.mrc_id:
            return RANK_MRC_PART
    return None


def _load_services(session: Session, ids: list[str]) -> dict[str, Service]:
    if not ids:
        return {}
    stmt = (
        select(Service)
        .where(Service.id.in_(ids))
        .options(
            selectinload(Service.organization),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.categories),
            selectinload(Service.service_areas).selectinload(ServiceArea.mrc),
            selectinload(Service.service_areas).selectinload(ServiceArea.municipality),
            selectinload(Service.locations).selectinload(ServiceAtLocation.location),
        )
    )
    return {s.id: s for s in session.execute(stmt).scalars()}


def _area_label(service: Service) -> str:
    parts = []
    for area in service.service_areas:
        if area.scope == "region":
            return "tout le Bas-Saint-Laurent"
        if area.scope == "mrc" and area.mrc:
            parts.append(mrc_display(area.mrc.name))
        elif area.scope == "municipality" and area.municipality:
            parts.append(area.municipality.name)
    return ", ".join(parts)


def _address(service: Service) -> str | None:
    for link in service.locations:
        loc = link.location
        if loc and (loc.address_1 or loc.city):
            bits = [b for b in (loc.address_1, loc.city, loc.postal_code) if b]
            return ", ".join(bits)
    return None


def to_result(service: Service, rank: int, now: dt.datetime) -> ServiceResult:
    rules = [ScheduleRule.from_row(s) for s in service.schedules]
    descriptions = [s.description for s in service.schedules if s.description]
    phones = list(service.phones)
    return ServiceResult(
        id=service.id,
        name=service.name,
        organization=service.organization.name if service.organization else "",
        description=service.description or "",
        categories=tuple(c.id for c in service.categories),
        phones=tuple(
            PhoneInfo(p.number, format_phone(p.number, p.extension), p.extension, p.type or "voice", p.description)
            for p in phones
        ),
        url=service.url or (service.organization.website if service.organization else None),
        email=service.email or (service.organization.email if service.organization else None),
        address=_address(service),
        status=service.status,
        assured_date=service.assured_date,
        scope=SCOPE_NAMES[rank],
        area_label=_area_label(service),
        opening=opening_status(rules, now),
        schedule_description=" ".join(descriptions) or None,
        eligibility_description=service.eligibility_description,
        fees_description=service.fees_description,
        application_process=service.application_process,
        priority=service.priority or 0,
    )


def _order(ranks: dict[str, tuple[int, int]], services: dict[str, Service], primary: str | None) -> list[str]:
    def key(service_id: str):
        rank, priority = ranks[service_id]
        service = services[service_id]
        cats = [c.id for c in service.categories]
        primary_rank = 0 if (primary and cats and cats[0] == primary) else 1
        closed = 1 if service.status != "active" else 0
        return (rank, closed, primary_rank, -priority, fold(service.name))

    return sorted((i for i in ranks if i in services), key=key)


def _text_filter(session: Session, ranks: dict[str, tuple[int, int]], text: str) -> dict[str, tuple[int, int]]:
    """Free-text need with no category: keep services whose name or description mentions it."""
    query = fold(text)
    if not query:
        return {}
    rows = session.execute(
        select(Service.id, Service.name, Service.description, Organization.name)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.id.in_(list(ranks)))
    ).all()
    keep = {}
    for service_id, name, description, organization in rows:
        haystack = fold(f"{organization} {name} {description}")
        if fuzz.partial_ratio(query, haystack) >= 85:
            keep[service_id] = ranks[service_id]
    return keep


def resolve_place(place: Place | str | None, gazetteer: Gazetteer | None = None) -> tuple[Place | None, Resolution | None]:
    if place is None or isinstance(place, Place):
        return place, None
    resolution = (gazetteer or default_gazetteer()).resolve(place)
    return (resolution.place if resolution.status == "found" else None), resolution


def search(
    session: Session,
    need: str | None,
    place: Place | str | None,
    *,
    now: dt.datetime | None = None,
    limit: int = 10,
    gazetteer: Gazetteer | None = None,
) -> SearchOutcome:
    """Services for `need` (category id or free text; None: every need) at `place`."""
    now = now or dt.datetime.now(TZ)
    resolved, resolution = resolve_place(place, gazetteer)
    category_id, label = resolve_need(session, need)
    outcome = SearchOutcome(need=category_id, need_label=label, place=resolved, resolution=resolution)
    free_text = bool(need and need.strip()) and category_id is None
    if resolved is None:
        # Unknown place: only what serves everyone.
        resolved_for_query = Place(kind="region", mrc_id=None, mrc_name=None)
    else:
        resolved_for_query = resolved
    ranks = _candidate_ranks(session, resolved_for_query, category_id)
    if free_text:
        ranks = _text_filter(session, ranks, need)
    outcome.total = len(ranks)
    outcome.local_count = sum(1 for rank, _ in ranks.values() if rank < RANK_REGION)
    top_ids = sorted(ranks, key=lambda i: (ranks[i][0], -ranks[i][1]))
    # Load a few more than asked so the in-Python ordering sees every tie.
    services = _load_services(session, top_ids[: max(limit * 3, 30)])
    ordered = _order(ranks, services, category_id)[:limit]
    outcome.results = [to_result(services[i], ranks[i][0], now) for i in ordered]

    if outcome.local_count == 0 and category_id and resolved and resolved.mrc_id:
        outcome.nearby = _nearby(session, resolved.mrc_id, category_id, now, limit=3)
    return outcome


def _nearby(session: Session, mrc_id: str, category_id: str, now: dt.datetime, limit: int) -> list[ServiceResult]:
    found: list[ServiceResult] = []
    seen: set[str] = set()
    for neighbour in NEIGHBOURS.get(mrc_id, ()):
        place = Place(kind="mrc", mrc_id=neighbour, mrc_name=None)
        ranks = {
            i: r for i, r in _candidate_ranks(session, place, category_id).items() if r[0] < RANK_REGION and i not in seen
        }
        services = _load_services(session, list(ranks))
        for service_id in _order(ranks, services, category_id):
            seen.add(service_id)
            found.append(to_result(services[service_id], RANK_NEIGHBOUR, now))
            if len(found) >= limit:
                return found
    return found
