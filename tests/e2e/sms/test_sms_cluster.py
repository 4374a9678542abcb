"""A second Rasa instance sharing the tracker store (and Redis): what only a real deployment shows.

Instance B runs the same model with the same tracker database as the session's
stack (instance A), with PHARE_REDIS_URL (rate limit and PLUS pages in Redis),
PHARE_SMS_NUMBERS (a Twilio number per MRC), a small rate limit and a short
timeout. Its action calls go through a proxy that can slow one sender down,
to see the 211 answer when a turn is late.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from bot.channels.sms import MAX_TIMEOUT, TIMEOUT_TEXT, sender_key
from bot.launcher import PROJECT_ROOT, Stack, rasa_command, wait_ready
from phare.settings import Settings
from tests.support import START_TIMEOUT, free_port, wait_until

from .conftest import Phone, conversation_events

# Several instances sharing Redis are the production configuration: the PostgreSQL + Redis pass runs it.
pytestmark = [pytest.mark.e2e, pytest.mark.production_only]

RASA_METADATA = {"model_id", "assistant_id"}  # Rasa adds these to every event

BASQUES_NUMBER = "+14185550101"
B_TIMEOUT = 4.0
SLOW_DELAY = 4.6  # past B_TIMEOUT (the SMS deadline), within PHARE_ACTION_TIMEOUT (5 s)



class SlowProxy:
    """Forwards Rasa's action calls to the real action server, late for chosen conversations."""

    def __init__(self, target: str):
        self.target = target
        self.slow: set[str] = set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                response = httpx.get(proxy.target + self.path, timeout=30)
                self._answer(response)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    sender = json.loads(body).get("tracker", {}).get("sender_id")
                except ValueError:
                    sender = None
                if sender in proxy.slow:
                    time.sleep(SLOW_DELAY)
                response = httpx.post(proxy.target + self.path, content=body,
                                      headers={"Content-Type": "application/json"}, timeout=60)
                self._answer(response)

            def _answer(self, response):
                self.send_response(response.status_code)
                self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def instance_b(phare, redis_url):
    """Instance B; `redis_url` (tests/conftest.py) skips with the reason where Redis does not answer."""
    env_a = phare["env"]
    work = Path(env_a["_work"])
    proxy = SlowProxy(f"http://127.0.0.1:{phare['ports'].actions}")
    endpoints = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8").replace(
        "http://127.0.0.1:5055/webhook", f"http://127.0.0.1:{proxy.port}/webhook")
    endpoints_path = work / "endpoints.b.yml"
    endpoints_path.write_text(endpoints, encoding="utf-8")
    import os

    env = dict(os.environ)
    env.update({k: v for k, v in env_a.items() if not k.startswith("_")})
    env.update({
        "RASA_TELEMETRY_ENABLED": "false",
        "PHARE_REDIS_URL": redis_url,
        "PHARE_SMS_NUMBERS": f"{BASQUES_NUMBER}=les-basques,+14185550102=la-matapedia",
        "PHARE_SMS_RATE_LIMIT": "6/600",
        "PHARE_SMS_TIMEOUT": str(B_TIMEOUT),
    })
    # The SMS stores' Redis keys, under this run's PHARE_LOCK_PREFIX as Phare computes it.
    sms_keys = Settings.from_env(env).redis_prefix("sms")
    port = free_port()
    stack = Stack()
    stack.start("rasa-b", rasa_command(port, endpoints_path), env, work / "logs")
    try:
        wait_ready(f"http://127.0.0.1:{port}/webhooks/rest/", stack, START_TIMEOUT)
        base = f"http://127.0.0.1:{port}"
        # First turn of a fresh process is slow (graph warm-up): not part of any test.
        warm = Phone(base, env_a["TWILIO_AUTH_TOKEN"], env_a["PHARE_SMS_PUBLIC_URL"])
        for text in ("bonjour", "bouffe a rimouski"):
            warm.send(text)
        yield {"rasa": base, "proxy": proxy, "env": env_a, "redis": redis_url, "sms_keys": sms_keys}
    finally:
        stack.stop()
        proxy.close()
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(sms_keys + "*"):
            client.delete(key)


def phone_on(instance: dict, to: str = "+14185550199", number: str | None = None) -> Phone:
    env = instance["env"]
    return Phone(instance["rasa"], env["TWILIO_AUTH_TOKEN"], env["PHARE_SMS_PUBLIC_URL"], to, number)


def test_menu_shown_by_one_instance_is_answered_by_another(phare, instance_b, sms):
    on_a = sms()
    menu = on_a.say("j'ai besoin de bouffe au Bas-Saint-Laurent")
    assert "5. Les Basques" in menu.text, menu
    on_b = phone_on(instance_b, to=on_a.to, number=on_a.number)
    chosen = on_b.say("5")
    assert "Croc-Ensemble" in chosen.text, chosen


def test_texted_number_presets_the_mrc(phare, instance_b):
    phone = phone_on(instance_b, to=BASQUES_NUMBER)
    reply = phone.say("j'ai besoin de bouffe")
    assert "Croc-Ensemble" in reply.text, reply
    events = conversation_events(phare["env"], sender_key(phare["env"]["PHARE_SENDER_SECRET"].encode(), phone.number))
    user = [e for e in events if e.get("event") == "user"]
    metadata = {k: v for k, v in user[-1]["metadata"].items() if k not in RASA_METADATA}
    assert metadata == {"channel": "sms", "mrc": "les-basques"}  # the MRC, never the number


def test_number_without_mrc_asks_where(instance_b):
    reply = phone_on(instance_b, to="+15145550000").say("j'ai besoin de bouffe")
    assert "Croc-Ensemble" not in reply.text and "municipalit" in reply.text, reply


def test_rate_limit_in_redis(instance_b):
    phone = phone_on(instance_b)
    replies = [phone.send("help") for _ in range(8)]
    assert all("Phare" in r.text for r in replies[:6])
    assert "10 minutes" in replies[6].text
    assert replies[7].messages == []
    import redis

    keys = list(redis.Redis.from_url(instance_b["redis"]).scan_iter(instance_b["sms_keys"] + "rate:*"))
    assert keys and all(phone.number.lstrip("+") not in k.decode() for k in keys)


def test_plus_continues_on_another_instance_from_the_tracker(phare, instance_b, sms):
    """Where the resident is in the list lives in the tracker store, not in a process: instance A
    continues a list that instance B started (as after a restart of Rasa)."""
    on_b = phone_on(instance_b)
    first = on_b.say("y a tu du depannage alimentaire a Rimouski")
    assert "1. " in first.text and first.segments <= 3, first
    on_a = Phone(phare["rasa"], phare["env"]["TWILIO_AUTH_TOKEN"], phare["env"]["PHARE_SMS_PUBLIC_URL"],
                 on_b.to, on_b.number)
    second = on_a.say("PLUS")
    assert second.text and second.text != first.text and second.segments <= 3, second
    assert "1. " not in second.text  # the list went on, it did not restart


def test_late_turn_answers_211_in_time_then_plus_shows_the_answer(phare, instance_b):
    phone = phone_on(instance_b)
    key = sender_key(phare["env"]["PHARE_SENDER_SECRET"].encode(), phone.number)
    instance_b["proxy"].slow.add(key)
    started = time.monotonic()
    reply = phone.say("bouffe a trois-pistoles")
    elapsed = time.monotonic() - started
    # The 211 reply came before the slowed turn ended (an order, not a speed), and before Twilio gives up.
    assert reply.text == TIMEOUT_TEXT.replace("…", "..."), reply
    assert elapsed < MAX_TIMEOUT, elapsed
    assert "211" in reply.text
    instance_b["proxy"].slow.discard(key)
    # The turn finishes in the background and its answer is kept for PLUS.
    wait_until(lambda: any(e.get("event") == "bot" and "Croc-Ensemble" in (e.get("text") or "")
                           for e in conversation_events(phare["env"], key)),
               SLOW_DELAY + 30, "the late answer in the conversation", interval=0.5)
    late = phone.say("PLUS")
    assert "Croc-Ensemble" in late.text, late
