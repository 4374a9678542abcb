"""The coverage report: for each MRC and each need, what a resident can act on.

`compute_coverage` is pure (rows in, matrix out) and tested directly;
`service_facts` reads the rows from the database (one query per table, no ORM
objects). Only visible services count (active or temporarily closed), and
only local ones: a region-wide line (211, 811…) is everywhere and says
nothing about an MRC. Per cell: local services, reachable by phone or web,
by phone, with opening hours, confirmed (an assured date), stale (never
confirmed or confirmed more than 6 months ago).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import geography
from .categories import CORE_NEEDS, resident_categories
from .freshness import is_stale
from .models import Organization, Phone, Schedule, Service, ServiceArea, service_category

VISIBLE_STATUSES = ("active", "temporarily closed")
COLUMNS = ("local", "reachable", "phone", "hours", "confirmed", "stale")


@dataclass(frozen=True)
class ServiceFacts:
    """What coverage needs to know of one visible service."""

    id: str
    categories: frozenset[str]
    mrc_ids: frozenset[str]  # MRC served locally (an MRC-wide area or one of its municipalities)
    has_phone: bool
    has_website: bool
    has_hours: bool
    assured_date: dt.date | None

    @property
    def reachable(self) -> bool:
        return self.has_phone or self.has_website


@dataclass
class Cell:
    local: int = 0
    reachable: int = 0
    phone: int = 0
    hours: int = 0
    confirmed: int = 0
    stale: int = 0

    def add(self, service: ServiceFacts, today: dt.date) -> None:
        self.local += 1
        self.reachable += service.reachable
        self.phone += service.has_phone
        self.hours += service.has_hours
        self.confirmed += service.assured_date is not None
        self.stale += is_stale(service.assured_date, today)


@dataclass
class Coverage:
    today: dt.date
    mrc_ids: tuple[str, ...]
    category_ids: tuple[str, ...]
    core: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]  # (mrc id, category id) -> cell
    by_mrc: dict[str, Cell]  # distinct local services of each MRC
    totals: Cell  # distinct local services of the region
    services: int  # visible services, region-wide lines included
    region_wide: int
    gaps: list[tuple[str, str]] = field(default_factory=list)  # core cells with nothing reachable

    def cell(self, mrc_id: str, category_id: str) -> Cell:
        return self.cells[mrc_id, category_id]

    @property
    def core_cells(self) -> int:
        return len(self.mrc_ids) * len(self.core)

    @property
    def core_reachable(self) -> int:
        return sum(1 for m in self.mrc_ids for c in self.core if self.cells[m, c].reachable)

    @property
    def hours_share(self) -> float:
        return self.totals.hours / self.totals.local if self.totals.local else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.today.isoformat(),
            "mrc": list(self.mrc_ids),
            "categories": list(self.category_ids),
            "core_needs": list(self.core),
            "cells": [
                {"mrc": m, "category": c, "core": c in self.core, **asdict(self.cells[m, c])}
                for c in self.category_ids for m in self.mrc_ids
            ],
            "by_mrc": {m: asdict(cell) for m, cell in self.by_mrc.items()},
            "totals": {
                "services": self.services,
                "region_wide": self.region_wide,
                **asdict(self.totals),
                "hours_share": round(self.hours_share, 3),
                "core_cells": self.core_cells,
                "core_reachable": self.core_reachable,
            },
            "gaps": [{"mrc": m, "category": c} for m, c in self.gaps],
        }


def compute_coverage(
    services: Iterable[ServiceFacts],
    mrc_ids: Iterable[str],
    category_ids: Iterable[str],
    today: dt.date,
    core: Iterable[str] = CORE_NEEDS,
    region_wide: int = 0,
) -> Coverage:
    """The matrix MRC x category of local services (pure)."""
    mrcs = tuple(mrc_ids)
    cats = tuple(category_ids)
    core_ids = tuple(c for c in core if c in cats)
    cells = {(m, c): Cell() for m in mrcs for c in cats}
    by_mrc = {m: Cell() for m in mrcs}
    totals = Cell()
    count = 0
    for service in services:
        count += 1
        served = [m for m in mrcs if m in service.mrc_ids]
        if served:
            totals.add(service, today)
        for m in served:
            by_mrc[m].add(service, today)
            for c in service.categories:
                if (m, c) in cells:
                    cells[m, c].add(service, today)
    coverage = Coverage(
        today=today, mrc_ids=mrcs, category_ids=cats, core=core_ids, cells=cells, by_mrc=by_mrc,
        totals=totals, services=count + region_wide, region_wide=region_wide,
    )
    coverage.gaps = [(m, c) for c in core_ids for m in mrcs if not cells[m, c].reachable]
    return coverage


def service_facts(session: Session) -> tuple[list[ServiceFacts], int]:
    """Visible services with local areas, and the number of visible region-wide-only services."""
    rows = session.execute(
        select(Service.id, Service.url, Organization.website, Service.assured_date)
        .join(Organization, Organization.id == Service.organization_id)
        .where(Service.status.in_(VISIBLE_STATUSES))
    ).all()
    ids = {r.id for r in rows}
    categories: dict[str, set[str]] = {}
    for service_id, category_id in session.execute(select(service_category.c.service_id, service_category.c.category_id)):
        categories.setdefault(service_id, set()).add(category_id)
    mrcs: dict[str, set[str]] = {}
    region: set[str] = set()
    for service_id, scope, mrc_id in session.execute(select(ServiceArea.service_id, ServiceArea.scope, ServiceArea.mrc_id)):
        if scope == "region":
            region.add(service_id)
        elif mrc_id:
            mrcs.setdefault(service_id, set()).add(mrc_id)
    phones = set(session.execute(select(Phone.service_id).where(Phone.service_id.isnot(None))).scalars())
    hours = set(session.execute(select(Schedule.service_id)).scalars())
    facts = [
        ServiceFacts(
            id=r.id,
            categories=frozenset(categories.get(r.id, ())),
            mrc_ids=frozenset(mrcs.get(r.id, ())),
            has_phone=r.id in phones,
            has_website=bool(r.url or r.website),  # as search shows it: the service's site, else the organisation's
            has_hours=r.id in hours,
            assured_date=r.assured_date,
        )
        for r in rows
        if r.id in mrcs
    ]
    region_only = len([i for i in ids if i in region and i not in mrcs])
    return facts, region_only


def coverage_report(session: Session, today: dt.date | None = None) -> Coverage:
    """The report of the directory as it is now, for the 8 MRC and every resident-facing category."""
    facts, region_only = service_facts(session)
    return compute_coverage(
        facts,
        geography.mrc_ids(),
        [c.id for c in resident_categories()],
        today or dt.datetime.now(geography.TZ).date(),
        region_wide=region_only,
    )


def csv_rows(coverage: Coverage, mrc_names: dict[str, str], category_labels: dict[str, str]) -> list[list[Any]]:
    """One row per (MRC, category), for the admin's CSV download."""
    return [
        [mrc_names.get(m, m), category_labels.get(c, c), "oui" if c in coverage.core else "non",
         *(getattr(coverage.cells[m, c], column) for column in COLUMNS)]
        for c in coverage.category_ids for m in coverage.mrc_ids
    ]


CSV_HEADER = ["mrc", "catégorie", "besoin de base", "services locaux", "joignables (tél. ou web)", "par téléphone",
              "avec horaire", "vérifiés", "à vérifier (plus de 6 mois ou jamais)"]


__all__ = ["COLUMNS", "CSV_HEADER", "Cell", "Coverage", "ServiceFacts", "compute_coverage", "coverage_report", "csv_rows", "service_facts"]
