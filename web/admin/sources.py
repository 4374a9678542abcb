"""The public sources behind a service's fields (seeded facts), shown beside each field of the edit form."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory import seed_sources
from directory.formatting import MONTHS, format_date
from directory.freshness import parse_date_text
from directory.models import FactSource, Service

SOURCE_KIND_LABELS = {
    "organisme": "Site de l'organisme",
    "journal": "Article",
    "repertoire": "Répertoire",
    "municipal": "Site municipal",
    "gouvernement": "Site gouvernemental",
}


def field_sources(db: Session, service: Service | None) -> dict[str, list[dict]]:
    """field -> the public sources behind it (the service's own, then its organisation's), for display beside the field."""
    if service is None:
        return {}
    rows = db.execute(
        select(FactSource).where(or_(
            (FactSource.resource_type == "service") & (FactSource.resource_id == service.id),
            (FactSource.resource_type == "organization") & (FactSource.resource_id == service.organization_id),
        )).order_by(FactSource.resource_type.desc(), FactSource.position, FactSource.id)
    ).scalars()
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        if not _still_supports(row, service):
            continue
        grouped.setdefault(row.field, []).append({
            "url": row.url if row.url.startswith(("http://", "https://")) else "",
            "title": row.title,
            "quote": row.quote,
            "date": _source_date(row.source_date),
            "kind_label": SOURCE_KIND_LABELS.get(row.kind, row.kind),
            "of_organization": row.resource_type == "organization",
        })
    return grouped


def _still_supports(row: FactSource, service: Service) -> bool:
    """A source of a phone, website, email or address is shown only while its quote still holds the current value.

    Staff may have corrected a number since the seed; the old page would then
    vouch for a number it never gave.
    """
    if row.field == "phone":
        return any(seed_sources.phone_in_quote(p.number, row.quote) for p in service.phones)
    if row.field == "email":
        email = service.email or service.organization.email
        return bool(email) and seed_sources.email_in_quote(email, row.quote)
    if row.field == "website":
        url = service.url or service.organization.website
        wanted = seed_sources.host(url or "")
        return bool(wanted) and (wanted in row.quote.lower() or seed_sources.host(row.url) == wanted)
    if row.field == "address":
        return any(seed_sources.address_in_quote(link.location.address_1 or "", row.quote)
                   for link in service.locations if link.location is not None)
    return True


def _source_date(text: str) -> str:
    parsed = parse_date_text(text)
    if not parsed:
        return "date inconnue"
    year, month, day = parsed
    if day:
        return format_date(dt.date(year, month, day))
    return f"{MONTHS[month - 1]} {year}" if month else str(year)
