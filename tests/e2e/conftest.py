"""The real Phare stack (trained model, Rasa server, action server) on free ports."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from bot.launcher import MODEL_PATH, Ports, start_stack, wait_stack
from tests.support import START_TIMEOUT, free_port


@pytest.fixture(scope="session")
def stack_env(request, tmp_path_factory, seeded_engine, test_database):
    """Environment of the servers: a copy of the seeded directory and their own conversations.

    SQLite by default; with PHARE_TEST_DATABASE=postgresql, production's
    configuration: the directory and Rasa's tracker store in one PostgreSQL
    database (the single PHARE_DATABASE_URL switch) and Redis locks.
    """
    work = tmp_path_factory.mktemp("stack")
    env = {
        "PHARE_VAR_DIR": str(work),
        "PHARE_SMS_VALIDATE": "true",
        "TWILIO_AUTH_TOKEN": "test-auth-token-0123456789",
        "PHARE_SMS_PUBLIC_URL": "https://phare.example.org",
        "PHARE_SENDER_SECRET": f"test-sender-secret-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "INFO",
        "_work": str(work),
    }
    if test_database == "postgresql":
        env["PHARE_DATABASE_URL"] = request.getfixturevalue("postgres_copy")(seeded_engine)
        env["PHARE_REDIS_URL"] = request.getfixturevalue("redis_url")
        env["PHARE_LOCK_PREFIX"] = f"phare{uuid.uuid4().hex[:8]}"
        return env
    db = work / "phare.db"
    shutil.copy(seeded_engine.url.database, db)
    env["PHARE_DATABASE_URL"] = f"sqlite:///{db}"
    env["PHARE_TRACKER_URL"] = f"sqlite:///{work / 'tracker.db'}"
    return env


def tracker_engine(env: dict):
    """Rasa's tracker store as the servers see it (SQLite file or PostgreSQL)."""
    return create_engine(env.get("PHARE_TRACKER_URL") or env["PHARE_DATABASE_URL"], future=True)


@pytest.fixture(scope="session")
def phare(stack_env):
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` (make test does it)")
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port())
    env = {k: v for k, v in stack_env.items() if not k.startswith("_")}
    stack = start_stack(ports, log_dir=Path(stack_env["_work"]) / "logs", extra_env=env)
    try:
        # A busy shared machine can take minutes to load the model: PHARE_TEST_START_TIMEOUT (s) allows more.
        wait_stack(stack, ports, timeout=START_TIMEOUT)
    except Exception:
        stack.stop()
        logs = Path(stack_env["_work"]) / "logs"
        for log in logs.glob("*.log"):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
    yield {"rasa": f"http://127.0.0.1:{ports.rasa}", "web": f"http://127.0.0.1:{ports.web}", "ports": ports,
           "stack": stack, "env": stack_env}
    stack.stop()


class Conversation:
    def __init__(self, base: str, metadata: dict | None = None):
        self.base = base
        self.sender = str(uuid.uuid4())  # the widget's id format (the only one the web channels accept)
        self.metadata = metadata
        self.client = httpx.Client(timeout=60)

    def say(self, text: str) -> str:
        body = {"sender": self.sender, "message": text}
        if self.metadata:
            body["metadata"] = self.metadata
        response = self.client.post(f"{self.base}/webhooks/rest/webhook", json=body)
        response.raise_for_status()
        self.last = response.json()
        return "\n".join(m.get("text", "") for m in self.last)

    def buttons(self) -> list[dict]:
        return [b for m in self.last for b in m.get("buttons", [])]


@pytest.fixture()
def chat(phare):
    def make(metadata: dict | None = None) -> Conversation:
        return Conversation(phare["rasa"], metadata)

    return make
