"""Directory rows as HSDS 3.0 objects (pure: loaded ORM objects in, dicts out).

HSDS 3.0's JSON schemas type every field (a string is a string, never
null), so an unknown value is left out rather than sent as null. Phare's own
facts that HSDS has no field for are mapped as HSDS intends:
- categories are taxonomy terms of one taxonomy ("phare-categories"), linked
  to services by attributes; the category slug is the term's `code`;
- a service area says which territory it covers in `extent` (type `text`):
  "region:bas-saint-laurent", "mrc:la-mitis" or "municipality:mont-joli";
- a schedule's `timezone` is the UTC offset (hours) of its IANA zone today,
  "24/7" is every day 00:00–23:59, and daily rules are weekly on every day
  (HSDS 3.0 knows WEEKLY and MONTHLY only).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from ..models import (
    TIMEZONE,
    Category,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from . import ids

HSDS_VERSION = "3.0"
LANGUAGE = {"name": "Français", "code": "fr"}
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
TAXONOMY_NAME = "Catégories de Phare"
TAXONOMY_DESCRIPTION = (
    "Les besoins tels que les résidents du Bas-Saint-Laurent les expriment "
    "(aide alimentaire, frigos libre-service, soutien téléphonique…), utilisés par l'assistant Phare."
)
REGION_EXTENT = "region:bas-saint-laurent"


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """Drop unknown values: HSDS types say `string`, never null."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


def iso_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def iso_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_offset_hours(zone: str, on: dt.date) -> float:
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(zone or TIMEZONE))
    offset = moment.utcoffset() or dt.timedelta(0)
    hours = offset.total_seconds() / 3600
    return int(hours) if hours == int(hours) else hours


def language_json(owner_id: str, owner_field: str) -> dict[str, Any]:
    return {"id": ids.language_id(owner_id, LANGUAGE["code"]), owner_field: owner_id, **LANGUAGE}


def taxonomy_json() -> dict[str, Any]:
    return {
        "id": ids.taxonomy_id(),
        "name": TAXONOMY_NAME,
        "description": TAXONOMY_DESCRIPTION,
        "version": "1",
    }


def taxonomy_term_json(category: Category) -> dict[str, Any]:
    return clean({
        "id": ids.taxonomy_term_id(category.id),
        "code": category.id,
        "name": category.label,
        "description": category.description or category.label,
        "taxonomy": ids.TAXONOMY_SLUG,
        "taxonomy_id": ids.taxonomy_id(),
        "language": LANGUAGE["code"],
    })


def attribute_json(service_id: str, category: Category) -> dict[str, Any]:
    return {
        "id": ids.attribute_id(service_id, category.id),
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": ids.taxonomy_term_id(category.id),
        "value": category.label,
        "taxonomy_term": taxonomy_term_json(category),
    }


def phone_json(phone: Phone) -> dict[str, Any]:
    extension = phone.extension.strip() if phone.extension else ""
    return clean({
        "id": phone.id,
        "service_id": phone.service_id,
        "organization_id": phone.organization_id,
        "number": phone.number,
        # HSDS types the extension as a number: a written one ("poste 2") stays in the description.
        "extension": int(extension) if extension.isdigit() else None,
        "type": phone.type or "voice",
        "description": phone.description if extension.isdigit() or not extension else
        f"{phone.description or ''} (poste {extension})".strip(),
        "languages": [language_json(phone.id, "phone_id")],
    })


def schedule_json(schedule: Schedule, today: dt.date) -> dict[str, Any]:
    freq, byday = schedule.freq, schedule.byday
    opens = schedule.opens_at.strftime("%H:%M") if schedule.opens_at else None
    closes = schedule.closes_at.strftime("%H:%M") if schedule.closes_at else None
    if schedule.open_24_7:
        freq, byday, opens, closes = "WEEKLY", EVERY_DAY, "00:00", "23:59"
    elif freq == "DAILY":
        freq, byday = "WEEKLY", byday or EVERY_DAY
    elif freq not in ("WEEKLY", "MONTHLY"):
        freq = None
    notes = []
    if schedule.closed_on_holidays:
        notes.append("Fermé les jours fériés du Québec.")
    if schedule.open_24_7:
        notes.append("Ouvert 24 heures sur 24, 7 jours sur 7.")
    return clean({
        "id": schedule.id,
        "service_id": schedule.service_id,
        "valid_from": iso_date(schedule.valid_from),
        "valid_to": iso_date(schedule.valid_to),
        "dtstart": iso_date(schedule.dtstart),
        "timezone": utc_offset_hours(schedule.timezone or TIMEZONE, today),
        "freq": freq,
        "interval": schedule.interval if freq and schedule.interval else None,
        "byday": byday if freq else None,
        "bymonthday": schedule.bymonthday if freq else None,
        "opens_at": opens,
        "closes_at": closes,
        "description": schedule.description,
        "notes": " ".join(notes) or None,
    })


def area_extent(area: ServiceArea) -> str:
    if area.scope == "mrc":
        return f"mrc:{area.mrc_id}"
    if area.scope == "municipality":
        return f"municipality:{area.municipality_id}"
    return REGION_EXTENT


def area_name(area: ServiceArea) -> str:
    if area.scope == "mrc":
        return f"MRC {area.mrc.name}" if area.mrc else str(area.mrc_id)
    if area.scope == "municipality":
        return area.municipality.name if area.municipality else str(area.municipality_id)
    return "Bas-Saint-Laurent"


def service_area_json(area: ServiceArea) -> dict[str, Any]:
    return clean({
        "id": area.id,
        "service_id": area.service_id,
        "name": area_name(area),
        "description": area.description,
        "extent": area_extent(area),
        "extent_type": "text",
    })


def address_json(location: Location) -> dict[str, Any] | None:
    if not (location.address_1 and location.city):
        return None
    region = location.municipality.mrc.name if location.municipality and location.municipality.mrc else None
    return clean({
        "id": ids.address_id(location.id),
        "location_id": location.id,
        "address_1": location.address_1,
        "city": location.city,
        "region": region,
        "state_province": "QC",
        # Required by HSDS; empty where no public source gives it.
        "postal_code": location.postal_code or "",
        "country": "CA",
        "address_type": "physical",
    }) | {"postal_code": location.postal_code or ""}  # `clean` would drop the empty one


def location_json(location: Location) -> dict[str, Any]:
    address = address_json(location)
    return clean({
        "id": location.id,
        "location_type": "physical",
        "organization_id": location.organization_id,
        "name": location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "external_identifier": location.municipality_id,
        "external_identifier_type": "phare:municipality" if location.municipality_id else None,
    }) | {"addresses": [address] if address else []}


def organization_list_json(org: Organization) -> dict[str, Any]:
    return clean({
        "id": org.id,
        "name": org.name,
        "alternate_name": org.alternate_name,
        # Required by HSDS: the name stands in where no description was written.
        "description": org.description or org.name,
        "email": org.email,
        "website": org.website,
    })


def organization_json(org: Organization, services: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    return organization_list_json(org) | {
        "phones": [phone_json(p) for p in org.phones if p.service_id is None],
        "locations": [location_json(loc) for loc in org.locations],
        "services": list(services),
    }


def service_list_json(service: Service) -> dict[str, Any]:
    """The one-to-one fields of a service (HSDS `service_list`), with its organisation."""
    values = clean({
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        "eligibility_description": service.eligibility_description,
        "assured_date": iso_date(service.assured_date),
        "last_modified": iso_datetime(service.last_modified),
    })
    if service.organization is not None:
        values["organization"] = organization_list_json(service.organization)
    return values


def service_json(service: Service, today: dt.date) -> dict[str, Any]:
    """A service fully nested (HSDS `service`)."""
    categories = sorted(service.categories, key=lambda c: (c.position, c.id))
    return service_list_json(service) | {
        "phones": [phone_json(p) for p in sorted(service.phones, key=lambda p: (p.position, p.id))],
        "schedules": [schedule_json(s, today) for s in service.schedules],
        "service_areas": [service_area_json(a) for a in service.service_areas],
        "service_at_locations": [
            clean({"id": link.id, "service_id": service.id, "location_id": link.location_id})
            | ({"location": location_json(link.location)} if link.location else {})
            for link in service.locations
        ],
        "languages": [language_json(service.id, "service_id")],
        "attributes": [attribute_json(service.id, c) for c in categories],
        "contacts": [],
        "cost_options": [],
        "funding": [],
        "required_documents": [],
    }


def service_at_location_json(link: ServiceAtLocation, today: dt.date, full: bool) -> dict[str, Any]:
    values = clean({"id": link.id, "service_id": link.service_id, "location_id": link.location_id})
    if link.location is not None:
        values["location"] = location_json(link.location)
    if link.service is not None:
        values["service"] = service_json(link.service, today) if full else service_list_json(link.service)
    return values
