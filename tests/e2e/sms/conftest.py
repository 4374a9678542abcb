"""Helpers for the SMS end-to-end tests: a phone that posts Twilio-signed webhooks.

Webhooks are signed with twilio's own RequestValidator and the stack's test
auth token, and posted over HTTP (httpx) to the running Rasa server, built by
the same code as the simulator (scripts/sms_simulator.py).
"""
from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text

from bot.sms_text import segment_info
from tests.support import ROOT

from ..conftest import tracker_engine

_spec = importlib.util.spec_from_file_location("sms_simulator", ROOT / "scripts" / "sms_simulator.py")
simulator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simulator)

# Every phone number the session uses, for the privacy checks.
USED_NUMBERS: set[str] = set()


def new_number() -> str:
    while True:
        # 581: never the 418 numbers of the directory, so a service phone in an answer is no false alarm.
        number = f"+1581555{random.randint(0, 9999):04d}"
        if number not in USED_NUMBERS:
            USED_NUMBERS.add(number)
            return number


def number_forms(number: str) -> list[str]:
    """+14185550123 -> every way it could be written down."""
    digits = number.lstrip("+")
    local = digits[1:]
    area, exchange, line = local[:3], local[3:6], local[6:]
    return [number, digits, local, f"{area} {exchange}-{line}", f"{area}-{exchange}-{line}",
            f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}", f"{area} {exchange} {line}", f"%2B{digits}"]


class Reply:
    def __init__(self, response: httpx.Response):
        self.response = response
        self.status = response.status_code
        self.messages = simulator.twiml_messages(response.text) if self.status == 200 else []
        self.text = "\n".join(self.messages)
        self.segments = sum(segment_info(m).segments for m in self.messages)

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.segments} seg: {self.text!r}>"


class Phone:
    """One resident's phone texting one Twilio number."""

    def __init__(self, server: str, token: str, public_url: str, to: str = simulator.DEFAULT_TO,
                 number: str | None = None):
        self.server = server
        self.token = token
        self.public_url = public_url
        self.to = to
        self.number = number or new_number()
        USED_NUMBERS.add(self.to)
        self.client = httpx.Client(timeout=30)

    def params(self, body: str | None, **kwargs) -> dict:
        return simulator.twilio_params(body, self.number, self.to, **kwargs)

    def send(self, body: str | None = "", *, signed: bool = True, signed_url: str | None = None,
             token: str | None = None, params: dict | None = None, **kwargs) -> Reply:
        params = params if params is not None else self.params(body, **kwargs)
        response = simulator.post(self.client, self.server, params, (token or self.token) if signed else None,
                                  self.public_url, signed_url)
        return Reply(response)

    def say(self, body: str) -> Reply:
        reply = self.send(body)
        assert reply.status == 200, reply.response.text
        assert reply.response.headers["content-type"].startswith(("text/xml", "application/xml"))
        return reply

    def post_raw(self, content: bytes, signature: str | None, content_type: str) -> httpx.Response:
        headers = {"Content-Type": content_type}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(simulator.webhook_url(self.server), content=content, headers=headers)


@pytest.fixture()
def sms(phare):
    """sms() -> a new Phone (new number) texting the stack's Rasa server."""
    env = phare["env"]

    def make(to: str = simulator.DEFAULT_TO, server: str | None = None) -> Phone:
        return Phone(server or phare["rasa"], env["TWILIO_AUTH_TOKEN"], env["PHARE_SMS_PUBLIC_URL"], to)

    return make


def tracker_dump(env: dict) -> str:
    """Every column of every row of every table of the tracker store, as text."""
    engine = tracker_engine(env)
    try:
        parts = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'select * from "{table}"')):
                    parts.append(" | ".join("" if v is None else str(v) for v in row))
        return "\n".join(parts)
    finally:
        engine.dispose()


def conversation_events(env: dict, sender_id: str) -> list[dict]:
    import json

    engine = tracker_engine(env)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("select data from events where sender_id = :sender order by id"),
                                      {"sender": sender_id}).all()
    finally:
        engine.dispose()
    return [json.loads(row[0]) for row in rows]


def logs_dump(env: dict) -> str:
    logs = Path(env["_work"]) / "logs"
    return "\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("*.log")))
