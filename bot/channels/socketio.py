"""Rasa's socket.io channel for the web chat: never silent, and only the web's own conversations.

Rasa's handlers take any `session_id`: joining the room of an SMS
conversation's id would let a socket read that resident's answers, and a
message with that id would write into their conversation. Here a session id
must have the widget's shape (bot.channels.web_input); otherwise the socket
gets a French `phare_error` event and nothing else happens. A message that is
not text, or metadata that is not an object, is refused the same way rather
than raising inside the server.
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from .safety import never_silent
from .web_input import BAD_BODY, BAD_MESSAGE, BAD_SENDER, MAX_MESSAGE_CHARS, web_metadata, web_sender, web_text

logger = logging.getLogger(__name__)

ERROR_EVENT = "phare_error"


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message))
        sio = self.sio
        namespace = self.namespace or "/"
        rasa_session_request = sio.handlers[namespace]["session_request"]
        rasa_message = sio.handlers[namespace][self.user_message_evt]
        channel = self

        async def refuse(sid: str, reason: str) -> None:
            logger.info("socket.io event refused")
            await sio.emit(ERROR_EVENT, {"error": "bad_request", "message": reason}, room=sid, namespace=namespace)

        async def session_request(sid: str, data: Any) -> None:
            if data is None or (isinstance(data, dict) and data.get("session_id") is None):
                # A new conversation, with an id of the widget's shape (Rasa would make uuid4().hex).
                return await rasa_session_request(sid, {"session_id": str(uuid.uuid4())})
            session_id = web_sender(data.get("session_id")) if isinstance(data, dict) else None
            if session_id is None:
                return await refuse(sid, BAD_SENDER)
            return await rasa_session_request(sid, {**data, "session_id": session_id})

        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return await refuse(sid, BAD_BODY)
            if channel.session_persistence:
                session_id = web_sender(data.get("session_id"))
                if session_id is None:
                    return await refuse(sid, BAD_SENDER)
                data = {**data, "session_id": session_id}
            text = data.get("message", "")
            if not isinstance(text, str):
                return await refuse(sid, BAD_MESSAGE)
            raw_metadata: Any | None = data.get(channel.metadata_key)
            if isinstance(raw_metadata, str):
                try:
                    raw_metadata = json.loads(raw_metadata)
                except ValueError:
                    raw_metadata = None
            agent = getattr(_app_ctx(blueprint), "agent", None)
            domain = getattr(agent, "domain", None)
            intents = list(domain.intents) if domain is not None else None
            entities = list(domain.entities) if domain is not None else None
            return await rasa_message(sid, {
                **data, "message": web_text(text[:MAX_MESSAGE_CHARS], intents, entities),
                channel.metadata_key: web_metadata(raw_metadata),
            })

        sio.on("session_request", namespace=namespace)(session_request)
        sio.on(self.user_message_evt, namespace=namespace)(handle_message)
        return blueprint


def _app_ctx(blueprint: Blueprint) -> Any:
    """The Sanic app's ctx once the blueprint is registered (the agent lives there)."""
    for app in getattr(blueprint, "_apps", None) or ():  # `apps` raises before registration
        return app.ctx
    return None
