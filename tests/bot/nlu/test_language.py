"""Language of a message (py3langid with guards) and the English / other-language answers."""
from __future__ import annotations

import datetime as dt

import pytest

from actions import english
from actions.language import language_asked
from bot.nlu.language import LanguageDetector, detect_language


@pytest.mark.parametrize("text", [
    "I need food in Rimouski", "where is it located?", "my landlord wants to evict me", "I'm sleeping in my car",
    "I don't want to be here anymore", "my kid has a fever",
    # a French place name made langid say French
    "i need a shelter bed tonight in Rivière-du-Loup", "is there a food bank in Saint-Jean-de-Dieu",
])
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", [
    # too short or shared words: the conversation keeps its language
    "ok", "Rimouski", "merci", "ok merci bye", "help", "yes", "jai faim", "c'est où?",
    # joual that langid alone reads as Spanish
    "y a tu un frigo a matane", "frigo libre service matane", "sos violence conjugale",
    # French that langid alone reads as English (0.97 to 0.99): the French small words outvote it
    "c'est gentil", "c'est super gentil merci", "on est 4 pis on a rien a manger", "mon wifi marche pas",
    "je cherche le frigo anti-gaspillage", "frigo gratuit Saint-Alexandre-de-Kamouraska?",
    "bonjour phare, comment vas-tu", "bon week-end",
])
def test_not_switched(text):
    assert detect_language(text) in (None, "fr")


@pytest.mark.parametrize("text", ["je dors dans mon char depuis lundi", "je veux pu vivre", "popote roulante pour ma mere"])
def test_french(text):
    assert detect_language(text) == "fr"


def test_spanish_needs_spanish_words():
    assert detect_language("hola necesito comida para mis hijos") == "es"


def test_component_adds_the_entity_and_turns_spanish_into_other_language():
    from rasa.shared.nlu.training_data.message import Message

    spanish = Message(data={"text": "hola necesito comida para mis hijos", "intent": {"name": "need_food_aid", "confidence": 0.6}})
    crisis = Message(data={"text": "hola, necesito ayuda, quiero suicidarme", "intent": {"name": "crisis_suicide", "confidence": 1.0}})
    english_ = Message(data={"text": "I need food in Rimouski", "intent": {"name": "need_food_aid", "confidence": 0.9}})
    payload = Message(data={"text": "/need_food_aid", "intent": {"name": "need_food_aid", "confidence": 1.0}})
    LanguageDetector({}).process([spanish, crisis, english_, payload])
    assert spanish.get("intent")["name"] == "other_language"
    assert crisis.get("intent")["name"] == "crisis_suicide"
    assert english_.get("intent")["name"] == "need_food_aid"
    assert [e["value"] for e in english_.get("entities")] == ["en"]
    assert not payload.get("entities")


@pytest.mark.parametrize("text,language", [
    ("do you speak English?", "en"), ("parles-tu anglais", "en"), ("¿hablas español?", "es"), ("bonjour", None),
])
def test_language_asked(text, language):
    assert language_asked(text) == language


def test_interpreters_note_in_spanish_then_french_and_english():
    text = english.interpreters_message("es").text
    assert text.startswith("Solo puedo responder") and "intérpretes" in text and "2-1-1" in text
    assert "interpreters" in english.interpreters_message("de").text


def test_english_results_keep_service_names():
    from directory.gazetteer import default_gazetteer
    from directory.search import SearchOutcome
    from tests.actions.test_judgment_units import PHONE, result

    place = default_gazetteer().resolve("Matane").place
    outcome = SearchOutcome(need="repas", need_label="Repas", place=place, resolution=None,
                            results=[result("a", ("repas",), phones=(PHONE,))], local_count=1)
    texts = [m.text for m in english.results_messages_en(outcome, dt.datetime(2026, 11, 29, 12, 0))]
    assert texts[0] == "Here is what I found for prepared meals in Matane (details in French):"
    assert "Service a" in texts[1] and "418 555-0101" in texts[1]
    assert "2-1-1" in texts[-1]
    empty = SearchOutcome(need="repas", need_label="Repas", place=place, resolution=None)
    assert "I found no service for prepared meals in Matane" in english.results_messages_en(empty, dt.datetime(2026, 11, 29))[0].text
