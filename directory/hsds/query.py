"""Filtering and paging of the HSDS API, done in SQL.

The database returns one page of ids and the total; only that page's rows
are then loaded in full. Accent-insensitive search compares folded text in
SQL (`folded`): lower() then translate() of accented letters, which
PostgreSQL has and `directory.db` gives SQLite at connect time. Only "open
now" needs the opening rules in Python: it narrows the filtered ids first.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, literal, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement, Select

from ..areas import services_serving
from ..db import FOLD_FROM, FOLD_TO
from ..models import (
    Category,
    Location,
    Municipality,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_category,
)
from ..schedules import ScheduleRule, opening_status
from ..text import fold
from . import ids
from .params import Params

PUBLISHED_STATUSES = ("active", "temporarily closed")


class UnknownPlace(ValueError):
    """A place filter naming nothing Phare knows (said in French)."""


def folded(column: Any) -> ColumnElement:
    return func.translate(func.lower(func.coalesce(column, "")), FOLD_FROM, FOLD_TO)


def words_clause(search: str, columns: Sequence[Any]) -> ColumnElement | None:
    """Every folded word of `search` in one of `columns` (folded)."""
    words = fold(search).split()
    if not words:
        return None
    haystack = folded(columns[0])
    for column in columns[1:]:
        haystack = haystack.op("||")(literal(" ")).op("||")(folded(column))
    return and_(*[haystack.like(f"%{word}%") for word in words])


@dataclass(frozen=True)
class Area:
    """Where a resident is: a municipality (and its MRC) or an MRC."""

    mrc_id: str
    municipality_id: str | None = None


def served_in(area: Area) -> Select:
    """Ids of the services that serve `area` (directory.areas: the one "who serves where")."""
    if area.municipality_id:
        return services_serving("municipality", area.mrc_id, area.municipality_id)
    return services_serving("mrc", area.mrc_id)


def resolve_area(session: Session, params: Params, gazetteer_resolve: Callable[[str], Any] | None = None) -> Area | None:
    if params.municipality:
        mrc_id = session.execute(select(Municipality.mrc_id).where(Municipality.id == params.municipality)).scalar()
        if mrc_id is None:
            raise UnknownPlace(f"Municipalité inconnue : « {params.municipality} » (identifiant attendu, ex. mont-joli).")
        if params.mrc and params.mrc != mrc_id:
            return Area(mrc_id="", municipality_id="")  # contradictory filters: nothing matches
        return Area(mrc_id=mrc_id, municipality_id=params.municipality)
    if params.postal_code:
        if gazetteer_resolve is None:
            from ..gazetteer import default_gazetteer

            gazetteer_resolve = default_gazetteer().resolve
        resolution = gazetteer_resolve(params.postal_code)
        if resolution.status == "need_full_postal_code":
            raise UnknownPlace(
                f"Le code postal « {params.postal_code} » couvre plusieurs municipalités : donnez les 6 caractères."
            )
        if resolution.status != "found" or resolution.place is None or resolution.place.mrc_id is None:
            raise UnknownPlace(f"Code postal hors du Bas-Saint-Laurent ou inconnu : « {params.postal_code} ».")
        place = resolution.place
        return Area(mrc_id=str(place.mrc_id), municipality_id=place.municipality_id)
    if params.mrc:
        from ..models import Mrc

        if session.get(Mrc, params.mrc) is None:
            raise UnknownPlace(f"MRC inconnue : « {params.mrc} » (identifiant attendu, ex. la-mitis).")
        return Area(mrc_id=params.mrc)
    return None


def category_for_term(session: Session, term: str) -> str | None:
    """The category id named by a taxonomy term id (stable UUID) or code (slug)."""
    if not ids.is_uuid(term):
        return term
    for category_id in session.execute(select(Category.id)).scalars():
        if ids.taxonomy_term_id(category_id) == term:
            return str(category_id)
    return None


def service_filters(session: Session, params: Params, area: Area | None) -> list[ColumnElement]:
    clauses: list[ColumnElement] = [Service.status.in_(PUBLISHED_STATUSES)]
    if params.search:
        clause = words_clause(params.search, [Service.name, Service.description, Organization.name])
        if clause is not None:
            clauses.append(clause)
    if params.taxonomy_term_id:
        category_id = category_for_term(session, params.taxonomy_term_id)
        clauses.append(Service.id.in_(
            select(service_category.c.service_id).where(service_category.c.category_id == category_id))
            if category_id else false())
    if params.taxonomy_id and params.taxonomy_id not in (ids.taxonomy_id(), ids.TAXONOMY_SLUG):
        clauses.append(false())
    elif params.taxonomy_id:
        clauses.append(Service.id.in_(select(service_category.c.service_id)))
    if params.organization_id:
        clauses.append(Service.organization_id == params.organization_id)
    if params.modified_after:
        clauses.append(Service.last_modified >= params.modified_after)
    if area is not None:
        clauses.append(Service.id.in_(served_in(area)))
    return clauses


def _open_now(session: Session, service_ids: list[str], now: dt.datetime) -> set[str]:
    rules: dict[str, list[ScheduleRule]] = {}
    for start in range(0, len(service_ids), 500):
        chunk = service_ids[start:start + 500]
        for schedule in session.execute(select(Schedule).where(Schedule.service_id.in_(chunk))).scalars():
            rules.setdefault(schedule.service_id, []).append(ScheduleRule.from_row(schedule))
    return {sid for sid, rs in rules.items() if opening_status(rs, now).open_now}


@dataclass
class PageOf:
    ids: list[str]
    total: int


def page_ids(session: Session, stmt: Select, order: Sequence[Any], params: Params, *,
             post_filter: Callable[[list[str]], set[str]] | None = None) -> PageOf:
    """One page of the ids `stmt` selects (first column), and how many there are in all."""
    ordered = stmt.order_by(*order)
    if post_filter is not None:
        every = list(session.execute(ordered).scalars())
        keep = post_filter(every)
        every = [i for i in every if i in keep]
        if params.ndjson:
            return PageOf(every, len(every))
        return PageOf(every[params.offset:params.offset + params.per_page], len(every))
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0
    if not params.ndjson:
        ordered = ordered.limit(params.per_page).offset(params.offset)
    return PageOf(list(session.execute(ordered).scalars()), total)


def services_page(session: Session, params: Params, area: Area | None, now: dt.datetime) -> PageOf:
    stmt = (
        select(Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(*service_filters(session, params, area))
    )
    post = (lambda every: _open_now(session, every, now)) if params.open_now else None
    return page_ids(session, stmt, [folded(Service.name), Service.id], params, post_filter=post)


def service_at_locations_page(session: Session, params: Params, area: Area | None, now: dt.datetime) -> PageOf:
    stmt = (
        select(ServiceAtLocation.id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(*service_filters(session, params, area))
    )
    post = None
    if params.open_now:
        def post(every: list[str]) -> set[str]:
            links = dict(session.execute(
                select(ServiceAtLocation.id, ServiceAtLocation.service_id).where(ServiceAtLocation.id.in_(every))).all())
            open_ids = _open_now(session, sorted(set(links.values())), now)
            return {link for link, service in links.items() if service in open_ids}
    return page_ids(session, stmt, [folded(Service.name), ServiceAtLocation.id], params, post_filter=post)


def organizations_page(session: Session, params: Params) -> PageOf:
    clauses: list[ColumnElement] = [
        # Partners and funders with no published service are not directory entries.
        Organization.id.in_(select(Service.organization_id).where(Service.status.in_(PUBLISHED_STATUSES)))
    ]
    if params.search:
        clause = words_clause(params.search, [Organization.name, Organization.description])
        if clause is not None:
            clauses.append(clause)
    stmt = select(Organization.id).where(*clauses)
    return page_ids(session, stmt, [folded(Organization.name), Organization.id], params)


def load_services(session: Session, service_ids: list[str]) -> list[Service]:
    if not service_ids:
        return []
    stmt = select(Service).where(Service.id.in_(service_ids)).options(
        selectinload(Service.organization),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.categories),
        selectinload(Service.service_areas).selectinload(ServiceArea.mrc),
        selectinload(Service.service_areas).selectinload(ServiceArea.municipality),
        selectinload(Service.locations).selectinload(ServiceAtLocation.location)
        .selectinload(Location.municipality).selectinload(Municipality.mrc),
    )
    found = {s.id: s for s in session.execute(stmt).scalars()}
    return [found[i] for i in service_ids if i in found]


def load_links(session: Session, link_ids: list[str]) -> list[ServiceAtLocation]:
    if not link_ids:
        return []
    stmt = select(ServiceAtLocation).where(ServiceAtLocation.id.in_(link_ids)).options(
        selectinload(ServiceAtLocation.location).selectinload(Location.municipality).selectinload(Municipality.mrc),
        selectinload(ServiceAtLocation.service).selectinload(Service.organization),
    )
    found = {link.id: link for link in session.execute(stmt).scalars()}
    links = [found[i] for i in link_ids if i in found]
    services = {s.id: s for s in load_services(session, sorted({link.service_id for link in links}))}
    for link in links:
        link.service = services.get(link.service_id, link.service)
    return links


def load_organizations(session: Session, org_ids: list[str]) -> list[Organization]:
    if not org_ids:
        return []
    stmt = select(Organization).where(Organization.id.in_(org_ids)).options(
        selectinload(Organization.phones),
        selectinload(Organization.locations).selectinload(Location.municipality).selectinload(Municipality.mrc),
    )
    found = {o.id: o for o in session.execute(stmt).scalars()}
    return [found[i] for i in org_ids if i in found]


def published_service_ids(session: Session, org_ids: list[str]) -> dict[str, list[str]]:
    rows = session.execute(
        select(Service.organization_id, Service.id)
        .where(Service.organization_id.in_(org_ids), Service.status.in_(PUBLISHED_STATUSES))
        .order_by(folded(Service.name), Service.id)
    ).all()
    out: dict[str, list[str]] = {i: [] for i in org_ids}
    for org_id, service_id in rows:
        out[org_id].append(service_id)
    return out


def categories(session: Session, params: Params) -> list[Category]:
    stmt = select(Category).where(Category.resident_facing.is_(True))
    if params.search:
        clause = words_clause(params.search, [Category.label, Category.description, Category.synonyms])
        if clause is not None:
            stmt = stmt.where(clause)
    return list(session.execute(stmt.order_by(Category.position, Category.id)).scalars())


def last_modified(session: Session) -> dt.datetime | None:
    newest: dt.datetime | None = session.execute(
        select(func.max(Service.last_modified)).where(Service.status.in_(PUBLISHED_STATUSES))).scalar()
    return newest
