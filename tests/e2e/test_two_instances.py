"""Production configuration: two Rasa instances sharing PostgreSQL and Redis.

The turns of one conversation alternate between the instances (REST and SMS);
the dialogue must continue (slots remembered), and under concurrent sends
every turn is answered once, in order, with nothing lost or duplicated.
"""
from __future__ import annotations

import concurrent.futures
import os
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from bot.launcher import Stack, rasa_command, runtime_endpoints, wait_ready
from tests.support import START_TIMEOUT, free_port

# The production configuration only: the PostgreSQL + Redis pass runs it (its `phare` stack is then on
# PostgreSQL and Redis and serves as instance A); the SQLite pass leaves it out (tests/conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.production_only]


@pytest.fixture(scope="module")
def cluster(phare, redis_url):
    """Instance B: a second Rasa server with the same model, database, Redis and action server as instance A."""
    env = {k: v for k, v in phare["env"].items() if not k.startswith("_")}
    assert env["PHARE_DATABASE_URL"].startswith("postgresql") and env.get("PHARE_REDIS_URL"), "instance A is not the production configuration"
    work = Path(phare["env"]["_work"])
    second = Stack()
    port_b = free_port()
    try:
        second.start("rasa-b", rasa_command(port_b, runtime_endpoints(phare["ports"])),
                     {**os.environ, **env, "RASA_TELEMETRY_ENABLED": "false"}, work / "logs")
        wait_ready(f"http://127.0.0.1:{port_b}/webhooks/health/", second, START_TIMEOUT)
        yield {"a": phare["rasa"], "b": f"http://127.0.0.1:{port_b}", "db": env["PHARE_DATABASE_URL"],
               "token": env["TWILIO_AUTH_TOKEN"], "public": env["PHARE_SMS_PUBLIC_URL"]}
    finally:
        second.stop()


def rest(base: str, sender: str, message: str) -> str:
    response = httpx.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def sms(cluster: dict, instance: str, phone: str, body: str) -> str:
    params = {"From": phone, "To": "+14185550100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}",
              "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
    signature = RequestValidator(cluster["token"]).compute_signature(f"{cluster['public']}/webhooks/sms/webhook", params)
    response = httpx.post(f"{cluster[instance]}/webhooks/sms/webhook", content=urlencode(params), timeout=60,
                          headers={"X-Twilio-Signature": signature,
                                   "Content-Type": "application/x-www-form-urlencoded"})
    response.raise_for_status()
    return response.text


def user_texts(db_url: str, sender: str) -> list[str]:
    engine = create_engine(db_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    engine.dispose()
    import json

    return [(kind, json.loads(data).get("text")) for kind, data in rows if kind in ("user", "bot")]


def matane_fridges() -> list[str]:
    """Fridges offered to all of La Matanie, read from the seed (the data may rename them)."""
    import yaml

    from directory.seed import seed_files

    path = next(p for p in seed_files() if p.stem == "la-matanie")
    return [s["name"] for org in yaml.safe_load(path.read_text(encoding="utf-8")) for s in org.get("services") or []
            if "frigo-libre-service" in s["categories"] and (s.get("status") or "active") == "active"
            and any(a.get("mrc") == "la-matanie" and not a.get("municipality") for a in s["areas"])]


def test_rest_turns_alternate_between_instances(cluster):
    sender = str(uuid.uuid4())
    assert "municipalité" in rest(cluster["a"], sender, "jai besoin de bouffe")
    assert "Croc-Ensemble" in rest(cluster["b"], sender, "trois pistoles")  # need remembered by A, used by B
    answer = rest(cluster["a"], sender, "et un frigo?")  # place remembered across instances
    assert "Trois-Pistoles" in answer
    answer = rest(cluster["b"], sender, "et à Matane?")
    assert any(name in answer for name in matane_fridges()), answer


def test_sms_turns_alternate_between_instances(cluster):
    phone = "+14185559876"
    assert "municipalit" in sms(cluster, "b", phone, "jai faim")
    assert "Croc-Ensemble" in sms(cluster, "a", phone, "trois-pistoles")
    engine = create_engine(cluster["db"], future=True)
    with engine.connect() as connection:
        dump = " ".join(str(r) for r in connection.execute(text("SELECT sender_id, data FROM events")))
    engine.dispose()
    assert "5559876" not in dump and "555-9876" not in dump


def test_concurrent_sends_are_serialised_in_order(cluster):
    sender = str(uuid.uuid4())
    rest(cluster["a"], sender, "bonjour")
    messages = ["jai besoin de bouffe", "trois pistoles", "merci", "es-tu un robot?", "et un frigo?", "merci bye"]
    # Each message goes to one instance or the other, all at once; Redis locks must serialise them.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(messages)) as pool:
        futures = [pool.submit(rest, cluster["a" if i % 2 else "b"], sender, m) for i, m in enumerate(messages)]
        answers = [f.result() for f in futures]
    assert all(a.strip() for a in answers), "every turn is answered"
    events = user_texts(cluster["db"], sender)
    users = [t for kind, t in events if kind == "user"]
    assert sorted(users) == sorted(["bonjour", *messages]), "nothing lost or duplicated"
    assert len(users) == len(set(users))
    # Turns never interleave: after each user event come that turn's bot events, then the next user event.
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "user"
    for i, kind in enumerate(kinds[:-1]):
        if kind == "user":
            assert kinds[i + 1] == "bot", f"a user message was not answered before the next one: {events}"
