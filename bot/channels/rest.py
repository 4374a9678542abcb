"""Rasa's REST channel (POST /webhooks/rest/webhook), never silent, with message metadata.

Same path and protocol as `rasa.core.channels.rest.RestInput`; adds the
safety net and passes the optional `metadata` object of the request body
(e.g. {"mrc": "la-mitis"} from an MRC website) to the assistant.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint
from sanic.request import Request

from .safety import never_silent

MAX_MESSAGE_CHARS = 2000


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = (req.json or {}).get("message")
        if not isinstance(text, str):
            return ""
        return text[:MAX_MESSAGE_CHARS]

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        body = request.json or {}
        metadata = body.get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))
