"""search(need, place): the services that serve a place, best first.

Ranking: services whose area names the municipality, then those covering its
whole MRC, then region-wide lines. A service of another MRC is never returned
as local; when an MRC has nothing reachable for a need, services of
neighbouring MRCs are returned apart (`nearby`) so the answer can present them
honestly.

Never a bare "aucun service": every outcome says which step of the need's
fallback chain answered (`answered_by`): a local service reachable by phone
or web, else one in a neighbouring MRC, else the regional line of the same
kind (811 option 2, SOS violence conjugale…, from the category data), else
211. `lines` holds those regional lines and 211 when the chain got that far.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from . import geography
from .areas import area_serves
from .categories import LINE_211, fallback_chain
from .formatting import format_phone, mrc_display
from .freshness import SourceRef, freshness
from .gazetteer import Gazetteer, Place, Resolution, default_gazetteer
from .models import (
    Category,
    FactSource,
    Location,
    Mrc,
    Municipality,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_category,
)
from .needs import NeedMatcher, matcher_from_rows
from .plain_text import plain_result
from .schedules import OpeningStatus, ScheduleRule, opening_status
from .text import fold

TZ = geography.TZ
VISIBLE_STATUSES = ("active", "temporarily closed")

# Which step of the fallback chain answered.
ANSWERED_LOCAL, ANSWERED_NEIGHBOUR, ANSWERED_LINE, ANSWERED_211 = "local", "neighbour", "line", "211"

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
    # "Vérifié le 12 mars 2026" or "Selon un article de mars 2024 — à confirmer".
    freshness: str = ""

    @property
    def has_contact(self) -> bool:
        return bool(self.phones or self.url or self.email or self.address)

    @property
    def reachable(self) -> bool:
        """A resident can act on it now: a phone number or a website."""
        return bool(self.phones or self.url)


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
    # Step of the fallback chain that answered: "local", "neighbour", "line" or "211".
    answered_by: str = ""
    # The need's regional lines then 211, filled when neither the place nor its neighbours had a reachable service.
    lines: list[ServiceResult] = field(default_factory=list)

    @property
    def found_local(self) -> bool:
        return self.local_count > 0


_CATEGORY_TERMS = select(Category.id, Category.label, Category.synonyms, Category.position, Category.resident_facing)


class _MatcherCache:
    """Rebuilds the need matcher only when the categories change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._matcher: NeedMatcher | None = None
        self._labels: dict[str, str] = {}

    def get(self, session: Session) -> tuple[NeedMatcher, dict[str, str]]:
        rows = session.execute(_CATEGORY_TERMS).all()
        key = tuple(sorted(tuple(r) for r in rows))
        with self._lock:
            if key != self._key:
                self._matcher = matcher_from_rows(rows)
                self._labels = {r.id: r.label for r in rows}
                self._key = key
            return self._matcher, self._labels


_matchers = _MatcherCache()


def need_matcher(session: Session) -> NeedMatcher:
    """The matcher of the current categories and synonyms."""
    return _matchers.get(session)[0]


def resolve_need(session: Session, need: str | None) -> tuple[str | None, str | None]:
    """A category id or free text -> (category id, label); (None, None) if nothing matches."""
    if not need or not need.strip():
        return None, None
    matcher, labels = _matchers.get(session)
    if need in labels:
        return need, labels[need]
    best = matcher.best(need)
    return (best, labels.get(best)) if best else (None, None)


def _area_clause(kind: str, region: bool = True):
    """SQL condition on ServiceArea for a kind of place (values bound at execution)."""
    return area_serves(kind, bindparam("mrc_id"), bindparam("municipality_id"), region=region)


def _candidates_statement(kind: str, with_category: bool, region: bool = True):
    stmt = select(
        ServiceArea.service_id, ServiceArea.scope, ServiceArea.mrc_id, ServiceArea.municipality_id,
        Service.priority, Service.status, Service.name,
    ).join(Service, Service.id == ServiceArea.service_id).where(
        Service.status.in_(VISIBLE_STATUSES), _area_clause(kind, region)
    )
    if with_category:
        stmt = stmt.join(service_category, service_category.c.service_id == Service.id).where(
            service_category.c.category_id == bindparam("category_id")
        )
    return stmt


# Built once: the hot path then skips statement construction and cache-key work.
_CANDIDATES = {
    (kind, with_category): _candidates_statement(kind, with_category)
    for kind in ("municipality", "mrc", "region")
    for with_category in (False, True)
}
# A neighbouring MRC's own services (its region-wide lines are already in the answer).
_NEIGHBOUR_CANDIDATES = _candidates_statement("mrc", True, region=False)


@dataclass(frozen=True)
class _Candidate:
    rank: int
    priority: int
    closed: bool
    sort_name: str

    @property
    def key(self) -> tuple:
        # Closest area first, open before temporarily closed, then priority and name.
        return (self.rank, self.closed, -self.priority, self.sort_name)


def _candidate_ranks(
    session: Session, place: Place, category_id: str | None, local_only: bool = False
) -> dict[str, _Candidate]:
    """service id -> its best area rank and sort key, for visible services of the place."""
    kind = place.kind if place.kind in ("municipality", "mrc") else "region"
    parameters = {"mrc_id": place.mrc_id, "municipality_id": place.municipality_id, "category_id": category_id}
    ranks: dict[str, _Candidate] = {}
    statement = _NEIGHBOUR_CANDIDATES if local_only and kind == "mrc" and category_id else _CANDIDATES[kind, bool(category_id)]
    rows = session.execute(statement, parameters)
    for service_id, scope, mrc_id, municipality_id, priority, status, name in rows:
        rank = _rank_of(place, scope, mrc_id, municipality_id)
        if rank is None:
            continue
        if service_id not in ranks or rank < ranks[service_id].rank:
            ranks[service_id] = _Candidate(rank, priority or 0, status != "active", fold(name))
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


_IDS = bindparam("ids", expanding=True)
_PHONES = (
    select(Phone.service_id, Phone.number, Phone.extension, Phone.type, Phone.description)
    .where(Phone.service_id.in_(_IDS)).order_by(Phone.position)
)
_SCHEDULES = select(Schedule).where(Schedule.service_id.in_(_IDS)).execution_options(prebuffer_rows=True)
_CATEGORIES = (
    select(service_category.c.service_id, service_category.c.category_id)
    .join(Category, Category.id == service_category.c.category_id)
    .where(service_category.c.service_id.in_(_IDS)).order_by(Category.position)
)
_AREAS = (
    select(ServiceArea.service_id, ServiceArea.scope, Mrc.name.label("mrc_name"), Municipality.name.label("municipality_name"))
    .outerjoin(Mrc, Mrc.id == ServiceArea.mrc_id)
    .outerjoin(Municipality, Municipality.id == ServiceArea.municipality_id)
    .where(ServiceArea.service_id.in_(_IDS))
)
_ADDRESSES = (
    select(ServiceAtLocation.service_id, Location.address_1, Location.city, Location.postal_code)
    .join(Location, Location.id == ServiceAtLocation.location_id)
    .where(ServiceAtLocation.service_id.in_(_IDS))
)
# (type, id) pairs, so the lookup uses the index on (resource_type, resource_id, field).
_SOURCES = (
    select(FactSource.resource_type, FactSource.resource_id, FactSource.field, FactSource.kind, FactSource.source_date)
    .where(or_(
        and_(FactSource.resource_type == "service", FactSource.resource_id.in_(bindparam("service_ids", expanding=True))),
        and_(FactSource.resource_type == "organization",
             FactSource.resource_id.in_(bindparam("organization_ids", expanding=True))),
    ))
)
_SERVICES = (
    select(Service, Organization.name.label("org_name"), Organization.website, Organization.email.label("org_email"))
    .join(Organization, Organization.id == Service.organization_id)
    .where(Service.id.in_(_IDS))
)


def _load_details(session: Session, ids: list[str]) -> dict[str, tuple[ServiceResult, tuple[ScheduleRule, ...]]]:
    """Everything shown about these services, in seven plain queries (no ORM objects: it is the hot path)."""
    if not ids:
        return {}
    bound = {"ids": ids}
    phones: dict[str, list[PhoneInfo]] = {i: [] for i in ids}
    for row in session.execute(_PHONES, bound):
        phones[row.service_id].append(
            PhoneInfo(row.number, format_phone(row.number, row.extension), row.extension, row.type or "voice", row.description)
        )
    rules: dict[str, list[ScheduleRule]] = {i: [] for i in ids}
    notes: dict[str, list[str]] = {i: [] for i in ids}
    for row in session.execute(_SCHEDULES, bound):
        schedule = row[0]
        rules[schedule.service_id].append(ScheduleRule.from_row(schedule))
        if schedule.description:
            notes[schedule.service_id].append(schedule.description)
    categories: dict[str, list[str]] = {i: [] for i in ids}
    for service_id, category_id in session.execute(_CATEGORIES, bound):
        categories[service_id].append(category_id)
    areas: dict[str, list[str]] = {i: [] for i in ids}
    region_wide: set[str] = set()
    for row in session.execute(_AREAS, bound):
        if row.scope == "region":
            region_wide.add(row.service_id)
        elif row.scope == "mrc" and row.mrc_name:
            areas[row.service_id].append(mrc_display(row.mrc_name))
        elif row.scope == "municipality" and row.municipality_name:
            areas[row.service_id].append(row.municipality_name)
    addresses: dict[str, str] = {}
    for row in session.execute(_ADDRESSES, bound):
        bits = [b for b in (row.address_1, row.city, row.postal_code) if b]
        if bits and row.service_id not in addresses:
            addresses[row.service_id] = ", ".join(bits)
    rows = session.execute(_SERVICES, bound).all()
    sources: dict[tuple[str, str], list[SourceRef]] = {}
    organization_ids = list({row[0].organization_id for row in rows})
    for row in session.execute(_SOURCES, {"service_ids": ids, "organization_ids": organization_ids}):
        sources.setdefault((row.resource_type, row.resource_id), []).append(SourceRef(row.kind, row.source_date, row.field))
    details = {}
    for row in rows:
        service = row[0]
        i = service.id
        own = sources.get(("service", i), []) + sources.get(("organization", service.organization_id), [])
        result = ServiceResult(
            id=i,
            name=service.name,
            organization=row.org_name or "",
            description=service.description or "",
            categories=tuple(categories[i]),
            phones=tuple(phones[i]),
            url=service.url or row.website,
            email=service.email or row.org_email,
            address=addresses.get(i),
            status=service.status,
            assured_date=service.assured_date,
            scope="",
            area_label="tout le Bas-Saint-Laurent" if i in region_wide else ", ".join(areas[i]),
            opening=OpeningStatus(known=False),
            schedule_description=" ".join(notes[i]) or None,
            eligibility_description=service.eligibility_description,
            fees_description=service.fees_description,
            application_process=service.application_process,
            priority=service.priority or 0,
            freshness=freshness(service.assured_date, own),
        )
        details[i] = (plain_result(result), tuple(rules[i]))  # staff text leaves as plain text
    return details


def _results(session: Session, ids: list[str], ranks: dict[str, int], now: dt.datetime) -> list[ServiceResult]:
    # Read at every call, never cached: a change made by any means (admin,
    # import, SQL) is in the very next answer.
    details = _load_details(session, ids)
    return [
        replace(details[i][0], scope=SCOPE_NAMES[ranks[i]], opening=opening_status(details[i][1], now))
        for i in ids
        if i in details
    ]


def _order(ranks: dict[str, _Candidate]) -> list[str]:
    return sorted(ranks, key=lambda service_id: ranks[service_id].key)


def _text_filter(session: Session, ranks: dict[str, _Candidate], text: str) -> dict[str, _Candidate]:
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
    outcome.local_count = sum(1 for c in ranks.values() if c.rank < RANK_REGION)
    # Only the services shown are loaded in full.
    ordered = _order(ranks)[:limit]
    outcome.results = _results(session, ordered, {i: ranks[i].rank for i in ordered}, now)

    local_reachable = any(r.reachable for r in outcome.results if r.scope != "region")
    if not local_reachable and category_id and resolved and resolved.mrc_id:
        outcome.nearby = _nearby(session, resolved.mrc_id, category_id, now, limit=3)
    _follow_chain(session, outcome, local_reachable, now)
    return outcome


def _follow_chain(session: Session, outcome: SearchOutcome, local_reachable: bool, now: dt.datetime) -> None:
    """Local -> neighbouring MRC -> the need's regional lines -> 211: record which step answered."""
    if local_reachable:
        outcome.answered_by = ANSWERED_LOCAL
        return
    if any(r.reachable for r in outcome.nearby):
        outcome.answered_by = ANSWERED_NEIGHBOUR
        return
    keyed = regional_lines(session, fallback_chain(outcome.need), now)
    outcome.lines = [result for _, result in keyed]
    specific = [result for key, result in keyed if key != LINE_211 and result.reachable]
    outcome.answered_by = ANSWERED_LINE if specific else ANSWERED_211


_LINES = select(Service.id, Service.seed_key).where(
    Service.seed_key.in_(bindparam("keys", expanding=True)), Service.status.in_(VISIBLE_STATUSES)
)


def regional_lines(session: Session, keys: tuple[str, ...], now: dt.datetime) -> list[tuple[str, ServiceResult]]:
    """(seed key, service) for these seed keys, in that order (lines staff archived are skipped)."""
    if not keys:
        return []
    by_key = {key: service_id for service_id, key in session.execute(_LINES, {"keys": list(keys)}).all()}
    ids = [by_key[k] for k in keys if k in by_key]
    results = {r.id: r for r in _results(session, ids, {i: RANK_REGION for i in ids}, now)}
    return [(k, results[by_key[k]]) for k in keys if k in by_key and by_key[k] in results]


def _nearby(session: Session, mrc_id: str, category_id: str, now: dt.datetime, limit: int) -> list[ServiceResult]:
    found: list[ServiceResult] = []
    seen: set[str] = set()
    for neighbour in geography.neighbours(mrc_id):
        place = Place(kind="mrc", mrc_id=neighbour, mrc_name=None)
        ranks = {
            i: c for i, c in _candidate_ranks(session, place, category_id, local_only=True).items()
            if c.rank < RANK_REGION and i not in seen
        }
        ordered = _order(ranks)[: limit - len(found)]
        seen.update(ordered)
        found.extend(_results(session, ordered, {i: RANK_NEIGHBOUR for i in ordered}, now))
        if len(found) >= limit:
            return found
    return found
