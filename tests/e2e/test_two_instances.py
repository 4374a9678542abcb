"""Production configuration: two Rasa instances sharing PostgreSQL and Redis.

The turns of one conversation alternate between the instances (REST and SMS);
the dialogue must continue (slots remembered), and under concurrent sends
every turn is answered once, in order, with nothing lost or duplicated.
"""
from __future__ import annotations

import concurrent.futures
import os
import uuid
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, text
from support import free_port
from twilio.request_validator import RequestValidator

from bot.launcher import MODEL_PATH, Ports, Stack, rasa_command, runtime_endpoints, start_stack, wait_ready, wait_stack
from directory.seed import prepare_database

pytestmark = pytest.mark.e2e

TOKEN = "two-instances-token-0123456789"
PUBLIC = "https://phare.example.org"


@pytest.fixture(scope="module")
def cluster(postgres_url, redis_url, tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}")
    work = tmp_path_factory.mktemp("cluster")
    prepare_database(postgres_url)
    env = {
        "PHARE_DATABASE_URL": postgres_url,
        "PHARE_REDIS_URL": redis_url,
        "PHARE_LOCK_PREFIX": f"phare{uuid.uuid4().hex[:8]}",
        "PHARE_VAR_DIR": str(work),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PHARE_SMS_PUBLIC_URL": PUBLIC,
        "PHARE_SENDER_SECRET": "cluster-secret",
        "PHARE_SMS_RATE_LIMIT": "1000/600",
    }
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port())
    first = start_stack(ports, log_dir=work / "logs", extra_env=env, web=False)
    second = Stack()
    try:
        wait_stack(first, ports, timeout=240)
        port_b = free_port()
        second.start(
            "rasa-b",
            rasa_command(port_b, runtime_endpoints(ports)),
            {**os.environ, **env, "RASA_TELEMETRY_ENABLED": "false"},
            work / "logs",
        )
        wait_ready(f"http://127.0.0.1:{port_b}/webhooks/health/", second, 240)
        yield {"a": f"http://127.0.0.1:{ports.rasa}", "b": f"http://127.0.0.1:{port_b}", "db": postgres_url}
    finally:
        second.stop()
        first.stop()


def rest(base: str, sender: str, message: str) -> str:
    response = httpx.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def sms(base: str, phone: str, body: str) -> str:
    params = {"From": phone, "To": "+14185550100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}",
              "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/webhooks/sms/webhook", params)
    response = httpx.post(f"{base}/webhooks/sms/webhook", content=urlencode(params), timeout=60,
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
    assert "municipalit" in sms(cluster["b"], phone, "jai faim")
    assert "Croc-Ensemble" in sms(cluster["a"], phone, "trois-pistoles")
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
