"""GET /webhooks/health/ on the Rasa server: model, tracker store (read and write), lock store.

503 with a French `raison` when one of them is not ready, e.g. a tracker
database that has turned read-only (bot.db_health).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot import db_health

logger = logging.getLogger(__name__)


def sql_engine(tracker_store: Any) -> Any:
    """The SQL engine of the tracker store, through Rasa's FailSafeTrackerStore (which swallows read errors)."""
    inner = getattr(tracker_store, "_tracker_store", tracker_store)
    return getattr(inner, "engine", None)


async def readiness(agent: Any) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) of the health check for this agent: 200 when everything is ready, else 503."""
    status: dict[str, Any] = {"model": bool(agent and agent.is_ready())}
    reasons = []
    try:
        await agent.tracker_store.retrieve("__phare_health__")
        engine = sql_engine(agent.tracker_store)
        problem = await db_health.check(engine, "events", "des conversations") if engine is not None else None
        if problem:
            reasons.append(problem)
        status["tracker_store"] = problem is None
    except Exception as exc:
        logger.error("health: tracker store unavailable (%s)", exc.__class__.__name__)
        reasons.append("La base des conversations ne répond pas.")
        status["tracker_store"] = False
    try:
        lock_store = agent.lock_store
        if hasattr(lock_store, "red"):
            lock_store.red.ping()
        status["lock_store"] = True
    except Exception as exc:
        logger.error("health: lock store unavailable (%s)", exc.__class__.__name__)
        reasons.append("Les verrous (Redis) ne répondent pas.")
        status["lock_store"] = False
    if not status["model"]:
        reasons.insert(0, "Le modèle n'est pas chargé.")
    ok = all(status.values())
    body = {"status": "ok" if ok else "error", **status}
    if reasons:
        body["raison"] = " ".join(reasons)
    return (200 if ok else 503), body


class HealthInput(InputChannel):
    """Not a chat channel: a readiness check for load balancers and systemd."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("phare_health", __name__)

        @health.get("/")
        async def check(request: Request):
            status, body = await readiness(getattr(request.app.ctx, "agent", None))
            return response.json(body, status=status, ensure_ascii=False)

        return health
