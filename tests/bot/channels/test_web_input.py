"""What the web channels accept (bot.channels.web_input): bodies, sender ids, "/" texts. Pure functions."""
from __future__ import annotations

import json
import uuid

import pytest

from bot.channels.sms import sender_key
from bot.channels.web_input import BadRequest, parse_rest_body, web_metadata, web_sender, web_text

# Fixed, not uuid4(): it appears in parametrized test ids, which must be the same on every collection.
WIDGET_ID = "ed7a7f38-d940-4f21-bfb7-c8a82a16b9ba"
INTENTS = ["affirm", "need_food_aid", "inform_place", "restart", "more_results"]
ENTITIES = ["place", "postal_code"]

MALFORMED = [
    b"", b" ", b"null", b"123", b"[]", b'"texte"', b"true", b"{", b"\xff\xfe", b"{}",
    json.dumps({"message": "allo"}).encode(),
    json.dumps({"sender": WIDGET_ID}).encode(),
    json.dumps({"sender": WIDGET_ID, "message": 5}).encode(),
    json.dumps({"sender": WIDGET_ID, "message": None}).encode(),
    json.dumps({"sender": WIDGET_ID, "message": ["a"]}).encode(),
    json.dumps({"sender": WIDGET_ID, "message": {"text": "a"}}).encode(),
    json.dumps({"sender": 5, "message": "allo"}).encode(),
    json.dumps([{"sender": WIDGET_ID, "message": "allo"}]).encode(),
]
FORGED_IDS = [
    sender_key(b"secret", "+14185550123"), "sms-" + "0" * 32, "test-abc", "", " ", "default", "../../etc",
    WIDGET_ID + "x", WIDGET_ID.replace("-", "_"), "+14185550123", "a" * 300, WIDGET_ID[:-1] + "g",
    f"{WIDGET_ID}\n", "0" * 31, "0" * 32, sender_key(b"secret", "+14185550123").removeprefix("sms-"),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_bodies_are_refused_in_french(body):
    with pytest.raises(BadRequest) as refused:
        parse_rest_body(body)
    assert "Requête invalide" in refused.value.message


@pytest.mark.parametrize("sender", FORGED_IDS)
def test_forged_and_sms_ids_are_refused(sender):
    assert web_sender(sender) is None
    with pytest.raises(BadRequest):
        parse_rest_body(json.dumps({"sender": sender, "message": "allo"}).encode())


def test_widget_ids_are_accepted_lower_case():
    assert web_sender(WIDGET_ID) == WIDGET_ID
    assert web_sender(WIDGET_ID.upper()) == WIDGET_ID
    assert web_sender(uuid.uuid4().hex) is None  # dashes required, as the widget writes them
    message = parse_rest_body(json.dumps({"sender": WIDGET_ID.upper(), "message": "allo",
                                          "metadata": {"mrc": "la-mitis", "channel": "sms", "x": 1}}).encode())
    assert (message.sender, message.text, message.metadata) == (WIDGET_ID, "allo", {"channel": "web", "mrc": "la-mitis"})


def test_metadata_only_keeps_a_slug_mrc():
    assert web_metadata(None) == {"channel": "web"}
    assert web_metadata({"mrc": "<b>"}) == {"channel": "web"}
    assert web_metadata("la-mitis") == {"channel": "web"}


@pytest.mark.parametrize("text, expected", [
    ("/affirm", "/affirm"),
    ("  /need_food_aid ", "/need_food_aid"),
    ('/inform_place{"place": "Rimouski"}', '/inform_place{"place": "Rimouski"}'),
    ("/bonjour", "bonjour"),
    ("/ j'ai faim", "j'ai faim"),
    ("//affirm", "affirm"),
    ('/inform_place{"adresse": "12 rue X"}', 'inform_place{"adresse": "12 rue X"}'),
    ("/inform_place{pas du json}", "inform_place{pas du json}"),
    ("/affirm@0.9", "affirm@0.9"),
    ("bouffe a matane", "bouffe a matane"),
])
def test_slash_texts(text, expected):
    assert web_text(text, INTENTS, ENTITIES) == expected


def test_without_a_domain_every_slash_goes():
    assert web_text("/affirm", None) == "affirm"
