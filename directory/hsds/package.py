"""The HSDS 3.0 tabular data package: the directory as CSV files + `datapackage.json` in a zip.

Export writes every published service with its organisation, phones,
schedules, areas, locations and addresses, categories (taxonomy terms and
attributes) and languages, with the column order of HSDS 3.0's own
`datapackage.json`. Import reads such a package — Phare's own or another
HSDS 3.0 tool's, e.g. a 211 — checks all of it first (every problem with its
file and line), then writes it in one transaction: nothing half-written.
Rows are matched by id: a known id is updated, a new one added.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Category,
    Location,
    Mrc,
    Municipality,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from ..schedules import ScheduleError, ScheduleRule, validate
from ..text import fold
from . import query, schemas, serialize

# Resources Phare writes and reads, in the order a reader needs them.
RESOURCES = ("organization", "service", "location", "address", "service_at_location", "phone", "schedule",
             "service_area", "taxonomy", "taxonomy_term", "attribute", "language")
PACKAGE_NAME = "phare-bas-saint-laurent"
STATUSES = ("active", "inactive", "temporarily closed", "defunct")


def _spec() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in schemas.datapackage()["resources"]}


def columns(resource: str) -> list[str]:
    return [f["name"] for f in _spec()[resource]["schema"]["fields"]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- Export ------------------------------------------------------------------

def export_rows(session: Session, today: dt.date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every published row, as HSDS 3.0 flat records keyed by resource name."""
    today = today or dt.date.today()
    service_ids = list(session.execute(
        select(Service.id).where(Service.status.in_(query.PUBLISHED_STATUSES)).order_by(Service.id)).scalars())
    services = query.load_services(session, service_ids)
    org_ids = sorted({s.organization_id for s in services})
    orgs = query.load_organizations(session, org_ids)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in RESOURCES}
    rows["organization"] = [serialize.organization_list_json(o) for o in orgs]
    locations: dict[str, Location] = {}
    terms: dict[str, Category] = {}
    for service in services:
        full = serialize.service_json(service, today)
        rows["service"].append({k: v for k, v in full.items() if not isinstance(v, (list, dict))})
        rows["phone"].extend({k: v for k, v in p.items() if k != "languages"} for p in full["phones"])
        rows["schedule"].extend(full["schedules"])
        rows["service_area"].extend(full["service_areas"])
        for link in service.locations:
            rows["service_at_location"].append(serialize.clean(
                {"id": link.id, "service_id": service.id, "location_id": link.location_id}))
            if link.location is not None:
                locations[link.location.id] = link.location
        for attribute in full["attributes"]:
            rows["attribute"].append({k: v for k, v in attribute.items() if k != "taxonomy_term"})
        for category in service.categories:
            terms[category.id] = category
        rows["language"].extend(full["languages"])
    for org in orgs:
        for phone in org.phones:
            if phone.service_id is None:
                rows["phone"].append({k: v for k, v in serialize.phone_json(phone).items() if k != "languages"})
    for location in sorted(locations.values(), key=lambda loc: loc.id):
        flat = serialize.location_json(location)
        rows["address"].extend(flat.pop("addresses"))
        rows["location"].append(flat)
    rows["taxonomy"] = [serialize.taxonomy_json()]
    rows["taxonomy_term"] = [serialize.taxonomy_term_json(c) for c in sorted(terms.values(), key=lambda c: c.position)]
    return rows


def datapackage_descriptor() -> dict[str, Any]:
    spec = schemas.datapackage()
    return {
        "name": PACKAGE_NAME,
        "title": "Phare — services communautaires du Bas-Saint-Laurent (HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": spec.get("version", "3.0.0"),
        "homepage": "https://openreferral.org/",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "resources": [_spec()[name] for name in RESOURCES],
    }


def export_bytes(session: Session) -> bytes:
    rows = export_rows(session)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage_descriptor(), ensure_ascii=False, indent=2))
        for name in RESOURCES:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            header = columns(name)
            writer.writerow(header)
            for row in rows[name]:
                writer.writerow([_text(row.get(column)) for column in header])
            archive.writestr(_spec()[name]["path"], text.getvalue())
    return buffer.getvalue()


# --- Import ------------------------------------------------------------------

@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1


class PackageError(ValueError):
    def __init__(self, report: ImportReport):
        super().__init__("\n".join(report.errors))
        self.report = report


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def where(self) -> str:
        return f"{self.file}, ligne {self.line}"


def read_package(data: bytes) -> tuple[dict[str, list[Row]], list[str]]:
    """The package's rows by resource, and the problems reading it (file level)."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}, ["Le fichier n'est pas une archive zip."]
    names = {n.rsplit("/", 1)[-1]: n for n in archive.namelist()}
    found: dict[str, list[Row]] = {}
    for resource in RESOURCES:
        path = _spec()[resource]["path"]
        if path not in names:
            continue
        try:
            text = archive.read(names[path]).decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(f"{path} : encodage invalide (UTF-8 attendu).")
            continue
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "id" not in reader.fieldnames:
            problems.append(f"{path}, ligne 1 : colonne « id » absente.")
            continue
        unknown = [c for c in reader.fieldnames if c not in columns(resource)]
        if unknown:
            problems.append(f"{path}, ligne 1 : colonnes inconnues de HSDS 3.0 : {', '.join(unknown)}.")
            continue
        found[resource] = [Row(path, number, values) for number, values in enumerate(reader, start=2)]
    for required in ("organization", "service"):
        if required not in found:
            problems.append(f"{_spec()[required]['path']} : fichier absent du paquet.")
    return found, problems


def _parse_time(text: str) -> dt.time | None:
    return dt.time.fromisoformat(text[:5]) if text else None


def _parse_date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


class _Checker:
    """Reads rows into plain values, collecting every problem instead of stopping at the first."""

    def __init__(self, report: ImportReport):
        self.report = report

    def need(self, row: Row, name: str) -> str:
        value = row.get(name)
        if not value:
            self.report.errors.append(f"{row.where()} : « {name} » est obligatoire.")
        return value

    def convert(self, row: Row, name: str, parse: Callable[[str], Any]) -> Any:
        text = row.get(name)
        try:
            return parse(text)
        except (ValueError, TypeError):
            self.report.errors.append(f"{row.where()} : « {name} » invalide (« {text[:40]} »).")
            return None

    def ref(self, row: Row, name: str, known: Iterable[str], what: str) -> str:
        value = row.get(name)
        if value and value not in known:
            self.report.errors.append(f"{row.where()} : {what} « {value} » absent du paquet et du répertoire.")
        return value


def _area_target(row: Row, mrcs: dict[str, str], municipalities: dict[str, str],
                 resolve: Callable[[str], Any]) -> tuple[str, str | None] | None:
    """(scope, id) of an HSDS service area: Phare's `extent` first, else its name through the gazetteer."""
    extent = row.get("extent")
    if row.get("extent_type") == "text" and ":" in extent:
        scope, _, key = extent.partition(":")
        if scope == "region":
            return "region", None
        if scope == "mrc" and key in mrcs:
            return "mrc", key
        if scope == "municipality" and key in municipalities:
            return "municipality", key
    name = row.get("name")
    if fold(name) in ("bas saint laurent", "region du bas saint laurent"):
        return "region", None
    if name:
        resolution = resolve(name)
        place = getattr(resolution, "place", None)
        if getattr(resolution, "status", "") == "found" and place is not None:
            if place.kind == "municipality" and place.municipality_id:
                return "municipality", place.municipality_id
            if place.kind == "mrc" and place.mrc_id:
                return "mrc", place.mrc_id
            if place.kind == "region":
                return "region", None
    return None


def import_bytes(session: Session, data: bytes, *, resolve_place: Callable[[str], Any] | None = None) -> ImportReport:
    """Check the whole package, then write it in the session (the caller commits). Raises PackageError."""
    report = ImportReport()
    rows, problems = read_package(data)
    report.errors.extend(problems)
    if report.errors:
        raise PackageError(report)
    if resolve_place is None:
        from ..gazetteer import default_gazetteer

        resolve_place = default_gazetteer().resolve
    check = _Checker(report)
    mrcs = dict(session.execute(select(Mrc.id, Mrc.name)).all())
    municipalities = dict(session.execute(select(Municipality.id, Municipality.mrc_id)).all())
    categories = set(session.execute(select(Category.id)).scalars())

    org_ids = {r.get("id") for r in rows.get("organization", [])} | set(session.execute(select(Organization.id)).scalars())
    service_ids = {r.get("id") for r in rows["service"]} | set(session.execute(select(Service.id)).scalars())
    location_ids = {r.get("id") for r in rows.get("location", [])} | set(session.execute(select(Location.id)).scalars())

    plan: list[Callable[[], None]] = []
    values: dict[str, Any]

    for row in rows.get("organization", []):
        values = {"id": check.need(row, "id"), "name": check.need(row, "name"),
                  "alternate_name": row.get("alternate_name") or None, "description": row.get("description"),
                  "email": row.get("email") or None, "website": row.get("website") or None}
        plan.append(partial(_upsert, session, Organization, values, report, "organisations"))

    for row in rows["service"]:
        status = row.get("status") or "active"
        if status not in STATUSES:
            report.errors.append(f"{row.where()} : statut « {status} » inconnu ({', '.join(STATUSES)}).")
        values = {
            "id": check.need(row, "id"), "organization_id": check.ref(row, "organization_id", org_ids, "organisme"),
            "name": check.need(row, "name"), "alternate_name": row.get("alternate_name") or None,
            "description": row.get("description"), "url": row.get("url") or None, "email": row.get("email") or None,
            "status": "inactive" if status == "defunct" else status,
            "eligibility_description": row.get("eligibility_description") or None,
            "fees_description": row.get("fees_description") or None,
            "application_process": row.get("application_process") or None,
            "assured_date": check.convert(row, "assured_date", _parse_date),
        }
        check.need(row, "organization_id")
        plan.append(partial(_upsert, session, Service, values, report, "services"))

    addresses = {r.get("location_id"): r for r in rows.get("address", [])}
    for row in rows.get("location", []):
        address = addresses.get(row.get("id"))
        municipality = row.get("external_identifier") if row.get("external_identifier_type") == "phare:municipality" else ""
        if municipality and municipality not in municipalities:
            report.errors.append(f"{row.where()} : municipalité « {municipality} » inconnue.")
        values = {
            "id": check.need(row, "id"), "organization_id": check.ref(row, "organization_id", org_ids, "organisme"),
            "name": row.get("name") or None,
            "latitude": check.convert(row, "latitude", lambda t: float(t) if t else None),
            "longitude": check.convert(row, "longitude", lambda t: float(t) if t else None),
            "municipality_id": municipality or None,
            "address_1": address.get("address_1") or None if address else None,
            "city": address.get("city") or None if address else None,
            "postal_code": address.get("postal_code") or None if address else None,
        }
        if not values["organization_id"]:
            report.errors.append(f"{row.where()} : « organization_id » est obligatoire pour Phare.")
        plan.append(partial(_upsert, session, Location, values, report, "lieux"))

    for row in rows.get("service_at_location", []):
        values = {"id": check.need(row, "id"), "service_id": check.ref(row, "service_id", service_ids, "service"),
                  "location_id": check.ref(row, "location_id", location_ids, "lieu")}
        plan.append(partial(_upsert, session, ServiceAtLocation, values, report, "liens service-lieu"))

    for row in rows.get("phone", []):
        service_id = check.ref(row, "service_id", service_ids, "service")
        organization_id = check.ref(row, "organization_id", org_ids, "organisme")
        if not (service_id or organization_id):
            report.errors.append(f"{row.where()} : un téléphone doit appartenir à un service ou à un organisme.")
        extension = row.get("extension")
        values = {"id": check.need(row, "id"), "service_id": service_id or None,
                  "organization_id": organization_id or None, "number": check.need(row, "number"),
                  "extension": extension.split(".")[0] if extension else None,
                  "type": row.get("type") or "voice", "description": row.get("description") or None}
        plan.append(partial(_upsert, session, Phone, values, report, "téléphones"))

    for row in rows.get("schedule", []):
        schedule = _schedule_values(row, check, service_ids)
        if schedule is not None:
            plan.append(partial(_upsert, session, Schedule, schedule, report, "horaires"))

    for row in rows.get("service_area", []):
        target = _area_target(row, mrcs, municipalities, resolve_place)
        service_id = check.ref(row, "service_id", service_ids, "service")
        if target is None:
            report.errors.append(
                f"{row.where()} : territoire « {row.get('name') or row.get('extent')} » inconnu au Bas-Saint-Laurent.")
            continue
        scope, key = target
        values = {"id": check.need(row, "id"), "service_id": service_id, "scope": scope,
                  "mrc_id": key if scope == "mrc" else (municipalities.get(key) if scope == "municipality" else None),
                  "municipality_id": key if scope == "municipality" else None,
                  "description": row.get("description") or None}
        plan.append(partial(_upsert, session, ServiceArea, values, report, "territoires"))

    codes = {r.get("id"): r.get("code") for r in rows.get("taxonomy_term", [])}
    links: dict[str, set[str]] = {}
    for row in rows.get("attribute", []):
        if row.get("link_type") not in ("", "service") or not row.get("taxonomy_term_id"):
            continue
        code = codes.get(row.get("taxonomy_term_id")) or query.category_for_term(session, row.get("taxonomy_term_id"))
        if code not in categories:
            unknown = code or row.get("taxonomy_term_id")
            report.warnings.append(f"{row.where()} : catégorie « {unknown} » inconnue de Phare, ignorée.")
            continue
        links.setdefault(check.ref(row, "link_id", service_ids, "service"), set()).add(str(code))

    if report.errors:
        raise PackageError(report)
    for step in plan:
        step()
    session.flush()
    for service_id, codes_for in links.items():
        service = session.get(Service, service_id)
        wanted = [session.get(Category, c) for c in sorted(codes_for)]
        service.categories = sorted(wanted, key=lambda c: c.position)
    session.flush()
    return report


def _schedule_values(row: Row, check: _Checker, service_ids: set[str]) -> dict[str, Any] | None:
    freq = row.get("freq").upper() or None
    if freq not in (None, "WEEKLY", "MONTHLY"):
        check.report.errors.append(f"{row.where()} : « freq » doit valoir WEEKLY ou MONTHLY (reçu « {freq} »).")
        return None
    opens, closes = check.convert(row, "opens_at", _parse_time), check.convert(row, "closes_at", _parse_time)
    notes = fold(row.get("notes"))
    always = (freq == "WEEKLY" and set(row.get("byday").split(",")) == set(serialize.EVERY_DAY.split(","))
              and row.get("opens_at")[:5] == "00:00" and row.get("closes_at")[:5] == "23:59")
    values = {
        "id": check.need(row, "id"), "service_id": check.ref(row, "service_id", service_ids, "service"),
        "freq": None if always else freq,
        "interval": check.convert(row, "interval", lambda t: int(float(t)) if t else 1),
        "byday": None if always else (row.get("byday") or None),
        "bymonthday": None if always else (row.get("bymonthday") or None),
        "opens_at": None if always else opens, "closes_at": None if always else closes,
        "valid_from": check.convert(row, "valid_from", _parse_date),
        "valid_to": check.convert(row, "valid_to", _parse_date),
        "dtstart": check.convert(row, "dtstart", _parse_date),
        "open_24_7": always, "closed_on_holidays": "jours feries" in notes,
        "description": row.get("description") or None,
    }
    if not values["service_id"]:
        check.report.errors.append(f"{row.where()} : « service_id » est obligatoire pour Phare.")
    if not always and freq:
        try:
            validate(ScheduleRule(**{k: values[k] for k in (
                "freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
                "dtstart")}))
        except (ScheduleError, TypeError) as exc:
            check.report.errors.append(f"{row.where()} : horaire invalide ({exc}).")
    return values


def _upsert(session: Session, model: type, values: dict[str, Any], report: ImportReport, kind: str) -> None:
    existing = session.get(model, values["id"])
    if existing is None:
        session.add(model(**values))
        report.count(f"{kind} ajoutés")
        return
    changed = False
    for key, value in values.items():
        if getattr(existing, key) != value:
            setattr(existing, key, value)
            changed = True
    if changed:
        report.count(f"{kind} mis à jour")
