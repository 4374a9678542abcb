"""Unit tests of every custom action, with rasa-sdk's own Tracker and CollectingDispatcher."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.find_services import ActionFindServices
from actions.more_results import ActionMoreResults
from actions.opening_hours import ActionOpeningHours


@pytest.fixture(autouse=True)
def directory_db(seeded_engine, monkeypatch):
    monkeypatch.setenv("PHARE_DATABASE_URL", str(seeded_engine.url))


def matane_fridges() -> list[str]:
    """Names of the fridges offered to all of La Matanie, from the seed (the data may rename them)."""
    import yaml

    from directory.seed import seed_files

    path = next(p for p in seed_files() if p.stem == "la-matanie")
    return [s["name"] for org in yaml.safe_load(path.read_text(encoding="utf-8")) for s in org.get("services") or []
            if "frigo-libre-service" in s["categories"] and (s.get("status") or "active") == "active"
            and any(a.get("mrc") == "la-matanie" and not a.get("municipality") for a in s["areas"])]


def names_a_matane_fridge(texts: str) -> bool:
    fridges = matane_fridges()
    return bool(fridges) and any(name in texts for name in fridges)


def make_tracker(text, intent, entities=(), slots=None, metadata=None, channel="rest"):
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": list(entities),
            "metadata": metadata or {},
        },
        events=[{"event": "user", "text": text, "input_channel": channel}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    texts = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    return dispatcher, events, texts


def slot(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else None


def test_need_and_place_in_one_message():
    _, events, texts = run(ActionFindServices(), make_tracker("bouffe a trois-pistoles", "need_food_aid"))
    assert "Croc-Ensemble" in texts
    assert slot(events, "need") == "aide-alimentaire"
    assert slot(events, "place_ref") == "municipality:trois-pistoles"
    assert "Demander de l'aide, c'est normal" in texts


def test_need_without_place_asks_for_it():
    dispatcher, events, texts = run(ActionFindServices(), make_tracker("j'ai faim", "need_food_aid"))
    assert "municipalité" in texts
    assert slot(events, "need") == "aide-alimentaire"
    assert slot(events, "place_ref") is None


def test_bare_place_after_need_uses_remembered_need():
    tracker = make_tracker("matane", "inform_place", slots={"need": "frigo-libre-service"})
    _, events, texts = run(ActionFindServices(), tracker)
    assert names_a_matane_fridge(texts)


def test_place_before_need_then_remembered():
    _, events, texts = run(ActionFindServices(), make_tracker("chu a matane", "inform_place"))
    assert slot(events, "place_ref") == "municipality:matane"
    assert "De quoi avez-vous besoin" in texts
    tracker = make_tracker("et un frigo?", "need_fridge", slots={"place_ref": "municipality:matane"})
    _, _, texts = run(ActionFindServices(), tracker)
    assert names_a_matane_fridge(texts) and "comme tantôt" in texts


def test_changed_place():
    tracker = make_tracker("et à La Pocatière ?", "inform_place",
                           slots={"need": "aide-alimentaire", "place_ref": "municipality:trois-pistoles"})
    _, events, texts = run(ActionFindServices(), tracker)
    assert slot(events, "place_ref") == "municipality:la-pocatiere"
    assert "Croc-Ensemble" not in texts


def test_site_mrc_is_used_when_no_place_given():
    tracker = make_tracker("jai besoin de manger", "need_food_aid", metadata={"mrc": "les-basques"})
    _, _, texts = run(ActionFindServices(), tracker)
    assert "Croc-Ensemble" in texts


def test_outside_region():
    _, _, texts = run(ActionFindServices(), make_tracker("bouffe a sainte-anne-des-monts", "need_food_aid"))
    assert "en dehors du Bas-Saint-Laurent" in texts and "211" in texts


def test_rural_postal_code_asks_for_more():
    tracker = make_tracker("G0L", "inform_place", entities=[{"entity": "postal_code", "value": "G0L"}],
                           slots={"need": "aide-alimentaire"})
    _, _, texts = run(ActionFindServices(), tracker)
    assert "code postal complet" in texts


def test_urban_postal_code():
    tracker = make_tracker("G5L 3A1", "inform_place", entities=[{"entity": "postal_code", "value": "G5L 3A1"}],
                           slots={"need": "familles-enfants"})
    _, events, texts = run(ActionFindServices(), tracker)
    assert slot(events, "place_ref", ).endswith("rimouski") or "rimouski" in slot(events, "place_ref")
    assert "pédiatrie sociale" in texts.lower()


def test_no_local_result_is_said_plainly_with_211():
    # Books at home exist only in Grosses-Roches (La Matanie); none in Kamouraska.
    tracker = make_tracker("livres a domicile a kamouraska", "need_books")
    _, _, texts = run(ActionFindServices(), tracker)
    assert "aucun service" in texts and "211" in texts
    assert "Grosses-Roches" not in texts.split("voisine")[0]


def test_campaign_is_echoed():
    _, _, texts = run(ActionFindServices(), make_tracker("bouffe a amqui", "need_food_aid"))
    assert "aimant" in texts.lower()


def test_more_results_and_hours():
    slots = {"need": "crise", "place_ref": "mrc:rimouski-neigette", "result_offset": 0.0}
    _, events, texts = run(ActionMoreResults(), make_tracker("plus", "more_results", slots=slots))
    assert slot(events, "result_offset") == 3.0
    tracker = make_tracker("c'est tu ouvert?", "ask_hours", slots={"need": "aide-alimentaire", "place_ref": "municipality:trois-pistoles"})
    _, _, texts = run(ActionOpeningHours(), tracker)
    assert "Croc-Ensemble" in texts or "211" in texts


def test_answer_travels_as_a_custom_payload_with_its_plain_text():
    dispatcher, events, texts = run(ActionFindServices(), make_tracker("un frigo a matane", "need_fridge"))
    [message] = dispatcher.messages
    answer = message["custom"]
    assert answer["type"] == "phare.answer" and answer["kind"] in ("results", "none_local")
    assert answer["text"] == message["text"]  # REST clients that read only `text` get the same answer
    assert slot(events, "shown_services") == [card["id"] for card in answer["services"]]


def test_anti_stigma_line_once_per_conversation():
    _, events, texts = run(ActionFindServices(), make_tracker("un frigo a matane", "need_fridge"))
    assert "c'est normal" in texts and slot(events, "normal_said") is True
    tracker = make_tracker("un frigo a matane", "need_fridge", slots={"normal_said": True})
    _, events, texts = run(ActionFindServices(), tracker)
    assert "c'est normal" not in texts and slot(events, "normal_said") is None
    # The widget's greeting said it already.
    tracker = make_tracker("un frigo a matane", "need_fridge", metadata={"normal_said": True})
    _, _, texts = run(ActionFindServices(), tracker)
    assert "c'est normal" not in texts


def test_failure_still_answers_with_211(monkeypatch):
    import actions.find_services as module

    def boom(*_a, **_k):
        raise RuntimeError("database down")

    monkeypatch.setattr(module, "run_search", boom)
    _, _, texts = run(ActionFindServices(), make_tracker("bouffe a matane", "need_food_aid"))
    assert "211" in texts


def test_need_log_is_anonymous(seeded_engine):
    from sqlalchemy import select

    from directory.db import open_session
    from directory.models import NeedLog

    run(ActionFindServices(), make_tracker("bouffe a trois-pistoles 418 555-0199", "need_food_aid"))
    with open_session(seeded_engine) as s:
        rows = s.execute(select(NeedLog)).scalars().all()
    assert rows
    for row in rows:
        values = " ".join(str(v) for v in (row.category_id, row.mrc_id, row.channel, row.result_count, row.day))
        assert "555" not in values and "trois" not in values


def test_greet_keeps_a_place_said_in_passing():
    from actions.greet import ActionGreet

    _, events, texts = run(ActionGreet(), make_tracker("bonjour, chu a matane", "greet"))
    assert slot(events, "place_ref") == "municipality:matane" and "Matane" in texts
    dispatcher, events, _ = run(ActionGreet(), make_tracker("allo", "greet"))
    assert slot(events, "place_ref") is None and "Bonjour" in dispatcher.messages[0]["text"]
    assert "municipalité" in dispatcher.messages[0]["text"]


def test_no_double_greeting_in_the_widget():
    from actions.answers import GREETING
    from actions.greet import ActionGreet

    dispatcher, _, _ = run(ActionGreet(), make_tracker("bonjour", "greet", metadata={"greeted": True, "normal_said": True}))
    text = dispatcher.messages[0]["text"]
    assert text != GREETING and "Je suis Phare" not in text and "c'est normal" not in text


def test_for_someone_else_keeps_the_place():
    from actions.greet import ActionForSomeoneElse

    _, events, texts = run(ActionForSomeoneElse(), make_tracker("c pour ma mere a amqui", "for_someone_else"))
    assert slot(events, "place_ref") == "municipality:amqui" and "proche" in texts


def test_fallback_uses_an_exact_synonym_else_offers_categories():
    from actions.fallback import ActionFallback

    _, _, texts = run(ActionFallback(), make_tracker("<b>gras</b> bouffe à Trois-Pistoles", "nlu_fallback"))
    assert "Croc-Ensemble" in texts
    dispatcher, events, texts = run(ActionFallback(), make_tracker("blurp zzkq", "nlu_fallback"))
    assert events == [] and dispatcher.messages[0]["buttons"] and "211" in texts


def test_help_with_a_named_need_answers_at_once():
    from actions.help import ActionHelp

    _, _, texts = run(ActionHelp(), make_tracker("j'ai besoin d'aide pour du dépannage alimentaire à trois-pistoles", "ask_help"))
    assert "Croc-Ensemble" in texts
    dispatcher, _, _ = run(ActionHelp(), make_tracker("j'ai besoin d'aide", "ask_help"))
    assert dispatcher.messages[0]["response"] == "utter_ask_help"


def test_fallback_with_a_place_uses_the_remembered_need():
    from actions.fallback import ActionFallback

    tracker = make_tracker("pis a matane?", "nlu_fallback", slots={"need": "frigo-libre-service"})
    _, events, texts = run(ActionFallback(), tracker)
    assert names_a_matane_fridge(texts) and slot(events, "place_ref") == "municipality:matane"
