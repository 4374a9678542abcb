"""The Rasa input channel: registers POST /webhooks/sms/webhook and reads the last menu from the tracker store."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.messages import TECHNICAL_PROBLEM
from bot.rate_limit import MemoryRateLimiter, RateLimiter, build_rate_limiter

from .pager import MemoryPager, Pager, RedisPager
from .replay import MemoryReplayMemory, ReplayMemory, build_replay_memory
from .settings import SmsSettings
from .webhook import WEBHOOK_PATH, SmsWebhook, WebhookReply, twiml

logger = logging.getLogger(__name__)


async def last_bot_turn(agent: Any, sender_id: str) -> list[dict[str, Any]]:
    """The bot messages after the resident's last message, from the tracker store."""
    from rasa.shared.core.events import BotUttered, UserUttered

    if agent is None or getattr(agent, "tracker_store", None) is None:
        return []
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None:
        return []
    messages: list[dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            messages.append({"text": event.text, **(event.data or {})})
    messages.reverse()
    return messages


# ------------------------------------------------------------------ the Rasa input channel


class SmsInput(InputChannel):
    """Registered in credentials.yml as `bot.channels.sms.SmsInput:` (settings come from the environment)."""

    @classmethod
    def name(cls) -> str:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = SmsSettings.from_settings()
        for warning in settings.warnings:
            logger.warning("!!! %s", warning)
        if not settings.enabled:
            return cls(settings, MemoryRateLimiter(settings.rate_rule), MemoryPager(), MemoryReplayMemory())
        keys = settings.redis_prefix  # "phare:sms:" with the default PHARE_LOCK_PREFIX
        limiter = build_rate_limiter(settings.rate_rule, settings.redis_url, prefix=keys + "rate:")
        pager: Pager = RedisPager(settings.redis_url, prefix=keys + "more:") if settings.redis_url else MemoryPager()
        logger.info(
            "SMS channel: signature check %s, public URL %s, %d Twilio number(s) with an MRC, rate limit %s, "
            "timeout %.0f s, %s", "ON" if settings.validate else "OFF",
            (settings.public_url or "-") + WEBHOOK_PATH, len(settings.numbers),
            f"{settings.rate_rule.limit}/{settings.rate_rule.window:.0f}s" if settings.rate_rule.enabled else "off",
            settings.timeout, "Redis" if settings.redis_url else "in memory",
        )
        return cls(settings, limiter, pager, build_replay_memory(settings.redis_url, prefix=keys + "seen:"))

    def __init__(self, settings: SmsSettings | None = None, limiter: RateLimiter | None = None,
                 pager: Pager | None = None, replays: ReplayMemory | None = None) -> None:
        self.settings = settings or SmsSettings.from_settings()
        self.webhook = SmsWebhook(self.settings, limiter, pager, replays)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms = Blueprint("phare_sms_webhook", __name__)
        webhook = self.webhook

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                agent = getattr(request.app.ctx, "agent", None)
                url = webhook.public_url(request.path, request.query_string or "", fallback=request.url)
                reply = await webhook.handle(
                    body=request.body or b"",
                    content_type=request.headers.get("content-type", ""),
                    url=url,
                    signature=request.headers.get("x-twilio-signature"),
                    on_new_message=on_new_message,
                    last_turn=lambda key: last_bot_turn(agent, key),
                )
            except Exception as exc:
                logger.error("SMS webhook failed outside the handler: %s", type(exc).__name__)
                reply = WebhookReply(200, twiml(TECHNICAL_PROBLEM), outcome="error")
            return response.text(reply.body, status=reply.status, content_type=reply.content_type)

        return sms
