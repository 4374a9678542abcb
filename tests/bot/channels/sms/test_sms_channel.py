"""The SMS webhook's logic with a fake bot (fast: no model, no servers; not marked e2e).

The same behaviours are checked against the real stack in test_sms_webhook.py.
"""
from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlencode

import pytest
from rasa.shared.exceptions import RasaException
from twilio.request_validator import RequestValidator

from bot.channels.sms import (
    DEVELOPMENT_SENDER_SECRET,
    HELP_TEXT,
    MAX_TEXT_CHARS,
    MEDIA_TEXT,
    SYMBOLS_TEXT,
    TIMEOUT_TEXT,
    MemoryPager,
    SmsSettings,
    SmsWebhook,
    keyword,
    normalize_number,
    parse_form,
    parse_numbers,
    sender_key,
)
from bot.messages import EMPTY_MESSAGE, TECHNICAL_PROBLEM
from bot.rate_limit import MemoryRateLimiter, RateRule
from bot.sms_render import MORE_PROMPT
from phare.settings import SettingError, Settings

TOKEN = "unit-test-token"
URL = "https://phare.example.org/webhooks/sms/webhook"
FROM = "+14185550123"
TO = "+14185550101"
ENV = {
    "TWILIO_AUTH_TOKEN": TOKEN, "PHARE_SMS_PUBLIC_URL": "https://phare.example.org",
    "PHARE_SENDER_SECRET": "unit-test-sender-secret", "PHARE_SMS_NUMBERS": f"{TO}=les-basques",
    "PHARE_SMS_RATE_LIMIT": "50/600",
}


class FakeBot:
    """Answers like Rasa would, through the output channel, and remembers what it received."""

    def __init__(self, answers=None, delay: float = 0.0, fail: bool = False):
        self.answers = answers or {}
        self.delay = delay
        self.fail = fail
        self.received = []

    async def __call__(self, message):
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("action server down")
        for answer in self.answers.get(message.text, [{"text": f"Reçu : {message.text}"}]):
            await message.output_channel.send_response(message.sender_id, answer)


def sms_settings(env: dict) -> SmsSettings:
    return SmsSettings.from_settings(Settings.from_env(env))


def make_webhook(env=None, **kwargs) -> SmsWebhook:
    settings = sms_settings({**ENV, **(env or {})})
    return SmsWebhook(settings, **kwargs)


def form(body="Bonjour", sender=FROM, to=TO, **extra) -> dict:
    # A new MessageSid for each text, as Twilio does (a repeated one is a replay).
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "To": to, "Body": body, "NumMedia": "0"}
    if sender is not None:
        params["From"] = sender
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def post(webhook, params, bot, url=URL, signature="auto", last_turn=None, token=TOKEN, raw=None,
         content_type="application/x-www-form-urlencoded"):
    if signature == "auto":
        signature = RequestValidator(token).compute_signature(url, params)

    async def no_turn(_key):
        return []

    return asyncio.run(webhook.handle(
        body=raw if raw is not None else urlencode(params).encode("utf-8"), content_type=content_type,
        url=url, signature=signature, on_new_message=bot, last_turn=last_turn or no_turn))


def message_text(reply) -> str:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(reply.body)
    return "\n".join(m.text or "" for m in root.iter("Message"))


# ---------------------------------------------------------------- settings


def test_settings_refuse_to_start_without_secrets():
    for name in ("TWILIO_AUTH_TOKEN", "PHARE_SMS_PUBLIC_URL", "PHARE_SENDER_SECRET"):
        with pytest.raises(RasaException, match=name):
            sms_settings({**ENV, name: ""})
    # Validation asked for explicitly, nothing set: refuse too.
    with pytest.raises(RasaException, match="PHARE_SENDER_SECRET"):
        sms_settings({"PHARE_SMS_VALIDATE": "true"})


def test_sms_not_configured_at_all_stays_closed():
    settings = sms_settings({})
    assert not settings.enabled and settings.validate
    assert any("not configured" in w for w in settings.warnings)
    bot = FakeBot()
    reply = post(SmsWebhook(settings), form("Bonjour"), bot, signature=None)
    assert reply.status == 503 and bot.received == []


def test_settings_development_mode_is_loud():
    settings = sms_settings({"PHARE_SMS_VALIDATE": "false"})
    assert not settings.validate
    assert settings.sender_secret == DEVELOPMENT_SENDER_SECRET.encode()
    assert any("SIGNATURE CHECK IS OFF" in w for w in settings.warnings)


def test_settings_values():
    settings = sms_settings({**ENV, "PHARE_SMS_TIMEOUT": "7", "PHARE_SMS_RATE_LIMIT": "5/60",
                                     "PHARE_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings.validate and settings.timeout == 7 and settings.rate_rule == RateRule(5, 60)
    assert settings.numbers == {TO: "les-basques"}
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert sms_settings({**ENV, "PHARE_SMS_TIMEOUT": "30"}).timeout == 10


@pytest.mark.parametrize("bad", ["+14185550101", "+14185550101=gaspesie"])
def test_numbers_setting_is_checked(bad):
    with pytest.raises(ValueError):
        parse_numbers(bad)
    with pytest.raises(RasaException):
        sms_settings({**ENV, "PHARE_SMS_NUMBERS": bad})


def test_numbers_setting_accepts_any_format():
    assert parse_numbers("418 555-0101=les-basques; +1 (418) 555-0102=la-matapedia") == {
        "+14185550101": "les-basques", "+14185550102": "la-matapedia"}


# ---------------------------------------------------------------- ids and parsing


def test_sender_key_is_stable_keyed_and_hides_the_number():
    secret = b"s3cret"
    keys = {sender_key(secret, n) for n in ("+14185550123", "4185550123", "418 555-0123", "1-418-555-0123")}
    assert len(keys) == 1
    key = keys.pop()
    assert "4185550123" not in key and "555" not in key
    assert sender_key(b"other", "+14185550123") != key
    assert normalize_number("whatsapp:+14185550123") == "+14185550123"


def test_parse_form_keeps_blank_values_and_repeats():
    params = parse_form(b"Body=&From=%2B14185550123&A=1&A=2")
    assert params["Body"] == [""] and params.getall("A") == ["1", "2"]


def test_parse_form_reads_non_utf8():
    assert parse_form(b"Body=caf%E9")["Body"] == ["café"]  # Windows-1252 by default
    assert parse_form(b"Body=%FF%FE%FD", "application/x-www-form-urlencoded; charset=iso-8859-1")["Body"] == ["ÿþý"]


@pytest.mark.parametrize("text,word", [
    ("STOP", "stop"), ("Arrêt", "stop"), ("ARRET!", "stop"), ("unsubscribe", "stop"), ("aide", "help"),
    ("HELP", "help"), ("Recommencer", "reset"), ("reset.", "reset"), ("Plus", "more"), ("MORE", "more"),
    ("plus de bouffe", None), ("j'ai besoin d'aide", None),
])
def test_keywords(text, word):
    assert keyword(text) == word


# ---------------------------------------------------------------- authenticity


def test_signed_webhook_is_answered_in_twiml():
    bot = FakeBot()
    reply = post(make_webhook(), form("Bonjour"), bot)
    assert reply.status == 200
    assert reply.body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert message_text(reply) == "Reçu : Bonjour"
    message = bot.received[0]
    assert message.input_channel == "sms"
    assert message.sender_id == sender_key(b"unit-test-sender-secret", FROM)
    assert message.metadata == {"channel": "sms", "mrc": "les-basques"}


def test_unknown_twilio_number_presets_no_mrc():
    bot = FakeBot()
    post(make_webhook(), form("Bonjour", to="+15145550000"), bot)
    assert bot.received[0].metadata == {"channel": "sms"}


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_wrong_signature_is_403_and_nothing_is_processed(signature):
    bot = FakeBot()
    reply = post(make_webhook(), form("Bonjour"), bot, signature=signature)
    assert reply.status == 403
    assert bot.received == []


def test_signature_for_another_url_is_403():
    bot = FakeBot()
    params = form("Bonjour")
    forged = RequestValidator(TOKEN).compute_signature("https://evil.example.org/webhooks/sms/webhook", params)
    assert post(make_webhook(), params, bot, signature=forged).status == 403
    assert bot.received == []


def test_signature_with_another_token_is_403():
    bot = FakeBot()
    assert post(make_webhook(), form("Bonjour"), bot, token="another-token").status == 403


def test_tampered_body_is_403():
    bot = FakeBot()
    params = form("Bonjour")
    signature = RequestValidator(TOKEN).compute_signature(URL, params)
    tampered = urlencode({**params, "Body": "Autre chose"}).encode()
    assert post(make_webhook(), params, bot, signature=signature, raw=tampered).status == 403


def test_development_mode_accepts_unsigned():
    bot = FakeBot()
    webhook = make_webhook({"PHARE_SMS_VALIDATE": "false"})
    assert post(webhook, form("Bonjour"), bot, signature=None).status == 200


# ---------------------------------------------------------------- keywords and choices


@pytest.mark.parametrize("word", ["STOP", "Arrêt", "arret", "UNSUBSCRIBE", "stop."])
def test_stop_gets_an_empty_response(word):
    bot = FakeBot()
    reply = post(make_webhook(), form(word), bot)
    assert reply.status == 200
    assert reply.body == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert bot.received == []


def test_help_needs_no_model():
    bot = FakeBot()
    reply = post(make_webhook(), form("Aide"), bot)
    assert message_text(reply) == HELP_TEXT.replace("…", "...").replace("« ", '"').replace(" »", '"')
    assert reply.segments <= 2
    assert bot.received == []


def test_reset_sends_restart():
    bot = FakeBot()
    post(make_webhook(), form("RECOMMENCER"), bot)
    assert bot.received[0].text == "/restart"


def test_numbered_choice_sends_the_payload_of_the_last_menu():
    bot = FakeBot()

    async def last_turn(key):
        assert key == sender_key(b"unit-test-sender-secret", FROM)
        return [{"text": "Lequel?", "buttons": [{"title": "A", "payload": "/need_food_aid"},
                                                {"title": "B", "payload": '/inform_place{"place": "Amqui"}'}]}]

    webhook = make_webhook()
    post(webhook, form("2"), bot, last_turn=last_turn)
    assert bot.received[-1].text == '/inform_place{"place": "Amqui"}'
    post(webhook, form(" 1. "), bot, last_turn=last_turn)
    assert bot.received[-1].text == "/need_food_aid"
    reply = post(webhook, form("7"), bot, last_turn=last_turn)
    assert message_text(reply) == "Je n'ai pas de choix 7. Répondez 1 ou 2."
    assert len(bot.received) == 2


def test_a_number_without_menu_goes_to_the_bot():
    bot = FakeBot()
    post(make_webhook(), form("2"), bot)
    assert bot.received[0].text == "2"


def test_residents_cannot_send_intents():
    bot = FakeBot()
    post(make_webhook(), form('/need_food_aid{"place": "x"}'), bot)
    assert bot.received[0].text == 'need_food_aid{"place": "x"}'


def long_answer():
    services = [{"text": f"{i}. Service {i} — Organisme\n" + "Une description assez longue. " * 5 + "\nTél. : 418 555-0100"}
                for i in range(1, 4)]
    return [{"text": "Voici ce que j'ai trouvé :"}] + services + [{"text": MORE_PROMPT}]


def test_plus_reads_the_rest_then_asks_the_bot():
    bot = FakeBot({"bouffe": long_answer()})
    webhook = make_webhook()
    first = post(webhook, form("bouffe"), bot)
    assert first.segments <= 3 and message_text(first).endswith(MORE_PROMPT)
    second = post(webhook, form("PLUS"), bot)
    assert "Service 3" in message_text(second)
    assert len(bot.received) == 1  # the rest came from the pager, not from the bot
    post(webhook, form("plus"), bot)
    assert bot.received[-1].text == "/more_results"


def test_another_message_forgets_the_rest():
    bot = FakeBot({"bouffe": long_answer()})
    webhook = make_webhook()
    post(webhook, form("bouffe"), bot)
    post(webhook, form("merci"), bot)
    post(webhook, form("MORE"), bot)
    assert bot.received[-1].text == "/more_results"


# ---------------------------------------------------------------- bad input


def test_empty_body():
    bot = FakeBot()
    assert message_text(post(make_webhook(), form(""), bot)) == EMPTY_MESSAGE.replace("ç", "c").replace("…", "...")
    assert bot.received == []


def test_only_emoji():
    bot = FakeBot()
    reply = post(make_webhook(), form("😀🙏❤️"), bot)
    assert message_text(reply) == SYMBOLS_TEXT.replace("…", "...")
    assert bot.received == []


def test_mms_without_text():
    bot = FakeBot()
    reply = post(make_webhook(), form("", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg",
                                      MediaContentType0="image/jpeg"), bot)
    assert reply.status == 200 and message_text(reply) == MEDIA_TEXT
    assert bot.received == []


def test_very_long_message_is_truncated():
    bot = FakeBot({})
    reply = post(make_webhook(), form("a" * 5000), bot)
    assert reply.status == 200
    assert len(bot.received[0].text) == MAX_TEXT_CHARS


def test_missing_from_is_400():
    bot = FakeBot()
    reply = post(make_webhook(), form("Bonjour", sender=None), bot)
    assert reply.status == 400 and bot.received == []


def test_not_a_form_is_415_after_nothing():
    reply = post(make_webhook(), {}, FakeBot(), raw=b'{"Body": "x"}', content_type="application/json")
    assert reply.status == 415


def test_huge_body_is_413():
    assert post(make_webhook(), {}, FakeBot(), raw=b"Body=" + b"a" * 100_000).status == 413


def test_non_utf8_body_signed_as_twilio_would_gets_an_answer():
    bot = FakeBot()
    params = form("café")
    raw = urlencode(params, encoding="latin-1").encode("ascii")
    reply = post(make_webhook(), params, bot, raw=raw)
    assert reply.status == 200
    assert bot.received[0].text == "café"


def test_garbage_bytes_never_500():
    reply = post(make_webhook(), {}, FakeBot(), raw=b"\xff\xfe\x00Body=%ZZ&&&==", signature="x")
    assert reply.status == 403


# ---------------------------------------------------------------- failures, time, abuse


def test_bot_failure_becomes_the_211_message():
    reply = post(make_webhook(), form("Bonjour"), FakeBot(fail=True))
    assert reply.status == 200
    assert "211" in message_text(reply)


def test_internal_failure_never_500():
    async def broken(_key):
        raise RuntimeError("tracker store down")

    reply = post(make_webhook(), form("2"), FakeBot(), last_turn=broken)
    assert reply.status == 200
    assert message_text(reply) == TECHNICAL_PROBLEM.replace("ê", "e")


def test_timeout_answers_with_211_and_keeps_the_late_answer_for_plus():
    bot = FakeBot({"lent": [{"text": "Voici la réponse tardive."}]})
    webhook = make_webhook({"PHARE_SMS_TIMEOUT": "0.1"})

    async def scenario():
        release = asyncio.Event()

        async def held_turn(message):
            # This turn cannot end before the test lets it: the first reply has to come from the timeout.
            await release.wait()
            await bot(message)

        async def no_turn(_key):
            return []

        def call(params, on_new_message):
            return webhook.handle(body=urlencode(params).encode(), content_type="application/x-www-form-urlencoded",
                                  url=URL, signature=RequestValidator(TOKEN).compute_signature(URL, params),
                                  on_new_message=on_new_message, last_turn=no_turn)

        # A webhook that waited for the turn would never answer: fail instead of hanging.
        first = await asyncio.wait_for(call(form("lent"), held_turn), 10)
        received_before_reply = list(bot.received)
        release.set()
        for _ in range(500):  # the late answer is stored in the background
            if not webhook.background:
                break
            await asyncio.sleep(0.01)
        second = await call(form("PLUS"), bot)
        return first, received_before_reply, second

    first, received_before_reply, second = asyncio.run(scenario())
    assert received_before_reply == []  # the 211 reply did not wait for the turn
    assert message_text(first) == TIMEOUT_TEXT.replace("…", "...")
    assert "211" in message_text(first)
    assert message_text(second) == "Voici la réponse tardive."
    assert len(bot.received) == 1


def test_rate_limit_notice_once_then_silence():
    bot = FakeBot()
    webhook = make_webhook({"PHARE_SMS_RATE_LIMIT": "3/600"})
    replies = [post(webhook, form(f"message {i}"), bot) for i in range(6)]
    texts = [message_text(r) for r in replies]
    assert all(t.startswith("Reçu") for t in texts[:3])
    assert "10 minutes" in texts[3] and "211" in texts[3]
    assert texts[4:] == ["", ""]
    assert len(bot.received) == 3
    # Another resident is not affected.
    assert message_text(post(webhook, form("Bonjour", sender="+14185559999"), bot)).startswith("Reçu")


def test_stop_is_not_rate_limited_and_not_counted():
    bot = FakeBot()
    limiter = MemoryRateLimiter(RateRule(1, 600))
    webhook = make_webhook(limiter=limiter, pager=MemoryPager())
    post(webhook, form("STOP"), bot)
    assert message_text(post(webhook, form("Bonjour"), bot)).startswith("Reçu")


def test_numeric_settings_are_refused_in_french():
    for name in ("PHARE_SMS_TIMEOUT", "PHARE_SMS_MAX_SEGMENTS"):
        with pytest.raises(SettingError, match=f"{name}='abc' n'est pas valide"):
            sms_settings({**ENV, name: "abc"})
