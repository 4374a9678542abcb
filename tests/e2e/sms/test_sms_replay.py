"""A captured signed webhook posted again: one turn, one need-log row, the same reply, no rate-limit hit.

Signed with twilio's RequestValidator (the stack's test token), replayed over
HTTP to the real Rasa server with the trained model.
"""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from bot.channels.sms import sender_key
from tests.support import wait_until

from .conftest import conversation_events

pytestmark = pytest.mark.e2e

REPLAYS = 22


def need_log_rows(env: dict) -> int:
    engine = create_engine(env["PHARE_DATABASE_URL"], future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM need_log")).scalar()
    finally:
        engine.dispose()


def settled_rows(env: dict) -> int:
    previous, deadline = -1, time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = need_log_rows(env)
        if rows == previous:
            return rows
        previous = rows
        time.sleep(3)
    return previous


def test_replayed_signed_webhook_is_answered_once(sms, phare):
    phone = sms()
    key = sender_key(phare["env"]["PHARE_SENDER_SECRET"].encode(), phone.number)
    rows_before = settled_rows(phare["env"])  # turns of other tests may still end in the background
    params = phone.params("bouffe a trois-pistoles")
    first = phone.send(params=params)
    assert first.status == 200 and first.text, first  # the answer, or "je cherche encore" on a loaded machine
    copies = [phone.send(params=params) for _ in range(REPLAYS)]
    assert all((c.status, c.response.text) == (200, first.response.text) for c in copies)
    # A turn that outlived the SMS timeout ends in the background.
    wait_until(lambda: need_log_rows(phare["env"]) != rows_before, 60, "the turn's line in the need log", interval=0.5)
    time.sleep(2)  # not a wait for something: the time a second turn, if a copy had started one, would take to show
    user_turns = [e for e in conversation_events(phare["env"], key) if e.get("event") == "user"]
    assert len(user_turns) == 1
    assert need_log_rows(phare["env"]) == rows_before + 1
    # The resident's rate limit (20 per 10 minutes) was not used up by the copies.
    for _ in range(5):
        reply = phone.say("frigo a matane")
        assert reply.text and "beaucoup de messages" not in reply.text, reply
