"""The answer model and its renderers: SMS packing by priority, plain text, payload; golden files.

Golden files (tests/golden/answers/) hold typical answers per channel: the SMS
text, the plain text, the custom payload the widget renders. After a wanted
change of wording, regenerate them with PHARE_UPDATE_GOLDEN=1 and read the diff.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest

from actions import answers
from actions.answer_model import DETAILS, NO_MORE, RESULTS, Answer, details_payload, is_answer_payload
from bot.sms_render import MORE_PROMPT, menu_choices, render, render_answer
from bot.sms_text import count_segments
from directory.gazetteer import Place
from directory.schedules import OpeningStatus
from directory.search import TZ, PhoneInfo, SearchOutcome, ServiceResult
from tests.support import ROOT

GOLDEN = ROOT / "tests" / "golden" / "answers"
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # a Monday morning
MATANE = Place(kind="municipality", mrc_id="la-matanie", mrc_name="La Matanie",
               municipality_id="matane", municipality_name="Matane")

LONG = ("Le Club des 50 ans et plus a mis un frigo communautaire libre-service à la disposition de la population. "
        "Elle peut, par exemple, offrir des fruits, des légumes et des plats préparés par des bénévoles du quartier. "
        "Le frigo a déjà été retiré pendant l'hiver : vérifiez auprès du 211 avant de vous déplacer.")


def phone(number: str, description: str | None = None) -> PhoneInfo:
    from directory.formatting import format_phone

    return PhoneInfo(number, format_phone(number), None, "voice", description)


def result(i: int, *, phones=(), description=LONG, address=None, scope="municipality", opening=None,
           status="active", assured=None, name=None, priority=0) -> ServiceResult:
    return ServiceResult(
        id=f"s{i}", name=name or f"Service numéro {i}", organization=f"Organisme {i}", description=description,
        categories=("frigo-libre-service",), phones=tuple(phones), url=None, email=None, address=address,
        status=status, assured_date=assured, scope=scope, area_label="Matane", opening=opening or OpeningStatus(known=False),
        schedule_description=None, eligibility_description=None, fees_description=None, application_process=None,
        priority=priority,
    )


def outcome(results, nearby=()) -> SearchOutcome:
    local = sum(1 for r in results if r.scope != "region")
    return SearchOutcome(need="frigo-libre-service", need_label="Frigos libre-service", place=MATANE, resolution=None,
                         results=list(results), local_count=local, nearby=list(nearby), total=len(results))


OPEN = OpeningStatus(known=True, open_now=True, closes_at=NOW.replace(hour=16))
FIVE = [
    result(1, phones=[phone("4185550101")], address="123, rue Saint-Jérôme, Matane, G4W 3A1", opening=OPEN,
           assured=dt.date(2026, 3, 12)),
    result(2, phones=[phone("(418) 555-0102", "Ligne d'accueil"), phone("1-800-555-0103")]),
    result(3),  # no contact at all: the 211 line says how to reach it, once
    result(4, phones=[phone("4185550104")], status="temporarily closed"),
    result(5, phones=[phone("4185550105")], description="Court."),
]
LINE_211 = result(9, phones=[phone("211")], scope="region", name="Information et référence 211",
                  description="Une personne vous aide à trouver le bon organisme.", priority=50)


def sms(answer: Answer) -> str:
    return render_answer(Answer.from_payload(answer.to_payload())).body


# ---------------------------------------------------------------- the model


def test_payload_round_trip_and_marker():
    answer = answers.results_answer(outcome(FIVE), NOW, normal=True)
    payload = json.loads(json.dumps(answer.to_payload()))
    assert is_answer_payload(payload) and Answer.from_payload(payload) == answer


def test_pages_continue_and_say_when_the_list_is_over():
    first = answers.results_answer(outcome(FIVE), NOW)
    assert first.kind == RESULTS and [c.number for c in first.services] == [1, 2, 3] and first.more
    second = answers.results_answer(outcome(FIVE), NOW, offset=3)
    assert [c.number for c in second.services] == [4, 5] and not second.more
    assert second.end_note and "C'est tout" in second.end_note
    after = answers.results_answer(outcome(FIVE), NOW, offset=6)
    assert after.kind == NO_MORE and "pas d'autres résultats" in after.notice and not after.services


def test_freshness_from_the_directory_wins_over_the_verification_date():
    from dataclasses import replace

    base = FIVE[0]
    fresh = replace(base, freshness="Selon un article de mars 2024 — à confirmer")
    card = answers.results_answer(outcome([fresh]), NOW).services[0]
    assert card.freshness == "Selon un article de mars 2024 — à confirmer."
    assert answers.results_answer(outcome([replace(base, freshness="")]), NOW).services[0].freshness == (
        "Vérifié le 12 mars 2026.")


def test_details_of_result_n():
    answer = answers.details_answer(outcome(FIVE), 2, NOW)
    assert answer.kind == DETAILS and answer.services[0].name == "Service numéro 2"
    assert answers.details_answer(outcome(FIVE), 6, NOW) is None
    body = sms(answer)
    assert "418 555-0102 (Ligne d'accueil)" in body and "1 800 555-0103" in body


# ---------------------------------------------------------------- SMS


def test_sms_contacts_and_place_before_description_and_one_211():
    body = sms(answers.results_answer(outcome(FIVE), NOW, normal=True))
    assert count_segments(body) <= 3
    for card_phone in ("418 555-0101", "418 555-0102"):
        assert card_phone in body
    assert "Club des 50" not in body or body.index("418 555-0101") < body.index("Club des 50")  # contact first
    assert "3. Service numéro 3" in body
    assert body.lower().count("faites le 211") == 1
    assert "Elle peut, par" not in body or "Elle peut, par exemple, offrir" in body  # never cut mid-phrase
    assert "Détails : répondez 1, 2 ou 3." in body and "PLUS" in body


def test_sms_numbers_give_details_and_plus_is_not_a_number():
    answer = answers.answer_message(answers.results_answer(outcome(FIVE), NOW)).as_dispatch()
    turn = [{"text": answer["text"], "buttons": answer["buttons"], "custom": answer["json_message"]}]
    choices = menu_choices(turn)
    assert [c.payload for c in choices] == [details_payload(n) for n in (1, 2, 3)]
    second_page = answers.answer_message(answers.results_answer(outcome(FIVE), NOW, offset=3)).as_dispatch()
    choices = menu_choices([{"text": second_page["text"], "custom": second_page["json_message"]}])
    assert len(choices) == 5 and choices[4].payload == details_payload(5)  # "5" after page 2


def test_sms_drops_the_plain_text_twin_of_an_answer():
    message = answers.answer_message(answers.results_answer(outcome(FIVE), NOW)).as_dispatch()
    # What Rasa's CollectingOutputChannel gives the SMS channel: the text (with buttons), then the custom payload.
    rendered = render([{"text": message["text"], "buttons": message["buttons"]}, {"custom": message["json_message"]}])
    assert rendered.body == sms(answers.results_answer(outcome(FIVE), NOW)) and not rendered.rest


def test_sms_fallback_names_a_line_with_its_phone():
    body = sms(answers.results_answer(outcome([LINE_211]), NOW, normal=True))
    assert "Aucun service" in body and "Information et référence 211 : 211" in body
    assert body.lower().count("211 (gratuit)") <= 1
    nearby = [result(7, phones=[phone("4185550107")], scope="neighbour")]
    body = sms(answers.results_answer(outcome([LINE_211], nearby=nearby), NOW))
    assert "MRC voisine" in body and "1. Service numéro 7 : 418 555-0107" in body


def test_anti_stigma_line_only_when_asked():
    assert "c'est normal" in sms(answers.results_answer(outcome(FIVE), NOW, normal=True))
    assert "c'est normal" not in sms(answers.results_answer(outcome(FIVE), NOW, normal=False))


# ---------------------------------------------------------------- golden files

GOLDEN_CASES = {
    "results_first_page": lambda: answers.results_answer(outcome(FIVE), NOW, normal=True,
                                                         campaign="Ensemble contre les préjugés : on s'entraide!"),
    "results_last_page": lambda: answers.results_answer(outcome(FIVE), NOW, offset=3),
    "no_more": lambda: answers.results_answer(outcome(FIVE + [LINE_211]), NOW, offset=6),
    "none_local_nearby": lambda: answers.results_answer(
        outcome([LINE_211], nearby=[result(7, phones=[phone("4185550107")], scope="neighbour")]), NOW, normal=True),
    "details": lambda: answers.details_answer(outcome(FIVE), 1, NOW),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_answers(name):
    answer = GOLDEN_CASES[name]()
    message = answers.answer_message(answer).as_dispatch()
    produced = {
        "sms.txt": render([{"text": message["text"]}, {"custom": message["json_message"]}]).body + "\n",
        "text.txt": message["text"] + "\n",
        "web.json": json.dumps(message["json_message"], ensure_ascii=False, indent=2, sort_keys=True) + "\n",
    }
    for suffix, text in produced.items():
        path = GOLDEN / f"{name}.{suffix}"
        if os.environ.get("PHARE_UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text, f"{path.name} changed (PHARE_UPDATE_GOLDEN=1 to accept)"
    assert count_segments(produced["sms.txt"].rstrip("\n")) <= 3


# ---------------------------------------------------------------- properties (hypothesis)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROMPT_LINE = re.compile(r"^(Détails : répondez [\d, ou]+\.)?\s*(La suite : PLUS\.)?$")

words = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéèàêçôÉ -'’«»…"), min_size=1, max_size=40)
prose = st.lists(words.map(lambda w: (w.strip() or "mot").capitalize() + "."), min_size=0, max_size=8).map(" ".join)
phones = st.lists(st.sampled_from(["4185550101", "18005550199", "211", "811", "(418) 555-0123", "5815550000"]),
                  max_size=3)


@st.composite
def generated_results(draw):
    count = draw(st.integers(0, 7))
    found = []
    for i in range(1, count + 1):
        found.append(result(
            i, phones=[phone(n) for n in draw(phones)], description=draw(prose),
            name=draw(st.text(alphabet=st.sampled_from("ABCDEFGHIJ abcdéèêôç'-()"), min_size=1, max_size=160)).strip() or "X",
            address=draw(st.sampled_from([None, "12, rue Principale, Matane, G4W 1A1", "Matane"])),
            opening=draw(st.sampled_from([None, OPEN])), status=draw(st.sampled_from(["active", "temporarily closed"])),
            assured=draw(st.sampled_from([None, dt.date(2026, 3, 12)])),
        ))
    nearby = [result(20 + i, phones=[phone(n) for n in draw(phones)], scope="neighbour", description=draw(prose))
              for i in range(draw(st.integers(0, 3)))]
    lines = [LINE_211] if draw(st.booleans()) else []
    return outcome(found + lines, nearby=nearby)


def check_sms(answer: Answer) -> None:
    body = sms(answer)
    assert count_segments(body) <= 3, body
    lines = [line for line in body.split("\n") if line.strip()]
    # Never a bare prompt: the reply says something, and does not end on a prompt.
    assert lines and not PROMPT_LINE.match(lines[-1]) and not body.rstrip().endswith(MORE_PROMPT)
    assert any(not PROMPT_LINE.match(line) for line in lines)
    with_phone = [c for c in answer.all_services if c.phones]
    if with_phone:
        # Every service shown is named, the first with its phone.
        first = with_phone[0]
        assert first.phones[0].display in body, body
    else:
        assert "211" in body  # the line that is always there
    for card in answer.services:
        if card.number:
            assert f"{card.number}. " in body
    assert body.lower().count("faites le 211") <= 1
    assert body.count("c'est normal") <= 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_results(), st.integers(0, 3), st.booleans(), st.one_of(st.none(), prose))
def test_every_generated_sms_answer_fits_and_names_a_phone(found, page, normal, campaign):
    check_sms(answers.results_answer(found, NOW, offset=page * answers.RESULTS_PER_ANSWER, normal=normal,
                                     campaign=campaign or None))
    listed = answers.listing(found)
    if listed:
        check_sms(answers.details_answer(found, len(listed), NOW))


@pytest.fixture(scope="module")
def directory_results(seeded_engine):
    """Every need at every MRC and a few towns, as searched in the seeded directory."""
    from sqlalchemy import select

    from directory.db import open_session
    from directory.gazetteer import default_gazetteer
    from directory.models import Category
    from directory.search import search

    gazetteer = default_gazetteer()
    places = ["Matane", "Trois-Pistoles", "Rimouski", "Amqui", "Pohénégamook", "La Pocatière", "Mont-Joli",
              "Rivière-du-Loup", "MRC de La Mitis", "Témiscouata"]
    found = []
    with open_session(seeded_engine) as session:
        categories = session.execute(select(Category.id)).scalars().all()
        for place_name in places:
            place = gazetteer.resolve(place_name).place
            for category in categories:
                found.append(search(session, category, place, now=NOW, limit=30))
    return found


def test_every_seeded_sms_answer_fits_and_names_a_phone(directory_results):
    assert directory_results
    for found in directory_results:
        listed = answers.listing(found)
        for offset in range(0, len(listed) + answers.RESULTS_PER_ANSWER, answers.RESULTS_PER_ANSWER):
            check_sms(answers.results_answer(found, NOW, offset=offset, normal=offset == 0))
        for number in range(1, len(listed) + 1):
            check_sms(answers.details_answer(found, number, NOW))


def test_hours_say_211_once_for_all_services_without_hours_or_phone():
    messages = answers.hours_messages([result(3), result(6)], NOW)
    text = " ".join(m.text for m in messages)
    assert text.count("211") == 1 and "Service numéro 3" in text and "Service numéro 6" in text


def test_a_late_answer_kept_for_plus_keeps_its_structure():
    from bot.channels.sms.webhook import _stored_messages

    message = answers.answer_message(answers.results_answer(outcome(FIVE), NOW)).as_dispatch()
    stored = _stored_messages([{"text": message["text"]}, {"custom": message["json_message"]}])
    assert render(stored).body == sms(answers.results_answer(outcome(FIVE), NOW))


def test_region_buttons_name_every_mrc_and_each_resolves_to_it():
    from directory.gazetteer import default_gazetteer
    from directory.geography import mrc_ids

    message = answers.region_place_message()
    gazetteer = default_gazetteer()
    resolved = []
    for _title, payload in message.buttons:
        place = json.loads(payload[len("/inform_place"):])["place"]
        resolution = gazetteer.resolve(place)
        assert resolution.status == "found" and resolution.place.kind == "mrc", (place, resolution)
        resolved.append(resolution.place.mrc_id)
    assert resolved == list(mrc_ids())
