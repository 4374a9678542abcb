"""History of every change (HSDS metadata) and restore of a previous version.

A service's state is a "snapshot": a JSON-able dict of its fields and of its
categories, phones, schedules, service areas and locations. Every write in
the admin goes the same way:

    before = snapshot(service)
    apply_snapshot(session, service, proposed)      # or direct field changes
    record_change(session, service, before, "update", user_email)

`record_change` writes one Metadata row per changed field (who, when, field,
before, after) and keeps the full snapshot after the change on the first row
of the batch, so any version can be restored. The first change of a service
that has no history yet (loaded from the seed or an import) first records
its original state as a "baseline" version, so nothing is ever lost.
Restoring applies a stored snapshot and is itself recorded as a change.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geography import TIMEZONE
from directory.models import (
    Category,
    Location,
    Metadata,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    utcnow,
)

from .forms import STATUS_LABELS, area_key, describe_schedule

SCALAR_FIELDS = (
    "organization_id", "name", "alternate_name", "description", "url", "email", "status",
    "eligibility_description", "fees_description", "application_process", "assured_date", "priority",
)
LIST_FIELDS = ("categories", "phones", "schedules", "service_areas", "locations")

FIELD_LABELS = {
    "organization_id": "organisme",
    "name": "nom",
    "alternate_name": "autre nom",
    "description": "description",
    "url": "site web",
    "email": "courriel",
    "status": "statut",
    "eligibility_description": "admissibilité",
    "fees_description": "frais",
    "application_process": "comment s'inscrire",
    "assured_date": "vérifié le",
    "priority": "priorité",
    "categories": "catégories",
    "phones": "téléphones",
    "schedules": "horaires",
    "service_areas": "zones de service",
    "locations": "adresse",
    "website": "site web",
    "label": "libellé",
    "synonyms": "synonymes",
    "position": "ordre",
    "resident_facing": "visible aux résidents",
    "title": "titre",
    "text": "texte",
    "starts_on": "début",
    "ends_on": "fin",
    "mrc_id": "MRC",
}
ACTION_LABELS = {
    "baseline": "Version d'origine",
    "create": "Création",
    "update": "Modification",
    "verify": "Confirmé à jour",
    "restore": "Restauration",
    "import": "Importation CSV",
    "delete": "Suppression",
    "status": "Changement de statut",
}

SCHEDULE_KEYS = ("freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                 "dtstart", "timezone", "open_24_7", "closed_on_holidays", "description")
PHONE_KEYS = ("number", "extension", "type", "description")
LOCATION_KEYS = ("name", "address_1", "city", "postal_code", "municipality_id")


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value.isoformat()


# --- Snapshot ------------------------------------------------------------------


def snapshot(service: Service) -> dict:
    """The whole service as plain JSON-able data."""
    data = {"id": service.id}
    for name in SCALAR_FIELDS:
        value = getattr(service, name)
        data[name] = _iso(value) if isinstance(value, (dt.date, dt.datetime)) else value
    data["priority"] = data["priority"] or 0
    data["description"] = data["description"] or ""
    data["categories"] = [c.id for c in service.categories]
    data["phones"] = [
        {"id": p.id, "number": p.number, "extension": p.extension, "type": p.type or "voice", "description": p.description}
        for p in sorted(service.phones, key=lambda p: p.position)
    ]
    data["schedules"] = [
        {
            "id": s.id, "freq": s.freq, "interval": s.interval or 1, "byday": s.byday, "bymonthday": s.bymonthday,
            "opens_at": _iso(s.opens_at), "closes_at": _iso(s.closes_at), "valid_from": _iso(s.valid_from),
            "valid_to": _iso(s.valid_to), "dtstart": _iso(s.dtstart), "timezone": s.timezone,
            "open_24_7": bool(s.open_24_7), "closed_on_holidays": bool(s.closed_on_holidays), "description": s.description,
        }
        for s in service.schedules
    ]
    data["service_areas"] = [
        {"id": a.id, "scope": a.scope, "mrc_id": a.mrc_id, "municipality_id": a.municipality_id, "description": a.description}
        for a in service.service_areas
    ]
    data["locations"] = [
        {"id": link.location.id, **{k: getattr(link.location, k) for k in LOCATION_KEYS}}
        for link in service.locations
        if link.location is not None
    ]
    return data


def _content(field: str, value):
    """A value without row ids, for comparing versions."""
    if field == "phones":
        return [tuple(p.get(k) for k in PHONE_KEYS) for p in value or []]
    if field == "schedules":
        return sorted(tuple(str(s.get(k)) for k in SCHEDULE_KEYS) for s in value or [])
    if field == "service_areas":
        return sorted(tuple(str(x) for x in area_key(a)) for a in value or [])
    if field == "locations":
        return [tuple(loc.get(k) for k in LOCATION_KEYS) for loc in value or []]
    if field == "categories":
        return list(value or [])
    if value == "":
        return None
    return value


def render(field: str, value, names: dict | None = None) -> str:
    """A field's value as staff read it in the history."""
    names = names or {}
    if value in (None, "", []):
        return ""
    if field == "phones":
        from directory.formatting import format_phone

        return " | ".join(
            format_phone(p["number"], p.get("extension")) + (f" ({p['description']})" if p.get("description") else "")
            + (" [texto]" if p.get("type") == "text" else "")
            for p in value
        )
    if field == "schedules":
        return " | ".join(describe_schedule(s) for s in value)
    if field == "service_areas":
        labels = []
        for a in value:
            if a["scope"] == "region":
                labels.append("Tout le Bas-Saint-Laurent")
            elif a["scope"] == "mrc":
                labels.append("MRC " + names.get(a["mrc_id"], a["mrc_id"] or ""))
            else:
                labels.append(names.get(a["municipality_id"], a["municipality_id"] or ""))
        return " | ".join(labels)
    if field == "locations":
        return " | ".join(", ".join(str(loc[k]) for k in ("name", "address_1", "city", "postal_code") if loc.get(k)) for loc in value)
    if field == "categories":
        return " | ".join(names.get(c, c) for c in value)
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if field in ("assured_date", "starts_on", "ends_on") and isinstance(value, str):
        from directory.formatting import format_date

        try:
            return format_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if field == "organization_id":
        return names.get(value, value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def diff(before: dict | None, after: dict, fields: Iterable[str] | None = None) -> list[tuple[str, object, object]]:
    """[(field, before value, after value)] for the fields whose content changed."""
    before = before or {}
    changed = []
    for name in fields or (*SCALAR_FIELDS, *LIST_FIELDS):
        old, new = before.get(name), after.get(name)
        if _content(name, old) != _content(name, new):
            changed.append((name, old, new))
    return changed


# --- Writing a snapshot back ------------------------------------------------------------


def _time(value):
    return dt.time.fromisoformat(value) if value else None


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def apply_snapshot(session: Session, service: Service, snap: dict) -> None:
    """Make `service` look like `snap` (fields and child rows).

    Child rows are matched by id among the service's own rows only; an id
    that is not the service's becomes a new row.
    """
    for name in SCALAR_FIELDS:
        if name not in snap:
            continue
        value = snap[name]
        if name == "assured_date":
            value = _date(value)
        if name == "priority":
            value = value or 0
        if name == "description":
            value = value or ""
        if name == "organization_id" and not value:
            continue
        setattr(service, name, value)

    if "categories" in snap:
        wanted = list(dict.fromkeys(snap["categories"] or []))
        rows = {c.id: c for c in session.execute(select(Category).where(Category.id.in_(wanted))).scalars()} if wanted else {}
        service.categories = [rows[c] for c in wanted if c in rows]

    if "phones" in snap:
        existing = {p.id: p for p in service.phones}
        keep = []
        for position, item in enumerate(snap["phones"] or []):
            phone = existing.get(item.get("id")) if item.get("id") else None
            if phone is None:
                phone = _new(Phone, item.get("id") if item.get("id") and session.get(Phone, item["id"]) is None else None)
            phone.number = item["number"]
            phone.extension = item.get("extension")
            phone.type = item.get("type") or "voice"
            phone.description = item.get("description")
            phone.position = position
            phone.organization_id = service.organization_id
            keep.append(phone)
        service.phones = keep

    if "schedules" in snap:
        existing = {s.id: s for s in service.schedules}
        keep = []
        for item in snap["schedules"] or []:
            row = existing.get(item.get("id")) if item.get("id") else None
            if row is None:
                row = _new(Schedule, item.get("id") if item.get("id") and session.get(Schedule, item["id"]) is None else None)
            row.freq = item.get("freq") or None
            row.interval = item.get("interval") or 1
            row.byday = item.get("byday") or None
            row.bymonthday = item.get("bymonthday") or None
            row.opens_at = _time(item.get("opens_at"))
            row.closes_at = _time(item.get("closes_at"))
            row.valid_from = _date(item.get("valid_from"))
            row.valid_to = _date(item.get("valid_to"))
            row.dtstart = _date(item.get("dtstart"))
            row.timezone = item.get("timezone") or TIMEZONE
            row.open_24_7 = bool(item.get("open_24_7"))
            row.closed_on_holidays = bool(item.get("closed_on_holidays"))
            row.description = item.get("description") or None
            keep.append(row)
        service.schedules = keep

    if "service_areas" in snap:
        existing = {a.id: a for a in service.service_areas}
        by_key = {area_key({"scope": a.scope, "mrc_id": a.mrc_id, "municipality_id": a.municipality_id}): a
                  for a in service.service_areas}
        keep = []
        for item in snap["service_areas"] or []:
            row = existing.get(item.get("id")) if item.get("id") else None
            row = row or by_key.get(area_key(item))
            if row is None or row in keep:
                row = ServiceArea()
            row.scope = item["scope"]
            row.mrc_id = item.get("mrc_id") if item["scope"] != "region" else None
            row.municipality_id = item.get("municipality_id") if item["scope"] == "municipality" else None
            row.description = item.get("description")
            keep.append(row)
        service.service_areas = keep

    if "locations" in snap:
        _apply_locations(session, service, snap["locations"] or [])


def _apply_locations(session: Session, service: Service, items: list[dict]) -> None:
    links = {link.location_id: link for link in service.locations}
    keep_links = []
    for item in items:
        values = {k: item.get(k) or None for k in LOCATION_KEYS}
        link = links.get(item.get("id")) if item.get("id") else None
        location = link.location if link else None
        if location is not None:
            if any(getattr(location, k) != v for k, v in values.items()):
                shared = session.execute(
                    select(ServiceAtLocation.id).where(
                        ServiceAtLocation.location_id == location.id, ServiceAtLocation.service_id != service.id
                    ).limit(1)
                ).first()
                if shared:
                    # Another service uses this address: give this one its own copy.
                    location = Location(organization_id=service.organization_id, **values)
                    session.add(location)
                    link = ServiceAtLocation(location=location)
                else:
                    for k, v in values.items():
                        setattr(location, k, v)
        else:
            location = Location(organization_id=service.organization_id, **values)
            session.add(location)
            link = ServiceAtLocation(location=location)
        keep_links.append(link)
    service.locations = keep_links


# --- Recording ------------------------------------------------------------------------


def has_history(session: Session, resource_id: str, resource_type: str = "service") -> bool:
    return session.execute(
        select(Metadata.id).where(Metadata.resource_id == resource_id, Metadata.resource_type == resource_type,
                                  Metadata.snapshot.isnot(None)).limit(1)
    ).first() is not None


def _baseline_date(service: Service, now: dt.datetime) -> dt.datetime:
    """When the original version dates from: its last change before ours."""
    if service.last_modified and service.last_modified < now:
        return service.last_modified
    return now - dt.timedelta(seconds=1)


def _new(cls, item_id):
    """A new child row; keeps a restored row's id when no row holds it."""
    return cls(id=item_id) if item_id else cls()


def record_change(
    session: Session,
    service: Service,
    before: dict | None,
    action: str,
    user_email: str,
    names: dict | None = None,
    force: bool = False,
) -> list[Metadata]:
    """Write the history of one change of `service` (already applied).

    Returns the Metadata rows written; none when nothing changed (unless
    `force`, used by "Confirmer que c'est à jour" on the same day).
    """
    session.flush()
    session.refresh(service)
    after = snapshot(service)
    changes = diff(before, after)
    if not changes and not force:
        return []
    now = utcnow()
    rows: list[Metadata] = []
    if before is not None and not has_history(session, service.id):
        rows.append(Metadata(
            resource_id=service.id, resource_type="service", last_action_type="baseline",
            last_action_date=_baseline_date(service, now),
            field_name="", previous_value="", replacement_value="", updated_by="",
            snapshot=json.dumps(before, ensure_ascii=False, sort_keys=True),
        ))
    if not changes:
        changes = [("assured_date", before.get("assured_date") if before else None, after.get("assured_date"))]
    for i, (name, old, new) in enumerate(changes):
        rows.append(Metadata(
            resource_id=service.id, resource_type="service", last_action_type=action, last_action_date=now,
            field_name=name, previous_value=render(name, old, names), replacement_value=render(name, new, names),
            updated_by=user_email, snapshot=json.dumps(after, ensure_ascii=False, sort_keys=True) if i == 0 else None,
        ))
    session.add_all(rows)
    service.last_modified = now
    return rows


def record_simple(
    session: Session,
    resource_type: str,
    resource_id: str,
    before: dict | None,
    after: dict,
    action: str,
    user_email: str,
) -> list[Metadata]:
    """History of an organisation, category, campaign or account (field by field)."""
    fields = sorted(set(before or {}) | set(after))
    changes = [(f, (before or {}).get(f), after.get(f)) for f in fields
               if f != "id" and _content(f, (before or {}).get(f)) != _content(f, after.get(f))]
    if not changes:
        return []
    now = utcnow()
    rows = [
        Metadata(resource_id=resource_id, resource_type=resource_type, last_action_type=action, last_action_date=now,
                 field_name=name, previous_value=render(name, old), replacement_value=render(name, new),
                 updated_by=user_email,
                 snapshot=json.dumps(after, ensure_ascii=False, sort_keys=True, default=str) if i == 0 else None)
        for i, (name, old, new) in enumerate(changes)
    ]
    session.add_all(rows)
    return rows


def versions(session: Session, resource_id: str, resource_type: str = "service") -> list[dict]:
    """The history, newest first, grouped by change: {date, action, by, changes, version_id}."""
    rows = session.execute(
        select(Metadata).where(Metadata.resource_id == resource_id, Metadata.resource_type == resource_type)
        .order_by(Metadata.last_action_date.desc(), Metadata.id)
    ).scalars().all()
    groups: list[dict] = []
    index: dict[tuple, dict] = {}
    for row in rows:
        key = (row.last_action_date, row.last_action_type, row.updated_by)
        group = index.get(key)
        if group is None:
            group = {"date": row.last_action_date, "action": row.last_action_type,
                     "action_label": ACTION_LABELS.get(row.last_action_type, row.last_action_type),
                     "by": row.updated_by, "changes": [], "version_id": None}
            index[key] = group
            groups.append(group)
        if row.snapshot is not None:
            group["version_id"] = row.id
        if row.field_name:
            group["changes"].append({"field": row.field_name, "label": FIELD_LABELS.get(row.field_name, row.field_name),
                                     "before": row.previous_value, "after": row.replacement_value})
    return groups


def stored_snapshot(session: Session, service_id: str, version_id: str) -> dict | None:
    row = session.get(Metadata, version_id)
    if row is None or row.resource_id != service_id or row.resource_type != "service" or not row.snapshot:
        return None
    return json.loads(row.snapshot)
