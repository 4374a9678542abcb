"""The SMS webhook's logic, independent of Sanic (tested directly): one signed Twilio request in, TwiML out.

- a missing or wrong signature -> 403, nothing processed, nothing stored;
- a MessageSid already answered -> the same reply again, no turn, not counted
  (bot.channels.sms.replay);
- answers within PHARE_SMS_TIMEOUT seconds (10 by default, Twilio waits 15):
  a turn that takes longer keeps running in the background, the resident gets a
  short message with 211 and can text PLUS to read the late answer;
- renders the turn as one SMS of at most 3 segments (bot.sms_render), with a
  numbered menu for buttons ("2" picks the second choice of the last menu);
- a per-sender rate limit (bot.rate_limit), keyed by the hashed id;
- never a 500: every failure becomes a polite French SMS with 211, or a 4xx.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
import traceback
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from twilio.twiml.messaging_response import MessagingResponse

from bot.messages import EMPTY_MESSAGE, TECHNICAL_PROBLEM
from bot.rate_limit import Decision, MemoryRateLimiter, RateLimiter, window_text
from bot.sms_render import Rendered, menu_choices, menu_prompt, render, render_text

from ..safety import never_silent
from .form import BadRequest, FormParams, SignatureCheck, parse_form
from .keywords import HELP, MORE, RESET, STOP, choice_number, has_words, keyword
from .pager import MemoryPager, Pager
from .replay import MemoryReplayMemory, ReplayMemory
from .senders import normalize_number, sender_key
from .settings import SmsSettings
from .texts import (
    HELP_TEXT,
    MEDIA_TEXT,
    MISSING_SENDER_TEXT,
    NO_SUCH_CHOICE_TEXT,
    RATE_LIMIT_TEXT,
    SYMBOLS_TEXT,
    TIMEOUT_TEXT,
)

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/sms/webhook"
MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 1600  # Twilio's own limit for one (concatenated) inbound message
_SID = re.compile(r"^[A-Za-z0-9]{10,64}$")


@dataclass
class WebhookReply:
    status: int
    body: str
    content_type: str = "text/xml; charset=utf-8"
    outcome: str = ""  # for logs and tests: "answer", "keyword", "stop", "limited", "timeout", …
    segments: int = 0


def twiml(text: str | None) -> str:
    reply = MessagingResponse()
    if text:
        reply.message(_xml_safe(text))
    return str(reply)


def _xml_safe(text: str) -> str:
    # Characters XML 1.0 cannot carry (control characters) are dropped.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


LastTurn = Callable[[str], Awaitable[list[dict[str, Any]]]]


def _stored_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Only what the renderer needs (text and buttons), JSON-ready for the pager."""
    kept = []
    for message in messages:
        item: dict[str, Any] = {}
        if isinstance(message.get("text"), str):
            item["text"] = message["text"]
        if isinstance(message.get("custom"), Mapping) and message["custom"].get("type") == "phare.answer":
            item["custom"] = dict(message["custom"])  # a structured answer is packed by bot.sms_render
        if isinstance(message.get("buttons"), list):
            item["buttons"] = [{"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")}
                               for b in message["buttons"] if isinstance(b, Mapping)]
        if item:
            kept.append(item)
    return kept


class SmsWebhook:
    """The webhook's logic, independent of Sanic (tested directly)."""

    def __init__(self, settings: SmsSettings, limiter: RateLimiter | None = None,
                 pager: Pager | None = None, replays: ReplayMemory | None = None) -> None:
        self.settings = settings
        self.signatures = SignatureCheck(settings.validate, settings.auth_token)
        self.limiter = limiter or MemoryRateLimiter(settings.rate_rule)
        self.pager = pager or MemoryPager()
        self.replays = replays or MemoryReplayMemory()
        self.background: set = set()

    # -- helpers
    def public_url(self, path: str, query_string: str = "", fallback: str = "") -> str:
        base = self.settings.public_url
        if not base:
            return fallback
        return base + path + (f"?{query_string}" if query_string else "")

    def authentic(self, url: str, params: FormParams, signature: str | None) -> bool:
        return self.signatures.authentic(url, params, signature)

    def reply(self, text: str | None, outcome: str, rendered: Rendered | None = None) -> WebhookReply:
        if text is None:
            return WebhookReply(200, twiml(None), outcome=outcome)
        rendered = rendered or render_text(text, self.settings.max_segments)
        return WebhookReply(200, twiml(rendered.body), outcome=outcome, segments=rendered.segments)

    async def _keep(self, key: str, rendered: Rendered) -> None:
        if rendered.rest:
            await self.pager.set(key, {"messages": [{"text": block} for block in rendered.rest],
                                       "more": rendered.more})
        else:
            await self.pager.clear(key)

    # -- entry point
    async def handle(self, *, body: bytes, content_type: str, url: str, signature: str | None,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     last_turn: LastTurn) -> WebhookReply:
        started = time.monotonic()
        try:
            if not self.settings.enabled:
                return WebhookReply(503, "Texto non configuré.", "text/plain; charset=utf-8", "disabled")
            if len(body) > MAX_BODY_BYTES:
                return WebhookReply(413, "Requête trop volumineuse.", "text/plain; charset=utf-8", "too_large")
            try:
                params = parse_form(body, content_type)
            except BadRequest as exc:
                return WebhookReply(exc.status, exc.text, "text/plain; charset=utf-8", "bad_request")
            if not self.authentic(url, params, signature):
                return WebhookReply(403, "Signature invalide.", "text/plain; charset=utf-8", "forbidden")
            reply = await self._once(params, on_new_message, last_turn)
        except Exception as exc:  # the boundary: never a 500, never the text or the number in the logs
            logger.error("SMS webhook failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
            reply = self.reply(TECHNICAL_PROBLEM, "error")
        logger.info("SMS webhook: %s, status %s, %s segment(s), %.0f ms", reply.outcome, reply.status,
                    reply.segments, (time.monotonic() - started) * 1000)
        return reply

    async def _once(self, params: FormParams, on_new_message, last_turn: LastTurn) -> WebhookReply:
        """An authentic request answered once per MessageSid; copies get the first reply again."""
        sender = (params.first("From") or "").strip()
        if not sender:
            return WebhookReply(400, MISSING_SENDER_TEXT, "text/plain; charset=utf-8", "no_sender")
        key = sender_key(self.settings.sender_secret, sender)
        sid = (params.first("MessageSid") or params.first("SmsSid") or "").strip()
        if not _SID.match(sid):
            return await self._authentic(key, params, on_new_message, last_turn)
        seen = f"{key}:{sid}"
        if not await self.replays.claim(seen):
            stored = await self.replays.wait(seen, self.settings.timeout)
            if stored is None:  # the first copy is still being answered, or failed
                return WebhookReply(200, twiml(None), outcome="replay")
            return WebhookReply(int(stored.get("status", 200)), str(stored.get("body", twiml(None))),
                                str(stored.get("content_type") or "text/xml; charset=utf-8"), "replay",
                                int(stored.get("segments", 0)))
        try:
            reply = await self._authentic(key, params, on_new_message, last_turn)
        except BaseException:
            await self.replays.forget(seen)
            raise
        await self.replays.remember(seen, {"status": reply.status, "body": reply.body,
                                           "content_type": reply.content_type, "segments": reply.segments})
        return reply

    async def _authentic(self, key: str, params: FormParams, on_new_message, last_turn: LastTurn) -> WebhookReply:
        text = unicodedata.normalize("NFC", params.first("Body") or "").replace("¡", "@").strip()
        text = text[:MAX_TEXT_CHARS]
        word = keyword(text)
        if word == STOP:
            return self.reply(None, "stop")  # Twilio and the carrier confirm the opt-out themselves

        decision = await self.limiter.hit(key)
        if decision == Decision.SILENT:
            return self.reply(None, "limited")
        if decision == Decision.NOTIFY:
            return self.reply(RATE_LIMIT_TEXT.format(wait=window_text(self.settings.rate_rule.window)), "limited")

        try:
            media = int(params.first("NumMedia") or 0)
        except ValueError:
            media = 0
        if not text:
            return self.reply(MEDIA_TEXT if media else EMPTY_MESSAGE, "empty")
        if not has_words(text):
            return self.reply(SYMBOLS_TEXT, "symbols")
        if word == HELP:
            return self.reply(HELP_TEXT, "help")
        if word == MORE:
            pending = await self.pager.get(key)
            if pending and pending.get("messages"):
                rendered = render(pending["messages"], self.settings.max_segments, more=bool(pending.get("more")))
                await self._keep(key, rendered)
                return self.reply(rendered.body, "more", rendered)
            text = "/more_results"
        elif word == RESET:
            await self.pager.clear(key)
            text = "/restart"
        else:
            number = choice_number(text)
            if number is not None:
                choices = menu_choices(await last_turn(key))
                if choices:
                    if not 1 <= number <= len(choices):
                        prompt = menu_prompt(len(choices))
                        return self.reply(NO_SUCH_CHOICE_TEXT.format(number=number, prompt=prompt), "bad_choice")
                    text = choices[number - 1].payload
            else:
                text = text.lstrip("/").strip() or text  # residents' words are never read as intents
        metadata: dict[str, Any] = {"channel": "sms"}
        mrc = self.settings.numbers.get(normalize_number(params.first("To") or ""))
        if mrc:
            metadata["mrc"] = mrc
        return await self._turn(key, text, metadata, on_new_message)

    async def _turn(self, key: str, text: str, metadata: dict[str, Any], on_new_message) -> WebhookReply:
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, key, input_channel="sms", metadata=metadata)
        loop = asyncio.get_running_loop()
        # True: the turn ended in time; False: the timeout came first. A bare
        # future set from both sides wakes this handler in one step (wait_for
        # plus shield took three, each a full turn of a busy event loop).
        in_time: asyncio.Future = loop.create_future()

        async def turn() -> None:
            try:
                await never_silent(on_new_message, deadline=False)(message)
            finally:
                if not in_time.done():
                    in_time.set_result(True)

        timer = loop.call_later(self.settings.timeout, lambda: in_time.done() or in_time.set_result(False))
        task = asyncio.ensure_future(turn())
        try:
            answered = await in_time
        finally:
            timer.cancel()
        if not answered:
            # The turn goes on (cancelling it could leave the conversation half written);
            # its answer waits for "PLUS".
            self.background.add(task)
            task.add_done_callback(lambda t: self._late(key, collector, t))
            return self.reply(TIMEOUT_TEXT, "timeout")
        rendered = render(collector.messages, self.settings.max_segments)
        await self._keep(key, rendered)
        return self.reply(rendered.body, "answer", rendered)

    def _late(self, key: str, collector: CollectingOutputChannel, task: asyncio.Future) -> None:
        self.background.discard(task)
        messages = _stored_messages(collector.messages)
        if not messages:
            return

        async def store() -> None:
            try:
                await self.pager.set(key, {"messages": messages, "more": False})
            except Exception as exc:
                logger.warning("SMS late answer not kept: %s", type(exc).__name__)

        stored = asyncio.ensure_future(store())
        self.background.add(stored)
        stored.add_done_callback(self.background.discard)
