"""Load the project's own data (geography, categories, seed directory) into the database.

Idempotent: every row has a stable key, and a row that already exists is left
as it is, so loading twice changes nothing and never overwrites what staff
have since corrected in the admin.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .geography import TIMEZONE
from .models import (
    SERVICE_STATUSES,
    Campaign,
    Category,
    FactSource,
    Location,
    Mrc,
    Municipality,
    Organization,
    Phone,
    PostalPrefix,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    new_id,
)
from .schedules import ScheduleRule, validate

DATA_DIR = Path(__file__).resolve().parent / "data"
GEOGRAPHY_DIR = DATA_DIR / "geography"
SEED_DIR = DATA_DIR / "seed"


class SeedError(ValueError):
    pass


@dataclass
class SeedReport:
    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.added.values())


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def read_yaml(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def load_geography(session: Session, report: SeedReport, directory: Path = GEOGRAPHY_DIR) -> None:
    existing_mrc = set(session.execute(select(Mrc.id)).scalars())
    for row in read_tsv(directory / "mrc.tsv"):
        if row["id"] not in existing_mrc:
            session.add(Mrc(id=row["id"], name=row["name"], code=row["code"], seat=row["seat"], aliases=row.get("aliases", "")))
            report.count("mrc")
    session.flush()
    existing = set(session.execute(select(Municipality.id)).scalars())
    for row in read_tsv(directory / "municipalities.tsv"):
        if row["id"] not in existing:
            session.add(
                Municipality(
                    id=row["id"],
                    name=row["name"],
                    type=row["type"],
                    geo_code=row.get("geo_code") or None,
                    mrc_id=row["mrc_id"],
                    aliases=row.get("aliases", ""),
                )
            )
            report.count("municipality")
    session.flush()
    existing_prefixes = set(session.execute(select(PostalPrefix.prefix)).scalars())
    for row in read_tsv(directory / "postal_codes.tsv"):
        if row["prefix"] not in existing_prefixes:
            session.add(
                PostalPrefix(
                    prefix=row["prefix"],
                    mrc_id=row.get("mrc_id") or None,
                    municipality_id=row.get("municipality_id") or None,
                    needs_full_code=row.get("needs_full_code") in ("1", "true", "oui"),
                )
            )
            existing_prefixes.add(row["prefix"])
            report.count("postal_prefix")


def load_categories(session: Session, report: SeedReport, path: Path = SEED_DIR / "categories.yml") -> None:
    existing = set(session.execute(select(Category.id)).scalars())
    for position, entry in enumerate(read_yaml(path)):
        if entry["id"] in existing:
            continue
        session.add(
            Category(
                id=entry["id"],
                label=entry["label"],
                description=entry.get("description") or "",
                synonyms="|".join(entry.get("synonyms") or []),
                resident_facing=entry.get("resident_facing", True),
                position=entry.get("position", position),
            )
        )
        report.count("category")


def _time(value) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int):  # YAML reads 09:00 as sexagesimal minutes
        return dt.time(value // 60, value % 60)
    hours, minutes = str(value).split(":")[:2]
    return dt.time(int(hours), int(minutes))


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def build_schedule(entry: dict) -> Schedule:
    schedule = Schedule(
        freq=(entry.get("freq") or None),
        interval=entry.get("interval") or 1,
        byday=entry.get("byday"),
        bymonthday=str(entry["bymonthday"]) if entry.get("bymonthday") is not None else None,
        opens_at=_time(entry.get("opens_at")),
        closes_at=_time(entry.get("closes_at")),
        valid_from=_date(entry.get("valid_from")),
        valid_to=_date(entry.get("valid_to")),
        dtstart=_date(entry.get("dtstart")),
        timezone=entry.get("timezone") or TIMEZONE,
        open_24_7=bool(entry.get("open_24_7")),
        closed_on_holidays=bool(entry.get("closed_on_holidays")),
        description=entry.get("description"),
    )
    validate(ScheduleRule.from_row(schedule))
    return schedule


def build_area(entry: dict, municipality_mrc: dict[str, str], mrc_ids: set[str]) -> ServiceArea:
    if entry.get("region"):
        return ServiceArea(scope="region", description="Tout le Bas-Saint-Laurent")
    if entry.get("municipality"):
        municipality_id = entry["municipality"]
        if municipality_id not in municipality_mrc:
            raise SeedError(f"municipalité inconnue : {municipality_id}")
        return ServiceArea(scope="municipality", municipality_id=municipality_id, mrc_id=municipality_mrc[municipality_id])
    if entry.get("mrc"):
        if entry["mrc"] not in mrc_ids:
            raise SeedError(f"MRC inconnue : {entry['mrc']}")
        return ServiceArea(scope="mrc", mrc_id=entry["mrc"])
    raise SeedError(f"zone de service incomplète : {entry!r}")


SOURCE_KINDS = ("organisme", "journal", "repertoire", "municipal", "gouvernement")
OLD_FORMAT = (
    "le champ `source` (texte libre) n'est plus accepté : donnez une liste `sources` "
    "(url, date, kind, quote, supports) — voir directory/data/seed/local/README.md"
)


def seed_files(seed_dir: Path = SEED_DIR) -> list[Path]:
    """The regional lines and partners first, then one file of local services per MRC."""
    return [seed_dir / "organizations.yml", *sorted((seed_dir / "local").glob("*.yml"))]


def sort_date(value: str) -> dt.date | None:
    """"2024" -> 2024-01-01, "2024-03" -> 2024-03-01, "2024-03-12" -> that day; None if unreadable."""
    parts = str(value or "").split("-")
    try:
        numbers = [int(p) for p in parts if p]
        if not numbers:
            return None
        return dt.date(numbers[0], numbers[1] if len(numbers) > 1 else 1, numbers[2] if len(numbers) > 2 else 1)
    except ValueError:
        return None


def fact_sources(resource_type: str, resource_id: str, sources, where: str) -> list[FactSource]:
    """One FactSource row per (source, fact it supports)."""
    if sources is None:
        return []
    if not isinstance(sources, list):
        raise SeedError(f"{where}: `sources` doit être une liste")
    rows = []
    for position, source in enumerate(sources):
        if not isinstance(source, dict) or not source.get("url"):
            raise SeedError(f"{where}: source {position + 1} sans url")
        kind = source.get("kind")
        if kind not in SOURCE_KINDS:
            raise SeedError(f"{where}: source {position + 1}, kind inconnu {kind!r}")
        date_text = str(source.get("date") or "")
        for fact in source.get("supports") or []:
            rows.append(
                FactSource(
                    resource_type=resource_type,
                    resource_id=resource_id,
                    field=str(fact),
                    url=source["url"],
                    title=source.get("title"),
                    quote=(source.get("quote") or "").strip(),
                    source_date=date_text,
                    sort_date=sort_date(date_text),
                    kind=kind,
                    position=position,
                )
            )
    return rows


def _check_format(entry: dict, where: str) -> None:
    if "source" in entry:
        raise SeedError(f"{where}: {OLD_FORMAT}")


def read_seed_entries(paths: list[Path]) -> list[tuple[str, dict]]:
    """(file name, organisation entry) for every file; keys unique across all files."""
    entries: list[tuple[str, dict]] = []
    org_keys: dict[str, str] = {}
    service_keys: dict[str, str] = {}
    for path in paths:
        data = read_yaml(path)
        if not isinstance(data, list):
            raise SeedError(f"{path.name}: le fichier doit contenir une liste d'organisations")
        for entry in data:
            if not isinstance(entry, dict) or not entry.get("key"):
                raise SeedError(f"{path.name}: organisation sans clé (`key`)")
            where = f"{path.name} [{entry['key']}]"
            _check_format(entry, where)
            if entry["key"] in org_keys:
                raise SeedError(f"{where}: clé déjà utilisée dans {org_keys[entry['key']]}")
            org_keys[entry["key"]] = path.name
            for item in entry.get("services") or []:
                key = item.get("key") if isinstance(item, dict) else None
                if not key:
                    raise SeedError(f"{where}: service sans clé (`key`)")
                _check_format(item, f"{where} [{key}]")
                if key in service_keys:
                    raise SeedError(f"{where} [{key}]: clé de service déjà utilisée dans {service_keys[key]}")
                service_keys[key] = path.name
            entries.append((path.name, entry))
    return entries


def _location(org: Organization, entry: dict, municipality_ids: set[str], where: str) -> Location:
    municipality_id = entry.get("municipality") or None
    if municipality_id and municipality_id not in municipality_ids:
        raise SeedError(f"{where}: municipalité inconnue : {municipality_id}")
    return Location(
        organization=org,
        name=entry.get("name"),
        address_1=entry.get("address_1"),
        city=entry.get("city"),
        postal_code=entry.get("postal_code"),
        municipality_id=municipality_id,
    )


def load_organizations(session: Session, report: SeedReport, paths: list[Path] | None = None) -> None:
    categories = {c.id: c for c in session.execute(select(Category)).scalars()}
    municipality_mrc = dict(session.execute(select(Municipality.id, Municipality.mrc_id)).all())
    mrc_ids = set(session.execute(select(Mrc.id)).scalars())
    known_orgs = {o.seed_key: o for o in session.execute(select(Organization).where(Organization.seed_key.isnot(None))).scalars()}
    known_services = set(session.execute(select(Service.seed_key).where(Service.seed_key.isnot(None))).scalars())
    for file_name, entry in read_seed_entries(seed_files() if paths is None else paths):
        where = f"{file_name} [{entry['key']}]"
        org = known_orgs.get(entry["key"])
        if org is None:
            org = Organization(
                id=new_id(),
                seed_key=entry["key"],
                name=entry["name"],
                alternate_name=entry.get("alternate_name"),
                description=entry.get("description") or "",
                website=entry.get("website"),
                email=entry.get("email"),
                source="",
            )
            session.add(org)
            session.add_all(fact_sources("organization", org.id, entry.get("sources"), where))
            known_orgs[entry["key"]] = org
            report.count("organization")
        locations: dict[tuple, Location] = {}
        for item in entry.get("services") or []:
            if item["key"] in known_services:
                continue
            item_where = f"{where} [{item['key']}]"
            unknown = [c for c in item.get("categories") or [] if c not in categories]
            if unknown:
                raise SeedError(f"{item_where}: catégorie inconnue {unknown}")
            status = item.get("status") or "active"
            if status not in SERVICE_STATUSES:
                raise SeedError(f"{item_where}: statut inconnu {status!r}")
            service = Service(
                id=new_id(),
                seed_key=item["key"],
                organization=org,
                name=item["name"],
                alternate_name=item.get("alternate_name"),
                description=item.get("description") or "",
                url=item.get("url"),
                email=item.get("email"),
                status=status,
                eligibility_description=item.get("eligibility_description"),
                fees_description=item.get("fees_description"),
                application_process=item.get("application_process"),
                assured_date=_date(item.get("assured_date")),
                source="",
                priority=item.get("priority") or 0,
                categories=[categories[c] for c in item.get("categories") or []],
                phones=[
                    Phone(
                        number=str(p["number"]),
                        extension=str(p["extension"]) if p.get("extension") not in (None, "") else None,
                        type=p.get("type") or "voice",
                        description=p.get("description"),
                        position=i,
                    )
                    for i, p in enumerate(item.get("phones") or [])
                ],
                schedules=[build_schedule(s) for s in item.get("schedules") or []],
                service_areas=[build_area(a, municipality_mrc, mrc_ids) for a in item.get("areas") or []],
            )
            if not service.service_areas and status in ("active", "temporarily closed"):
                # An inactive entry is history: it may no longer say where it was offered.
                raise SeedError(f"{item_where}: aucune zone de service")
            for place in item.get("locations") or []:
                if not any(place.get(k) for k in ("address_1", "city", "name")):
                    continue
                key = (place.get("name"), place.get("address_1"), place.get("city"))
                if key not in locations:
                    locations[key] = _location(org, place, set(municipality_mrc), item_where)
                service.locations.append(ServiceAtLocation(location=locations[key]))
            session.add(service)
            session.add_all(fact_sources("service", service.id, item.get("sources"), item_where))
            known_services.add(item["key"])
            report.count("service")


def load_campaigns(session: Session, report: SeedReport, path: Path = SEED_DIR / "campaigns.yml") -> None:
    if not path.exists():
        return
    known = set(session.execute(select(Campaign.seed_key).where(Campaign.seed_key.isnot(None))).scalars())
    for entry in read_yaml(path):
        if entry["key"] in known:
            continue
        session.add(
            Campaign(
                seed_key=entry["key"],
                mrc_id=entry.get("mrc"),
                title=entry["title"],
                text=entry["text"],
                starts_on=_date(entry.get("starts_on")),
                ends_on=_date(entry.get("ends_on")),
                source=entry.get("source") or "",
            )
        )
        report.count("campaign")


def seed_all(session: Session) -> SeedReport:
    """Load everything in one transaction; all or nothing."""
    report = SeedReport()
    load_geography(session, report)
    load_categories(session, report)
    session.flush()
    load_organizations(session, report)
    load_campaigns(session, report)
    return report


def is_seeded(session: Session) -> bool:
    return session.execute(select(Service.id).limit(1)).first() is not None


def prepare_database(url: str) -> SeedReport:
    """Create or migrate the schema at `url` and load the seed (idempotent)."""
    from .db import create_schema, make_engine, open_session

    engine = make_engine(url)
    try:
        create_schema(engine)
        with open_session(engine) as session:
            report = seed_all(session)
            session.commit()
        return report
    finally:
        engine.dispose()
