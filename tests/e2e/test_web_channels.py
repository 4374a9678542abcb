"""The web channels against the real Rasa server: malformed bodies, forged ids, a hung action server.

- REST: every malformed body gets 400 with a French JSON error, never a 500
  nor a traceback in the log; an SMS conversation id is refused.
- socket.io: a forged session id gets a French `phare_error`, nothing else.
- A hung action server (SIGSTOP, as tests/e2e/test_supervision.py does): REST,
  the web proxy, socket.io and SMS all answer with the 211 message within
  ANSWER_BOUND seconds, well before nginx (30 s), the web proxy (30 s) and
  Twilio (15 s) give up.
"""
from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.channels.sms import sender_key
from bot.channels.web_input import BAD_SENDER

from .sms.conftest import Phone, conversation_events

pytestmark = pytest.mark.e2e

ANSWER_BOUND = 11.0  # PHARE_ACTION_TIMEOUT 5 s + a second action or the turn deadline (8 s), with slack
MALFORMED = [b"", b"null", b"123", b"[]", b"{}", b'"allo"', b"true", b"{", b"\xff\xfe\x00", b"[1, 2]",
             b'{"message": 5}', b'{"message": "allo"}', b'{"sender": null, "message": "allo"}',
             b'{"sender": "%s", "message": 5}' % str(uuid.uuid4()).encode(),
             b'{"sender": "%s", "message": null}' % str(uuid.uuid4()).encode(),
             b'{"sender": "%s"}' % str(uuid.uuid4()).encode(), b'{"sender": ["a"], "message": "allo"}',
             b'{"sender": "test-abc", "message": "allo"}']


def settled_events(env: dict, key: str) -> list:
    """The conversation's events once nothing is being added (a slow SMS turn ends in the background)."""
    previous, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline:
        events = conversation_events(env, key)
        if events == previous:
            return events
        previous = events
        time.sleep(2)
    return previous


def rasa_log(phare) -> str:
    return (Path(phare["env"]["_work"]) / "logs" / "rasa.log").read_text(errors="replace")


def test_malformed_rest_bodies_get_400_in_french(phare):
    url = f"{phare['rasa']}/webhooks/rest/webhook"
    start = len(rasa_log(phare))
    for body in MALFORMED:
        for content_type in ("application/json", "text/plain"):
            response = httpx.post(url, content=body, headers={"Content-Type": content_type}, timeout=30)
            assert response.status_code == 400, (body, response.status_code, response.text[:200])
            error = response.json()
            assert error["error"] == "bad_request" and error["message"].startswith("Requête invalide"), error
    time.sleep(0.5)
    new_lines = rasa_log(phare)[start:]
    assert "Traceback" not in new_lines and '"level": "ERROR"' not in new_lines, new_lines[-2000:]


def test_sms_conversation_unreachable_from_rest(phare):
    env = phare["env"]
    phone = Phone(phare["rasa"], env["TWILIO_AUTH_TOKEN"], env["PHARE_SMS_PUBLIC_URL"])
    assert phone.say("bouffe a trois-pistoles").text
    key = sender_key(env["PHARE_SENDER_SECRET"].encode(), phone.number)
    before = settled_events(env, key)
    for sender in (key, key.upper(), f" {key}", key.removeprefix("sms-"), f"{key[4:12]}-{key[12:16]}-{key[16:20]}-"):
        response = httpx.post(f"{phare['rasa']}/webhooks/rest/webhook",
                              json={"sender": sender, "message": "/restart"}, timeout=30)
        assert response.status_code == 400 and response.json()["message"] == BAD_SENDER
    # Through the web proxy's clear-conversation route too.
    assert httpx.post(f"{phare['web']}/webhooks/rest/forget", json={"sender": key}, timeout=30).status_code == 400
    assert conversation_events(env, key) == before


async def socket_exchange(base: str, session_id: str | None, message: str, wait: float = 30) -> dict:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    got: dict = {"bot": [], "errors": [], "confirmed": None}
    done = asyncio.Event()

    @client.on("bot_uttered")
    async def bot_uttered(data):
        got["bot"].append(data)
        done.set()

    @client.on("phare_error")
    async def phare_error(data):
        got["errors"].append(data)
        done.set()

    @client.on("session_confirm")
    async def session_confirm(data):
        got["confirmed"] = data

    await client.connect(base, transports=["polling"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.sleep(0.3)
        await client.emit("user_uttered", {"message": message, "session_id": session_id})
        try:
            await asyncio.wait_for(done.wait(), wait)
        except asyncio.TimeoutError:
            pass
        await asyncio.sleep(0.5)
    finally:
        await client.disconnect()
    return got


def test_socketio_refuses_forged_session_ids_and_serves_the_widget_ones(phare):
    env = phare["env"]
    phone = Phone(phare["rasa"], env["TWILIO_AUTH_TOKEN"], env["PHARE_SMS_PUBLIC_URL"])
    phone.say("bouffe a trois-pistoles")
    key = sender_key(env["PHARE_SENDER_SECRET"].encode(), phone.number)
    before = settled_events(env, key)
    for forged in (key, "default", "../x", "+14185550123"):
        got = asyncio.run(socket_exchange(phare["rasa"], forged, "/restart", wait=5))
        assert got["bot"] == [] and got["confirmed"] is None, got
        assert got["errors"] and got["errors"][0]["message"] == BAD_SENDER
    assert conversation_events(env, key) == before
    got = asyncio.run(socket_exchange(phare["rasa"], str(uuid.uuid4()), "bouffe a trois-pistoles"))
    assert got["errors"] == [] and got["bot"], got
    assert any("Croc-Ensemble" in (m.get("text") or "") for m in got["bot"]), got


def test_hung_action_server_every_channel_answers_211_in_time(phare):
    env = phare["env"]
    actions = phare["stack"].process("actions")
    phone = Phone(phare["rasa"], env["TWILIO_AUTH_TOKEN"], env["PHARE_SMS_PUBLIC_URL"])

    def timed(call):
        started = time.monotonic()
        text = call()
        return time.monotonic() - started, text

    def rest():
        response = httpx.post(f"{phare['rasa']}/webhooks/rest/webhook", timeout=60,
                              json={"sender": str(uuid.uuid4()), "message": "bouffe a trois-pistoles"})
        assert response.status_code == 200
        return "\n".join(m.get("text", "") for m in response.json())

    def proxy():
        response = httpx.post(f"{phare['web']}/webhooks/rest/webhook", timeout=60,
                              json={"sender": str(uuid.uuid4()), "message": "un frigo a matane"})
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text", "") for m in response.json())

    def socket():
        got = asyncio.run(socket_exchange(phare["rasa"], str(uuid.uuid4()), "bouffe a rimouski", wait=40))
        return "\n".join(m.get("text", "") for m in got["bot"])

    def text_message():
        return phone.say("bouffe a trois-pistoles").text

    os.kill(actions.pid, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(4) as pool:
            results = dict(zip(("rest", "proxy", "socket.io", "sms"),
                               pool.map(timed, (rest, proxy, socket, text_message)), strict=False))
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    for channel, (elapsed, text) in results.items():
        print(f"{channel}: {elapsed:.1f} s")
        assert "211" in text, (channel, text)
        assert elapsed < ANSWER_BOUND, (channel, elapsed)


def test_hung_action_server_still_gives_the_crisis_line(phare):
    """The crisis lines are fixed responses; the counting action after them must never take their place.

    With the action server hung, the count fails after PHARE_ACTION_TIMEOUT and
    the resident still receives the 1 866 APPELLE line (not the 211 message).
    """
    actions = phare["stack"].process("actions")

    def crisis_turn():
        started = time.monotonic()
        response = httpx.post(f"{phare['rasa']}/webhooks/rest/webhook", timeout=60,
                              json={"sender": str(uuid.uuid4()), "message": "je veux pu vivre"})
        assert response.status_code == 200
        return time.monotonic() - started, "\n".join(m.get("text", "") for m in response.json())

    normal, text = crisis_turn()
    assert "1 866 APPELLE" in text
    os.kill(actions.pid, signal.SIGSTOP)
    try:
        hung, text = crisis_turn()
    finally:
        os.kill(actions.pid, signal.SIGCONT)
    print(f"crisis line: {normal:.1f} s, with the action server hung: {hung:.1f} s")
    assert "1 866 APPELLE" in text and "211" not in text, text
    assert hung < ANSWER_BOUND
