"""What the web channels (REST, socket.io) accept: the widget's sender ids and a well-formed message.

Pure functions, used by `bot.channels.rest` and `bot.channels.socketio`.

- Sender ids: the widget makes a random UUID (`crypto.randomUUID()`, or the same
  8-4-4-4-12 shape by hand); the socket.io channel makes one of the same shape
  when a front end asks for none. Only that shape is accepted, lower-cased, so
  an SMS conversation id ("sms-" + hash) or any other forged id cannot be read,
  written into or reset from the web.
- Texts starting with "/": the widget's buttons send Rasa payloads such as
  "/affirm". Rasa reads any text starting with "/" as an intent and logs it
  verbatim at WARNING when the intent or its entities are unknown; a resident
  who types "/bonjour" would have their words in the log. Only a payload
  naming an intent of the domain (with, optionally, a JSON object of known
  entities) is kept; otherwise the slashes are dropped and the words read as
  words.
"""
from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_CHARS = 2000
WEB_SENDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?$", re.DOTALL)
_MRC = re.compile(r"^[a-z0-9-]{1,60}$")

BAD_BODY = "Requête invalide : envoyez un objet JSON avec « sender » et « message »."
BAD_SENDER = "Requête invalide : identifiant de conversation non reconnu."
BAD_MESSAGE = "Requête invalide : « message » doit être du texte."


def web_sender(value: Any) -> str | None:
    """The sender id, lower-cased, if it has the widget's shape; else None."""
    if not isinstance(value, str) or len(value) > 36:
        return None
    lowered = value.lower()
    return lowered if WEB_SENDER.match(lowered) else None


def web_text(text: str, intents: Collection[str] | None, entities: Collection[str] | None = None) -> str:
    """The text as Rasa should read it: a known button payload stays, other leading slashes go."""
    text = text[:MAX_MESSAGE_CHARS]
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    if intents is not None and _known_payload(stripped, intents, entities or ()):
        return stripped
    return stripped.lstrip("/").strip()


def _known_payload(text: str, intents: Collection[str], entities: Collection[str]) -> bool:
    match = _PAYLOAD.match(text)
    if not match or match.group("intent") not in intents:
        return False
    raw = match.group("entities")
    if raw is None:
        return True
    try:
        values = json.loads(raw)
    except ValueError:
        return False
    return isinstance(values, dict) and all(key in entities for key in values)


def web_metadata(raw: Any) -> dict[str, str]:
    """What a web front end may say about itself: the MRC of the embedding site. The channel is always "web"."""
    metadata = {"channel": "web"}
    if isinstance(raw, dict):
        mrc = raw.get("mrc")
        if isinstance(mrc, str) and _MRC.match(mrc):
            metadata["mrc"] = mrc
    return metadata


class BadRequest(ValueError):
    """A body the REST channel refuses; `message` is French, for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str
    metadata: dict[str, str]


def parse_rest_body(body: bytes) -> RestMessage:
    """A REST request body -> its message, or BadRequest with a French reason."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(BAD_BODY) from None
    if not isinstance(data, dict):
        raise BadRequest(BAD_BODY)
    sender = web_sender(data.get("sender"))
    if sender is None:
        raise BadRequest(BAD_SENDER)
    text = data.get("message")
    if not isinstance(text, str):
        raise BadRequest(BAD_MESSAGE)
    return RestMessage(sender, text[:MAX_MESSAGE_CHARS], web_metadata(data.get("metadata")))
