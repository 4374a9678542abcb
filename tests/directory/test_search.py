"""search(need, place) over the seed directory, checked against the seed files themselves."""
from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import pytest
import yaml

from directory.gazetteer import default_gazetteer
from directory.search import search
from directory.seed import SEED_DIR, seed_files

TZ = ZoneInfo("America/Toronto")
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
MRCS = ["la-matanie", "la-matapedia", "la-mitis", "rimouski-neigette", "les-basques", "riviere-du-loup", "temiscouata", "kamouraska"]


@functools.lru_cache(maxsize=1)
def _seed_services() -> tuple:
    return tuple(_read_seed_services())


def seed_services():
    # Parsed once: the YAML files are large and pure-Python parsing is slow.
    return iter(_seed_services())


def _read_seed_services():
    for path in seed_files():
        for org in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for service in org.get("services") or []:
                if (service.get("status") or "active") in ("active", "temporarily closed"):
                    yield org, service


def serves_mrc(service: dict, mrc: str) -> bool:
    return any(a.get("region") or a.get("mrc") == mrc and not a.get("municipality") for a in service["areas"])


MUNICIPALITY_MRC = {p.municipality_id: p.mrc_id for p in default_gazetteer().all_municipalities()}


def local_to(service: dict, mrc: str) -> bool:
    return any((a.get("mrc") or MUNICIPALITY_MRC.get(a.get("municipality"))) == mrc for a in service["areas"])


def resident_categories():
    data = yaml.safe_load((SEED_DIR / "categories.yml").read_text(encoding="utf-8"))
    return [c["id"] for c in data if c.get("resident_facing", True)]


@pytest.mark.parametrize("mrc", MRCS)
@pytest.mark.parametrize("category", resident_categories())
def test_each_category_in_each_mrc_matches_the_seed(session, category, mrc):
    place = default_gazetteer().mrc(mrc)
    outcome = search(session, category, place, now=NOW, limit=100)
    got = {r.name for r in outcome.results}
    expected_local = {s["name"] for _, s in seed_services() if category in s["categories"] and local_to(s, mrc)}
    foreign = {
        s["name"] for _, s in seed_services()
        if category in s["categories"] and not local_to(s, mrc) and not any(a.get("region") for a in s["areas"])
    }
    assert expected_local <= got, f"missing local services: {expected_local - got}"
    assert not (got & (foreign - expected_local)), f"services of another MRC: {got & foreign}"
    assert outcome.local_count == len([r for r in outcome.results if r.scope != "region"])
    if not expected_local:
        assert not outcome.found_local


def test_region_wide_lines_are_everywhere(session):
    regional = [s for _, s in seed_services() if any(a.get("region") for a in s["areas"])]
    assert regional, "the seed must have region-wide lines (211, 811…)"
    for mrc in MRCS:
        for service in regional:
            outcome = search(session, service["categories"][0], default_gazetteer().mrc(mrc), now=NOW, limit=100)
            assert service["name"] in {r.name for r in outcome.results}


def test_local_before_region(session):
    outcome = search(session, "aide-alimentaire", "Trois-Pistoles", now=NOW, limit=20)
    scopes = [r.scope for r in outcome.results]
    assert scopes == sorted(scopes, key=lambda s: {"municipality": 0, "mrc": 1, "municipality_in_mrc": 2, "region": 3}[s])


def test_done_criteria_examples(session):
    bouffe = search(session, "bouffe", "trois pistoles", now=NOW)
    assert any("Croc-Ensemble" in (r.name + r.organization) for r in bouffe.results[:3])
    frigo = search(session, "frigo", "Matane", now=NOW)
    assert frigo.need == "frigo-libre-service"
    assert any(r.scope in ("municipality", "mrc") and "La Matanie" in r.area_label + r.organization
               for r in frigo.results[:3]), "a fridge of La Matanie comes first"


def test_municipality_scoped_service_only_there(session):
    scoped = [(c, s) for _, s in seed_services() for c in s["categories"]
              if len(s["areas"]) == 1 and s["areas"][0].get("municipality")]
    assert scoped, "the seed has services offered in one municipality only"
    category, service = scoped[0]
    municipality = service["areas"][0]["municipality"]
    here = default_gazetteer().municipality(municipality)
    assert service["name"] in {r.name for r in search(session, category, here, now=NOW, limit=100).results}
    other = next(p for p in default_gazetteer().all_municipalities()
                 if p.mrc_id == here.mrc_id and p.municipality_id != municipality)
    assert service["name"] not in {r.name for r in search(session, category, other, now=NOW, limit=100).results}


def test_nothing_local_gives_neighbours_not_presented_as_local(session):
    # Find a category/MRC pair with nothing local but something next door.
    for category in resident_categories():
        for mrc in MRCS:
            outcome = search(session, category, default_gazetteer().mrc(mrc), now=NOW)
            if not outcome.found_local and outcome.nearby:
                assert all(r.scope == "neighbour" for r in outcome.nearby)
                assert all(r.scope == "region" for r in outcome.results)
                return
    pytest.fail("expected at least one need with nothing local but a neighbour")


def test_open_now_is_computed(session):
    outcome = search(session, "crise", "Rimouski", now=NOW, limit=10)
    always = [r for r in outcome.results if r.opening.always_open]
    assert always, "crisis lines are open 24/7"


@pytest.mark.parametrize("need,place", [
    ("", "Matane"), ("bouffe", ""), ("🙂🙂🙂", "🏠"), ("x" * 5000, "y" * 5000),
    ("'; DROP TABLE service; --", "Matane' OR 1=1 --"), ("bouffe", "Poudlard"), (None, None),
])
def test_bad_input_never_raises(session, need, place):
    outcome = search(session, need, place, now=NOW)
    assert outcome is not None
    assert all(r.scope == "region" for r in outcome.results) or outcome.place is not None


def test_unknown_need_free_text(session):
    outcome = search(session, "Croc-Ensemble", "Trois-Pistoles", now=NOW)
    assert any("Croc-Ensemble" in (r.name + r.organization) for r in outcome.results)


def test_seed_twice_changes_nothing(seeded_engine):
    from sqlalchemy import func, select

    from directory.db import open_session
    from directory.models import Category, Organization, Phone, Service, ServiceArea
    from directory.seed import seed_all

    def counts():
        with open_session(seeded_engine) as s:
            return [s.execute(select(func.count()).select_from(m)).scalar() for m in (Organization, Service, ServiceArea, Phone, Category)]

    before = counts()
    with open_session(seeded_engine) as s:
        report = seed_all(s)
        s.commit()
    assert report.total == 0
    assert counts() == before
