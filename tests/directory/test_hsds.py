"""HSDS 3.0: what Phare publishes validates against Open Referral's schemas; parameters; SQL filters; data package.

The schemas are the vendored v3.0 files (directory/hsds/schema). Filters are
checked on a small directory built here (made-up services, on SQLite and
PostgreSQL); conformance and the export → import round trip on the seeded
directory.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from directory.db import create_schema, make_engine, open_session
from directory.hsds import ids, package, query, schemas, serialize
from directory.hsds.params import ParamError, parse
from directory.models import (
    Category,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from directory.search import search
from directory.seed import SeedReport, load_categories, load_geography

TODAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("America/Toronto"))  # a Tuesday, 10:00


# --- Conformance on the seeded directory ------------------------------------

def _published(session) -> list[Service]:
    ids_ = list(session.execute(select(Service.id).where(Service.status.in_(query.PUBLISHED_STATUSES))).scalars())
    return query.load_services(session, ids_)


def test_every_published_service_validates(session):
    services = _published(session)
    assert services, "the seeded directory publishes services"
    problems = {}
    for service in services:
        for kind, body in (("service", serialize.service_json(service, TODAY)),
                           ("service_list", serialize.service_list_json(service))):
            found = schemas.errors(kind, body)
            if found:
                problems[f"{kind} {service.name}"] = found[:3]
    assert problems == {}


def test_organizations_terms_taxonomy_and_links_validate(session):
    services = _published(session)
    orgs = query.load_organizations(session, sorted({s.organization_id for s in services}))
    for org in orgs:
        assert schemas.errors("organization_list", serialize.organization_list_json(org)) == []
        full = serialize.organization_json(org, [serialize.service_json(s, TODAY) for s in services
                                                 if s.organization_id == org.id])
        assert schemas.errors("organization", full) == []
    assert schemas.errors("taxonomy", serialize.taxonomy_json()) == []
    for category in session.execute(select(Category)).scalars():
        assert schemas.errors("taxonomy_term", serialize.taxonomy_term_json(category)) == []


def test_the_validator_catches_what_hsds_forbids(session):
    body = serialize.service_json(_published(session)[0], TODAY)
    assert schemas.errors("service", body | {"status": "archived"})
    assert schemas.errors("service", body | {"url": None})
    assert schemas.errors("service", {k: v for k, v in body.items() if k != "name"})


def test_schedules_speak_hsds():
    weekly = Schedule(id="a" * 8, service_id="s", freq="DAILY", interval=1, opens_at=dt.time(9), closes_at=dt.time(17),
                      timezone="America/Toronto", open_24_7=False, closed_on_holidays=True)
    body = serialize.schedule_json(weekly, dt.date(2026, 1, 15))
    assert body["freq"] == "WEEKLY" and body["byday"] == serialize.EVERY_DAY
    assert body["timezone"] == -5 and body["opens_at"] == "09:00"
    assert "fériés" in body["notes"]
    always = Schedule(id="b" * 8, service_id="s", open_24_7=True, interval=1, timezone="America/Toronto")
    body = serialize.schedule_json(always, dt.date(2026, 7, 1))
    assert (body["freq"], body["opens_at"], body["closes_at"], body["timezone"]) == ("WEEKLY", "00:00", "23:59", -4)


def test_stable_ids():
    assert ids.taxonomy_term_id("aide-alimentaire") == ids.taxonomy_term_id("aide-alimentaire")
    assert ids.taxonomy_term_id("aide-alimentaire") != ids.taxonomy_term_id("repas")
    assert ids.is_uuid(ids.taxonomy_id()) and not ids.is_uuid("aide-alimentaire")


# --- Parameters ------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    ({"colour": ["red"]}, "Paramètre inconnu : colour"),
    ({"page": ["abc"]}, "« page » doit être un nombre entier"),
    ({"page": ["0"]}, "« page » doit valoir au moins 1"),
    ({"per_page": ["1000"]}, "entre 1 et 100"),
    ({"page": ["1", "2"]}, "plus d'une fois"),
    ({"full": ["peut-être"]}, "true ou false"),
    ({"modified_after": ["hier"]}, "ISO 8601"),
    ({"format": ["xml"]}, "json ou ndjson"),
    ({"proximity": ["500"]}, "n'est pas offert"),
    ({"category": ["repas"], "taxonomy_term_id": ["repas"]}, "pas les deux"),
    ({"search": [""]}, "est vide"),
])
def test_bad_parameters_are_refused_in_french(args, message):
    endpoint = "service_at_locations" if "proximity" in args else "services"
    with pytest.raises(ParamError, match=message):
        parse(endpoint, args)


def test_parameters_are_read():
    params = parse("services", {"page": ["3"], "per_page": ["10"], "full": ["true"], "open_now": ["1"],
                                "modified_after": ["2026-01-31"], "category": ["repas"], "postcode": ["G5L 1A1"]})
    assert (params.page, params.per_page, params.offset) == (3, 10, 20)
    assert params.full and params.open_now and params.taxonomy_term_id == "repas"
    assert params.modified_after == dt.datetime(2026, 1, 31) and params.postal_code == "G5L 1A1"
    with pytest.raises(ParamError):
        parse("organization", {"search": ["x"]})


# --- SQL filters on a small made-up directory (both engines) ----------------

def _emptied(session) -> None:
    """Geography and categories only (what Phare always ships), no service.

    The database is shared by this module's tests (the round trip fills it), so each starts empty.
    """
    for table in (ServiceAtLocation, Location, Phone, Schedule, ServiceArea):
        session.query(table).delete()
    session.execute(Service.__table__.delete())
    session.execute(Organization.__table__.delete())
    report = SeedReport()
    load_geography(session, report)
    load_categories(session, report)


@pytest.fixture()
def small(any_database_url):
    engine = make_engine(any_database_url)
    create_schema(engine)
    with open_session(engine) as session:
        _emptied(session)
        food, meals = session.get(Category, "aide-alimentaire"), session.get(Category, "repas")
        org_a = Organization(name="Essai Comptoir de Mont-Joli", description="Groupe d'essai")
        org_b = Organization(name="Essai Ligne régionale", description="Groupe d'essai")
        session.add_all([org_a, org_b])
        session.flush()
        old = dt.datetime(2025, 1, 1)
        pantry = Service(organization_id=org_a.id, name="Essai Épicerie solidaire", description="Paniers de denrées",
                         status="active", categories=[food], last_modified=old)
        pantry.service_areas = [ServiceArea(scope="mrc", mrc_id="la-mitis")]
        pantry.schedules = [Schedule(freq="WEEKLY", byday="TU", opens_at=dt.time(9), closes_at=dt.time(12), interval=1)]
        town = Service(organization_id=org_a.id, name="Essai Repas du midi", description="Repas chauds", status="active",
                       categories=[meals], last_modified=old)
        town.service_areas = [ServiceArea(scope="municipality", municipality_id="mont-joli", mrc_id="la-mitis")]
        line = Service(organization_id=org_b.id, name="Essai Ligne d'écoute", description="Au téléphone",
                       status="active", categories=[], last_modified=dt.datetime(2026, 6, 1))
        line.service_areas = [ServiceArea(scope="region")]
        closed = Service(organization_id=org_b.id, name="Essai Ancien service", description="", status="archived",
                         categories=[food], last_modified=old)
        closed.service_areas = [ServiceArea(scope="region")]
        session.add_all([pantry, town, line, closed])
        place = Location(organization_id=org_a.id, address_1="1, rue d'Essai", city="Mont-Joli", municipality_id="mont-joli")
        session.add(place)
        session.flush()
        session.add(ServiceAtLocation(service_id=pantry.id, location_id=place.id))
        session.commit()
        yield session, {"pantry": pantry.id, "town": town.id, "line": line.id, "closed": closed.id, "org_a": org_a.id}
        session.rollback()
        for table in (ServiceAtLocation, Location):
            session.query(table).delete()
        session.execute(Service.__table__.delete().where(Service.name.like("Essai %")))
        session.execute(Organization.__table__.delete().where(Organization.name.like("Essai %")))
        session.commit()
    engine.dispose()


def _names(session, args: dict, now=NOW) -> list[str]:
    params = parse("services", {k: [v] for k, v in args.items()})
    page = query.services_page(session, params, query.resolve_area(session, params), now)
    names = [s.name for s in query.load_services(session, page.ids)]
    assert page.total >= len(names)
    return [n for n in names if n.startswith("Essai")]


def test_filters_in_sql(small):
    session, made = small
    assert _names(session, {"search": "epicerie SOLIDAIRE"}) == ["Essai Épicerie solidaire"]
    assert _names(session, {"search": "mont joli comptoir"}) == ["Essai Épicerie solidaire", "Essai Repas du midi"]
    assert _names(session, {"taxonomy_term_id": ids.taxonomy_term_id("repas")}) == ["Essai Repas du midi"]
    assert _names(session, {"taxonomy_term_id": "aide-alimentaire"}) == ["Essai Épicerie solidaire"]
    assert _names(session, {"taxonomy_term_id": ids.taxonomy_term_id("inconnu")}) == []
    assert _names(session, {"organization_id": made["org_a"]}) == ["Essai Épicerie solidaire", "Essai Repas du midi"]
    assert _names(session, {"modified_after": "2026-01-01T00:00:00-05:00"}) == ["Essai Ligne d'écoute"]
    assert "Essai Ancien service" not in _names(session, {})


def test_place_filters(small):
    session, _ = small
    everything = {"Essai Épicerie solidaire", "Essai Repas du midi", "Essai Ligne d'écoute"}
    assert set(_names(session, {"mrc": "la-mitis"})) == everything
    assert set(_names(session, {"municipality": "mont-joli"})) == everything
    assert set(_names(session, {"municipality": "price"})) == {"Essai Épicerie solidaire", "Essai Ligne d'écoute"}
    assert set(_names(session, {"mrc": "kamouraska"})) == {"Essai Ligne d'écoute"}
    assert set(_names(session, {"postal_code": "G5H"})) == everything  # G5H: Mont-Joli
    for bad, message in (({"mrc": "atlantide"}, "MRC inconnue"), ({"municipality": "paris"}, "Municipalité inconnue"),
                         ({"postal_code": "H2X 1Y4"}, "hors du Bas-Saint-Laurent")):
        params = parse("services", {k: [v] for k, v in bad.items()})
        with pytest.raises(query.UnknownPlace, match=message):
            query.resolve_area(session, params)


def test_open_now_and_paging(small):
    session, _ = small
    assert _names(session, {"open_now": "true", "search": "essai"}) == ["Essai Épicerie solidaire"]
    assert _names(session, {"open_now": "true", "search": "essai"}, now=NOW + dt.timedelta(hours=5)) == []
    params = parse("services", {"search": ["essai"], "per_page": ["2"], "page": ["2"]})
    page = query.services_page(session, params, None, NOW)
    assert page.total == 3 and len(page.ids) == 1
    links = query.service_at_locations_page(session, parse("service_at_locations", {"municipality": ["mont-joli"]}),
                                            query.resolve_area(session, parse("services", {"municipality": ["mont-joli"]})), NOW)
    assert links.total == 1
    link = query.load_links(session, links.ids)[0]
    body = serialize.service_at_location_json(link, TODAY, full=True)
    assert schemas.errors("service_at_location", body) == []
    assert body["location"]["addresses"][0]["city"] == "Mont-Joli"


# --- Data package ------------------------------------------------------------

def _answers(session) -> dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]]:
    from directory.models import Mrc

    answers = {}
    for mrc in session.execute(select(Mrc)).scalars():
        for category_id in session.execute(select(Category.id).where(Category.resident_facing.is_(True))).scalars():
            outcome = search(session, category_id, mrc.name, now=NOW, limit=50)
            answers[(mrc.id, category_id)] = sorted(
                (r.name, tuple(sorted(p.number for p in r.phones))) for r in outcome.results)
    return answers


@pytest.fixture()
def empty_directory(any_database_url):
    """Geography and categories only (what Phare always ships), no service."""
    engine = make_engine(any_database_url)
    create_schema(engine)
    with open_session(engine) as session:
        _emptied(session)
        session.commit()
        yield session
        session.rollback()
    engine.dispose()


def test_round_trip_gives_the_same_answers(session, empty_directory):
    before = _answers(session)
    assert any(before.values())
    data = package.export_bytes(session)
    report = package.import_bytes(empty_directory, data)
    empty_directory.commit()
    assert report.counts.get("services ajoutés") == len(_published(session))
    assert _answers(empty_directory) == before
    again = package.import_bytes(empty_directory, data)
    assert again.counts == {}, "importing the same package twice changes nothing"


def test_package_layout(session):
    archive = zipfile.ZipFile(io.BytesIO(package.export_bytes(session)))
    names = set(archive.namelist())
    assert {"datapackage.json", "organizations.csv", "services.csv", "phones.csv", "schedules.csv",
            "service_areas.csv", "taxonomy_terms.csv", "attributes.csv"} <= names
    header = archive.read("services.csv").decode().splitlines()[0].split(",")
    assert header == package.columns("service")
    import json

    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["profile"] == "tabular-data-package"
    assert {r["path"] for r in descriptor["resources"]} <= names


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _with(data: bytes, name: str, change) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {n: archive.read(n).decode() for n in archive.namelist()}
    files[name] = change(files[name])
    return _zip(files)


def test_bad_packages_are_refused_whole_with_line_numbers(session, empty_directory):
    good = package.export_bytes(session)
    count = lambda: empty_directory.execute(select(func.count(Service.id))).scalar()  # noqa: E731
    before = count()
    cases = [
        (b"pas un zip", "n'est pas une archive zip"),
        (_zip({"organizations.csv": "id,name\n"}), "services.csv : fichier absent"),
        (_with(good, "services.csv", lambda t: t.replace("id,organization_id", "id,couleur", 1)), "colonnes inconnues"),
        (_with(good, "services.csv", lambda t: t.replace(",active,", ",ferme,", 1)), "services.csv, ligne 2 : statut « ferme »"),
        (_with(good, "phones.csv", lambda t: t + "x1,,,,,,,,voice,\n"), "phones.csv, ligne"),
        (_with(good, "service_areas.csv", lambda t: t.replace("extent_type", "extent_type", 1) +
               "z1," + _first_service_id(good) + ",Atlantide,,,,\n"), "territoire « Atlantide » inconnu"),
    ]
    for data, message in cases:
        with pytest.raises(package.PackageError) as caught:
            package.import_bytes(empty_directory, data)
        assert message in str(caught.value), (message, str(caught.value)[:300])
        empty_directory.rollback()
        assert count() == before, "nothing half-written"


def _first_service_id(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive.read("services.csv").decode().splitlines()[1].split(",")[0]
