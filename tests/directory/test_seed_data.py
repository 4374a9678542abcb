"""The seed data itself: honest sources, known ids, unique keys, and the loader's format rules."""
from __future__ import annotations

import csv
import functools
import textwrap
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from directory import seed_sources
from directory.categories import LINE_211, load_categories
from directory.db import create_schema, make_engine, open_session
from directory.geography import GEOGRAPHY_DIR, mrc_ids
from directory.models import FactSource, Location, Organization, Phone, Service, ServiceArea, ServiceAtLocation
from directory.seed import SeedError, SeedReport, load_organizations, seed_all, seed_files, sort_date
from directory.text import fold

MUNICIPALITIES = {row["id"]: row["mrc_id"] for row in csv.DictReader(
    (GEOGRAPHY_DIR / "municipalities.tsv").open(encoding="utf-8"), delimiter="\t")}
CATEGORY_IDS = {c.id for c in load_categories()}


@functools.lru_cache(maxsize=1)
def _entries() -> tuple:
    return tuple((path, org) for path in seed_files() for org in yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def entries():
    return iter(_entries())


def services():
    for path, org in entries():
        for service in org.get("services") or []:
            yield path, org, service


def test_seed_files_are_the_regional_file_and_one_per_mrc():
    names = [p.name for p in seed_files()]
    assert names[0] == "organizations.yml"
    assert sorted(n[:-4] for n in names[1:]) == sorted(mrc_ids())


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: p.name)
def test_every_contact_fact_is_in_its_quoted_source(path):
    problems = seed_sources.check_file(path)
    assert problems == [], "\n".join(problems)


def test_honesty_checker_catches_a_number_not_in_its_quote(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(textwrap.dedent("""
        - key: org
          name: Org
          sources:
            - url: https://example.org/a
              date: "2024-03"
              kind: journal
              quote: "Appelez le 418 555-0000, partout dans La Mitis."
              supports: [phone, territory]
          services:
            - key: org-s
              name: S
              categories: [repas]
              areas: [{mrc: la-mitis}]
              phones: [{number: "418 555-0001"}]
    """), encoding="utf-8")
    problems = seed_sources.check_file(bad)
    assert len(problems) == 1 and "418 555-0001" in problems[0]
    assert seed_sources.main([str(bad)]) == 1


def test_keys_are_unique_across_files():
    seen: dict[str, str] = {}
    for path, org in entries():
        for key in [org["key"], *(s["key"] for s in org.get("services") or [])]:
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name


def test_every_category_mrc_and_municipality_id_exists():
    for path, _org, service in services():
        where = f"{path.name} [{service['key']}]"
        assert set(service.get("categories") or []) <= CATEGORY_IDS, where
        for area in service.get("areas") or []:
            if area.get("municipality"):
                assert area["municipality"] in MUNICIPALITIES, where
            if area.get("mrc"):
                assert area["mrc"] in mrc_ids(), where
            if area.get("municipality") and area.get("mrc"):
                assert MUNICIPALITIES[area["municipality"]] == area["mrc"], where
        for location in service.get("locations") or []:
            if location.get("municipality"):
                assert location["municipality"] in MUNICIPALITIES, where


def test_local_files_hold_services_of_their_mrc():
    """An organisation lives in the file of the MRC where it is based: each local file serves its MRC."""
    for path in seed_files()[1:]:
        served = set()
        for org in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for service in org.get("services") or []:
                for area in service.get("areas") or []:
                    served.add(area.get("mrc") or MUNICIPALITIES.get(area.get("municipality"), "region"))
        assert not served or path.stem in served, f"{path.name} serves {served}"


def test_synonyms_are_unique_across_categories():
    owner: dict[str, str] = {}
    for category in load_categories():
        for synonym in category.synonyms:
            key = fold(synonym)
            assert owner.get(key, category.id) == category.id, f"« {synonym} » in {owner.get(key)} and {category.id}"
            owner[key] = category.id


@pytest.mark.parametrize("category_id", ["hebergement-urgence", "violence", "ecoute", "droits-locataires", "aines",
                                         "accompagnement-transport"])
def test_new_categories_are_complete(category_id):
    category = next(c for c in load_categories() if c.id == category_id)
    assert len(category.synonyms) >= 20
    assert category.label and category.description and category.phrase and category.menu_label and category.intent


def test_fallback_lines_are_regional_lines_with_a_sourced_phone():
    regional = {s["key"]: s for path, _org, s in services() if path.name == "organizations.yml"}
    for category in load_categories():
        for key in category.fallback_chain:
            assert key in regional, f"{category.id}: {key} is not a line of organizations.yml"
            line = regional[key]
            assert line["phones"] and any(a.get("region") for a in line["areas"]), key
    assert load_categories()[0].fallback_chain[-1] == LINE_211


def test_sort_date():
    assert str(sort_date("2024")) == "2024-01-01"
    assert str(sort_date("2024-03")) == "2024-03-01"
    assert str(sort_date("2024-03-12")) == "2024-03-12"
    assert sort_date("mars") is None and sort_date("") is None


# --- The loader --------------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture()
def empty_directory(tmp_path):
    """A fresh SQLite directory with geography and categories only."""
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    create_schema(engine)
    from directory.seed import load_categories as load_category_rows
    from directory.seed import load_geography

    with open_session(engine) as session:
        report = SeedReport()
        load_geography(session, report)
        load_category_rows(session, report)
        session.commit()
    yield engine
    engine.dispose()


def test_loader_rejects_the_old_free_text_source(empty_directory, tmp_path):
    old = _write(tmp_path, "old.yml", """
        - key: org
          name: Org
          source: "Bulletin, page 3"
          services: []
    """)
    with open_session(empty_directory) as session, pytest.raises(SeedError, match="`source` .*n'est plus accepté"):
        load_organizations(session, SeedReport(), [old])


def test_loader_rejects_a_key_used_twice(empty_directory, tmp_path):
    one = _write(tmp_path, "a.yml", "- {key: org, name: A, services: []}\n")
    two = _write(tmp_path, "b.yml", "- {key: org, name: B, services: []}\n")
    with open_session(empty_directory) as session, pytest.raises(SeedError, match="déjà utilisée dans a.yml"):
        load_organizations(session, SeedReport(), [one, two])


def test_loader_stores_locations_status_and_one_source_row_per_fact(empty_directory, tmp_path):
    path = _write(tmp_path, "x.yml", """
        - key: org
          name: Org
          website: https://org.example
          sources:
            - url: https://org.example/joindre
              date: "2025"
              kind: organisme
              quote: "Visitez org.example"
              supports: [website, description]
          services:
            - key: org-popote
              name: Popote
              categories: [repas, aines]
              areas: [{mrc: la-mitis}]
              phones: [{number: "418 555-0199", description: Accueil}]
              locations:
                - {address_1: "1234, avenue de la Gare", city: Mont-Joli, postal_code: G5H 1A1, municipality: mont-joli}
              sources:
                - url: https://journal.example/2024/03/12/popote
                  date: "2024-03-12"
                  kind: journal
                  quote: "Composez le 418 555-0199, au 1234, avenue de la Gare."
                  supports: [phone, address]
            - key: org-covid
              name: Action ponctuelle
              categories: [repas]
              status: inactive
              areas: []
    """)
    with open_session(empty_directory) as session:
        load_organizations(session, SeedReport(), [path])
        session.commit()
        service = session.execute(select(Service).where(Service.seed_key == "org-popote")).scalar_one()
        assert [p.number for p in service.phones] == ["418 555-0199"]
        location = service.locations[0].location
        assert (location.address_1, location.city, location.postal_code, location.municipality_id) == (
            "1234, avenue de la Gare", "Mont-Joli", "G5H 1A1", "mont-joli")
        rows = session.execute(select(FactSource).order_by(FactSource.resource_type, FactSource.field)).scalars().all()
        assert [(r.resource_type, r.field) for r in rows] == [
            ("organization", "description"), ("organization", "website"), ("service", "address"), ("service", "phone")]
        phone = rows[-1]
        assert phone.resource_id == service.id and phone.kind == "journal" and phone.source_date == "2024-03-12"
        assert str(phone.sort_date) == "2024-03-12" and "418 555-0199" in phone.quote
        inactive = session.execute(select(Service).where(Service.seed_key == "org-covid")).scalar_one()
        assert inactive.status == "inactive"


def test_seed_twice_changes_nothing_and_keeps_staff_edits(seeded_engine):
    tables = (Organization, Service, ServiceArea, Phone, FactSource, Location, ServiceAtLocation)

    def counts():
        with open_session(seeded_engine) as s:
            return [s.execute(select(func.count()).select_from(t)).scalar() for t in tables]

    before = counts()
    assert before[4] > 100, "fact sources are stored"
    with open_session(seeded_engine) as s:
        phone = s.execute(select(Phone).join(Service).where(Service.seed_key == "ligne-211-information-reference")).scalar_one()
        original = phone.description
        phone.description = "Corrigé par le personnel"
        s.commit()
    try:
        with open_session(seeded_engine) as s:
            report = seed_all(s)
            s.commit()
        assert report.total == 0
        assert counts() == before
        with open_session(seeded_engine) as s:
            phone = s.execute(select(Phone).join(Service).where(Service.seed_key == "ligne-211-information-reference")).scalar_one()
            assert phone.description == "Corrigé par le personnel"
    finally:
        with open_session(seeded_engine) as s:
            s.execute(select(Phone).join(Service).where(Service.seed_key == "ligne-211-information-reference")).scalar_one().description = original
            s.commit()


def test_every_seeded_fact_has_its_source_row(session):
    """What the files say is what the database holds: one row per supported fact."""
    expected = 0
    for _path, _org, service in services():
        expected += sum(len(s.get("supports") or []) for s in service.get("sources") or [])
    expected += sum(len(s.get("supports") or []) for _p, org in entries() for s in org.get("sources") or [])
    assert session.execute(select(func.count()).select_from(FactSource)).scalar() == expected


@pytest.mark.parametrize("date,problem", [("2999-01", "futur"), ("2024-13", "impossible"), ("mars 2024", "invalide"),
                                          ("2024-03-12", None)])
def test_honesty_checker_reads_source_dates(date, problem):
    source = {"url": "https://example.org", "date": date, "kind": "journal", "quote": "Texte.", "supports": ["description"]}
    problems = list(seed_sources.check_sources([source], "x"))
    if problem:
        assert len(problems) == 1 and problem in problems[0]
    else:
        assert problems == []
