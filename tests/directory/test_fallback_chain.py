"""Never a bare "aucun service": every (MRC, need) pair ends on a service or line a resident can reach."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from directory.categories import resident_categories
from directory.gazetteer import default_gazetteer
from directory.geography import TZ, mrc_ids
from directory.models import Service
from directory.search import search

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)


def reachable_answer(outcome):
    """The services the step that answered offers, as the answer would show them."""
    if outcome.answered_by == "local":
        return [r for r in outcome.results if r.scope != "region" and r.reachable]
    if outcome.answered_by == "neighbour":
        return [r for r in outcome.nearby if r.reachable]
    return [r for r in outcome.lines if r.reachable]


@pytest.mark.parametrize("mrc", mrc_ids())
def test_every_need_in_every_mrc_names_something_reachable(session, mrc):
    place = default_gazetteer().mrc(mrc)
    for category in resident_categories():
        outcome = search(session, category.id, place, now=NOW)
        assert outcome.answered_by in ("local", "neighbour", "line", "211"), (mrc, category.id)
        offered = reachable_answer(outcome)
        assert offered, f"{mrc} / {category.id}: nothing reachable ({outcome.answered_by})"
        assert all(r.phones or r.url for r in offered)
        if outcome.answered_by in ("line", "211"):
            assert outcome.lines[-1].name == "Information et référence 211", (mrc, category.id)


def test_every_municipality_gets_a_reachable_answer_for_food(session):
    for place in default_gazetteer().all_municipalities():
        outcome = search(session, "aide-alimentaire", place, now=NOW)
        assert reachable_answer(outcome), place.municipality_name


def test_steps_are_taken_in_order(session):
    gazetteer = default_gazetteer()
    seen = {}
    for mrc in mrc_ids():
        for category in resident_categories():
            outcome = search(session, category.id, gazetteer.mrc(mrc), now=NOW)
            seen.setdefault(outcome.answered_by, (mrc, category.id, outcome))
    # Local: a reachable local service exists and no fallback was needed.
    _, _, local = seen["local"]
    assert any(r.reachable for r in local.results if r.scope != "region") and not local.lines
    # Neighbour: nothing reachable here, something reachable next door, presented as such.
    if "neighbour" in seen:
        _, _, near = seen["neighbour"]
        assert not any(r.reachable for r in near.results if r.scope != "region")
        assert all(r.scope == "neighbour" for r in near.nearby) and not near.lines


def test_listening_with_nothing_near_falls_back_to_811_then_1_866_appelle_then_211(session):
    outcome = search(session, "ecoute", None, now=NOW)  # no place: no local, no neighbour
    assert outcome.answered_by == "line"
    assert [r.name for r in outcome.lines] == [
        "Info-Santé et Info-Social 811", "Ligne de prévention du suicide 1 866 APPELLE", "Information et référence 211"]
    assert "option 2" in outcome.lines[0].description


def test_a_need_without_a_line_of_its_kind_ends_with_211_and_its_hours(session):
    outcome = search(session, "jardin", None, now=NOW)
    assert outcome.answered_by == "211"
    assert [r.name for r in outcome.lines] == ["Information et référence 211"]
    assert outcome.lines[0].phones[0].number == "211" and outcome.lines[0].schedule_description


def test_an_archived_line_is_skipped(session):
    line = session.execute(select(Service).where(Service.seed_key == "sos-violence-conjugale-ligne")).scalar_one()
    line.status = "archived"
    session.flush()
    outcome = search(session, "violence", None, now=NOW)
    assert [r.name for r in outcome.lines] == ["Information et référence 211"]
    assert outcome.answered_by == "211"
    session.rollback()


def test_results_say_how_fresh_they_are(session):
    outcome = search(session, "ecoute", "Rimouski", now=NOW, limit=50)
    assert outcome.results
    for result in outcome.results:
        assert result.freshness.startswith(("Vérifié le", "Selon ", "Information à confirmer")), result.freshness
    assert any(r.freshness.endswith("— à confirmer") for r in outcome.results)
    line = search(session, "ecoute", None, now=NOW).lines[0]
    assert line.freshness == "Selon un article de juillet 2024 — à confirmer"
