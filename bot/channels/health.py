"""GET /webhooks/health/ on the Rasa server: checks the tracker store and the lock store."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)


class HealthInput(InputChannel):
    """Not a chat channel: a readiness check for load balancers and systemd."""

    @classmethod
    def name(cls) -> Text:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("phare_health", __name__)

        @health.get("/")
        async def check(request: Request):
            agent = getattr(request.app.ctx, "agent", None)
            status = {"model": bool(agent and agent.is_ready())}
            try:
                await agent.tracker_store.retrieve("__phare_health__")
                status["tracker_store"] = True
            except Exception as exc:
                logger.error("health: tracker store unavailable (%s)", exc.__class__.__name__)
                status["tracker_store"] = False
            try:
                lock_store = agent.lock_store
                if hasattr(lock_store, "red"):
                    lock_store.red.ping()
                status["lock_store"] = True
            except Exception as exc:
                logger.error("health: lock store unavailable (%s)", exc.__class__.__name__)
                status["lock_store"] = False
            ok = all(status.values())
            return response.json({"status": "ok" if ok else "error", **status}, status=200 if ok else 503)

        return health
