"""Rasa's REST channel (POST /webhooks/rest/webhook), never silent, strict about what it accepts.

Same path and answer as `rasa.core.channels.rest.RestInput` (a JSON list of
bot messages), written out here because Rasa's own handler answers 500 with a
traceback on a body that is not a JSON object (empty, `null`, `123`, `[]`…)
and takes any sender id, an SMS conversation's included. This one:

- answers 400 with a French JSON error ({"error", "message"}) to a bad body,
  a sender id that is not the widget's (bot.channels.web_input) or a message
  that is not text, and logs only that a request was refused;
- passes the site's MRC from `metadata` ({"mrc": "la-mitis"}) and marks the
  channel "web";
- keeps a text starting with "/" only if it is a known button payload;
- answers within PHARE_TURN_TIMEOUT with the 211 message if the turn hangs
  (bot.channels.safety).

Rasa's `?stream=true` mode is not offered (the widget does not use it).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .safety import never_silent
from .web_input import MAX_MESSAGE_CHARS, BadRequest, parse_rest_body, web_text

logger = logging.getLogger(__name__)

__all__ = ["MAX_MESSAGE_CHARS", "RestInput", "domain_vocabulary"]

JSON_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def domain_vocabulary(request: Request) -> tuple[list | None, list | None]:
    """The intents and entities of the loaded model's domain (None before a model is loaded)."""
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    if domain is None:
        return None, None
    return list(domain.intents), list(domain.entities)


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handler = never_silent(on_new_message)
        webhook = Blueprint("phare_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = parse_rest_body(request.body or b"")
            except BadRequest as refused:
                logger.info("REST request refused: %s", type(refused).__name__)
                return response.json({"error": "bad_request", "message": refused.message}, status=400,
                                     headers=JSON_HEADERS, ensure_ascii=False)
            intents, entities = domain_vocabulary(request)
            collector = CollectingOutputChannel()
            await handler(UserMessage(web_text(message.text, intents, entities), collector, message.sender,
                                      input_channel=self.name(), metadata=message.metadata))
            return response.json(collector.messages, headers=JSON_HEADERS, ensure_ascii=False)

        return webhook
