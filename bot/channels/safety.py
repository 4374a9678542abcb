"""A safety net around Rasa's message handler: no turn ends in silence.

If the action server is down, an action fails, or the turn raises, Rasa
itself sends nothing; this wrapper notices that no bot message went out and
sends a short French message with 211 instead.

A turn that hangs (an action server that accepts the connection and never
answers, a stuck database) gets the same message after PHARE_TURN_TIMEOUT
seconds (8 by default): well before the web proxy (PHARE_RASA_TIMEOUT, 30 s),
nginx (30 s) and Twilio (15 s) give up. The turn itself goes on in the
background (cancelling it could leave the conversation half written); what it
sends later still reaches socket.io, and is dropped by REST.

Failures are logged by exception class and stack frames only: the message of
a database error can carry the SQL parameters, which hold the resident's text.
"""
from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.messages import EMPTY_MESSAGE, RESTARTED, TECHNICAL_PROBLEM
from phare.settings import settings

logger = logging.getLogger(__name__)

_background: set = set()  # turns that outlived their timeout, kept referenced until they end


def log_failure(what: str, exc: BaseException) -> None:
    """ERROR with the exception's class and frames, never its message (it may quote the resident's text)."""
    logger.error("%s: %s\n%s", what, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))


class CountingOutputChannel(OutputChannel):
    """Delegates everything to the real output channel and counts what it sends."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_custom_json(recipient_id, json_message, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[Any]], timeout: float | None = None,
                 deadline: bool = True) -> Callable[[UserMessage], Awaitable[Any]]:
    """The handler, never silent; `deadline=False` for a channel with its own (SMS: PLUS for late answers)."""
    limit = (settings().turn_timeout if timeout is None else timeout) if deadline else None

    async def handler(message: UserMessage) -> Any:
        if not (message.text or "").strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_MESSAGE)
            return None
        counter = CountingOutputChannel(message.output_channel)
        message.output_channel = counter
        failed = False
        task = asyncio.ensure_future(on_new_message(message))
        try:
            done, _ = await asyncio.wait({task}, timeout=limit)
            if not done:
                failed = True
                logger.error("turn still running after %.0f s: answered with the 211 message", limit or 0)
                _background.add(task)
                task.add_done_callback(_ended_late)
                return None
            return task.result()
        except asyncio.CancelledError:
            task.cancel()
            raise
        except Exception as exc:
            failed = True
            log_failure("turn failed", exc)
        finally:
            if counter.sent == 0:
                # Rasa's own restart says nothing; every other silent turn is a failure.
                restarted = not failed and (message.text or "").strip() == "/restart"
                text = RESTARTED if restarted else TECHNICAL_PROBLEM
                counter.sent += 1  # a late answer of a timed-out turn still counts as said
                try:
                    await counter.inner.send_text_message(message.sender_id, text)
                except Exception as exc:
                    log_failure("could not send the fallback message", exc)

    return handler


def _ended_late(task: asyncio.Future) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log_failure("late turn failed", task.exception())
