"""SMS by Twilio against the real stack: signed webhooks over HTTP, TwiML back."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from bot.channels.sms import HELP_TEXT, MAX_TEXT_CHARS, sender_key

from .conftest import conversation_events, simulator, tracker_dump

pytestmark = pytest.mark.e2e

RASA_METADATA = {"model_id", "assistant_id"}  # Rasa adds these to every event

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
FORBIDDEN_MARKER = "bouffe-interdite-zq81"


def key_of(phare, phone) -> str:
    return sender_key(phare["env"]["PHARE_SENDER_SECRET"].encode(), phone.number)


# ---------------------------------------------------------------- the done criteria


def test_done_criteria_croc_ensemble_in_three_segments(sms, phare):
    phone = sms()
    reply = phone.say("bouffe a trois-pistoles")
    assert len(reply.messages) == 1, reply  # one SMS, never one per paragraph
    assert "Croc-Ensemble" in reply.text, reply
    assert reply.segments <= 3, reply
    assert "/need_" not in reply.text and "**" not in reply.text
    # The conversation is stored under the keyed hash, with the channel and no number.
    events = conversation_events(phare["env"], key_of(phare, phone))
    user = [e for e in events if e.get("event") == "user"]
    assert user and user[-1]["input_channel"] == "sms"
    metadata = {k: v for k, v in user[-1]["metadata"].items() if k not in RASA_METADATA}
    assert metadata == {"channel": "sms"}


def test_unsigned_webhook_is_403_and_nothing_stored(sms, phare):
    phone = sms()
    reply = phone.send(FORBIDDEN_MARKER, signed=False)
    assert reply.status == 403
    assert FORBIDDEN_MARKER not in tracker_dump(phare["env"])
    assert conversation_events(phare["env"], key_of(phare, phone)) == []


def test_forged_signature_is_403(sms, phare):
    phone = sms()
    assert phone.send(FORBIDDEN_MARKER, token="not-the-real-token").status == 403
    response = phone.post_raw(urlencode(phone.params(FORBIDDEN_MARKER)).encode(), "aW52YWxpZA==",
                              "application/x-www-form-urlencoded")
    assert response.status_code == 403
    assert FORBIDDEN_MARKER not in tracker_dump(phare["env"])


def test_replayed_body_signed_for_another_url_is_403(sms, phare):
    phone = sms()
    params = phone.params(FORBIDDEN_MARKER)
    for other in ("https://evil.example.org/webhooks/sms/webhook", "https://phare.example.org/webhooks/rest/webhook",
                  "http://phare.example.org/webhooks/sms/webhook"):
        assert phone.send(params=params, signed_url=other).status == 403
    assert FORBIDDEN_MARKER not in tracker_dump(phare["env"])


def test_tampered_body_is_403(sms):
    phone = sms()
    params = phone.params("bonjour")
    signature = simulator.sign(phone.token, simulator.webhook_url(phone.public_url), params)
    tampered = urlencode({**params, "Body": FORBIDDEN_MARKER}).encode()
    assert phone.post_raw(tampered, signature, "application/x-www-form-urlencoded").status_code == 403


# ---------------------------------------------------------------- conversations


def test_full_food_aid_conversation(sms):
    phone = sms()
    hello = phone.say("Bonjour")
    assert "Phare" in hello.text and hello.segments <= 3
    asked = phone.say("j'ai pu rien a manger")
    assert "municipalit" in asked.text, asked
    found = phone.say("Trois-Pistoles")
    assert "Croc-Ensemble" in found.text, found
    assert found.segments <= 3
    thanks = phone.say("merci beaucoup")
    assert thanks.text and thanks.segments <= 3


def test_numbered_choice_picks_from_the_last_menu(sms):
    phone = sms()
    menu = phone.say("j'ai besoin de bouffe au Bas-Saint-Laurent")
    assert "Répondez" in menu.text and "5. Les Basques" in menu.text, menu
    assert "/inform_place" not in menu.text
    chosen = phone.say("5")
    assert "Croc-Ensemble" in chosen.text, chosen


def test_a_number_out_of_the_menu_gets_the_choices_again(sms):
    phone = sms()
    menu = phone.say("j'ai besoin de bouffe au Bas-Saint-Laurent")
    assert "8." in menu.text, menu
    reply = phone.say("12")
    assert "12" in reply.text and "1 à 8" in reply.text, reply


def test_plus_continues_then_says_the_list_is_over(sms):
    phone = sms()
    first = phone.say("y a tu du depannage alimentaire a Rimouski")
    assert first.segments <= 3 and "1. " in first.text, first
    seen = [first.text]
    for _ in range(6):  # PLUS until the end of the list, never back to its start
        reply = phone.say("PLUS")
        assert reply.text and reply.segments <= 3 and reply.text not in seen, reply
        assert "1. " not in reply.text, reply
        seen.append(reply.text)
        if "C'est tout" in reply.text:
            break
    else:
        raise AssertionError(f"the list never ended: {seen}")
    again = phone.say("more")
    assert "C'est tout" in again.text and again.segments <= 3, again


def test_a_number_after_results_gives_the_details_of_that_result(sms):
    phone = sms()
    first = phone.say("bouffe a trois-pistoles")
    assert "1. " in first.text and "Détails : répondez" in first.text, first
    details = phone.say("1")
    assert details.text.startswith("1. ") and "211 (211 Québec" not in details.text, details
    assert details.segments <= 3


def test_recommencer_forgets_the_conversation(sms, phare):
    phone = sms()
    phone.say("j'ai pu rien a manger")
    restarted = phone.say("RECOMMENCER")
    assert "effacé" in restarted.text or "efface" in restarted.text, restarted
    events = conversation_events(phare["env"], key_of(phare, phone))
    assert any(e.get("event") == "restart" for e in events)
    after = phone.say("Trois-Pistoles")
    assert "Croc-Ensemble" not in after.text, after  # the need was forgotten
    assert "besoin" in after.text, after


@pytest.mark.parametrize("word", ["AIDE", "help", "Aide!"])
def test_help_keyword(sms, word):
    reply = sms().say(word)
    assert "Phare" in reply.text and "211" in reply.text and reply.segments <= 2
    assert reply.text.startswith(HELP_TEXT[:40])


@pytest.mark.parametrize("word", ["STOP", "ARRET", "Arrêt", "stop", "UNSUBSCRIBE"])
def test_stop_words_get_no_answer(sms, word):
    reply = sms().send(word)
    assert reply.status == 200
    assert reply.response.text == EMPTY_TWIML


# ---------------------------------------------------------------- bad input


def assert_polite(reply):
    assert reply.status == 200, reply
    assert len(reply.messages) == 1 and reply.text.strip(), reply
    assert reply.segments <= 3


def test_empty_body(sms):
    assert_polite(sms().send(""))


def test_only_emoji(sms):
    reply = sms().send("😀🙏❤️")
    assert_polite(reply)
    assert "mots" in reply.text


def test_1600_characters(sms):
    text = ("j'ai besoin d'aide pour manger a Trois-Pistoles " * 40)[:MAX_TEXT_CHARS]
    assert len(text) == 1600
    assert_polite(sms().send(text))


def test_longer_than_twilio_allows(sms):
    assert_polite(sms().send("bonjour " * 400))


def test_mms_with_media_and_no_text(sms):
    reply = sms().send("", media=(("https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM0/Media/ME0",
                                   "image/jpeg"),))
    assert_polite(reply)
    assert "photo" in reply.text


def test_mms_with_media_and_text_reads_the_text(sms):
    reply = sms().send("bouffe a trois-pistoles", media=(("https://api.twilio.com/x", "image/jpeg"),))
    assert "Croc-Ensemble" in reply.text, reply


def test_non_utf8_body(sms):
    phone = sms()
    params = phone.params("bouffe à Trois-Pistoles")
    raw = urlencode(params, encoding="latin-1").encode("ascii")  # %E0 instead of %C3%A0
    signature = simulator.sign(phone.token, simulator.webhook_url(phone.public_url), params)
    response = phone.post_raw(raw, signature, "application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Croc-Ensemble" in response.text


def test_invalid_bytes_never_500(sms):
    phone = sms()
    response = phone.post_raw(b"Body=%FF%FE%00&From=%2B1418&&=&%ZZ", "x", "application/x-www-form-urlencoded")
    assert response.status_code == 403
    response = phone.post_raw(b"\xff\xfe\xfd", "x", "application/x-www-form-urlencoded; charset=utf-8")
    assert response.status_code == 403


def test_missing_from_is_4xx(sms):
    phone = sms()
    params = simulator.twilio_params("bonjour", None, phone.to)
    reply = phone.send(params=params)
    assert 400 <= reply.status < 500


def test_json_body_is_4xx(sms):
    response = sms().post_raw(b'{"Body": "bonjour"}', "x", "application/json")
    assert 400 <= response.status_code < 500


def test_get_is_not_a_webhook(phare):
    import httpx

    assert httpx.get(phare["rasa"] + "/webhooks/sms/").json() == {"status": "ok"}
    assert httpx.get(phare["rasa"] + "/webhooks/sms/webhook").status_code == 405


def test_rate_limit_notice_once_then_silence(sms):
    phone = sms()
    replies = [phone.send("aide") for _ in range(22)]  # default limit: 20 per 10 minutes
    assert all(r.status == 200 for r in replies)
    assert all("Phare" in r.text for r in replies[:20])
    assert "10 minutes" in replies[20].text and "211" in replies[20].text
    assert replies[21].response.text == EMPTY_TWIML
    assert "Phare" in sms().say("aide").text  # another resident is not affected
