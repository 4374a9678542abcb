"""A safety net around Rasa's message handler: no turn ends in silence.

If the action server is down, an action fails, or the turn raises, Rasa
itself sends nothing; this wrapper notices that no bot message went out and
sends a short French message with 211 instead.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.messages import EMPTY_MESSAGE, RESTARTED, TECHNICAL_PROBLEM

logger = logging.getLogger(__name__)


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


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handler(message: UserMessage) -> Any:
        if not (message.text or "").strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_MESSAGE)
            return None
        counter = CountingOutputChannel(message.output_channel)
        message.output_channel = counter
        failed = False
        try:
            return await on_new_message(message)
        except Exception:
            failed = True
            # The message text is deliberately not logged (privacy).
            logger.exception("turn failed")
        finally:
            if counter.sent == 0:
                # Rasa's own restart says nothing; every other silent turn is a failure.
                restarted = not failed and (message.text or "").strip() == "/restart"
                text = RESTARTED if restarted else TECHNICAL_PROBLEM
                try:
                    await counter.inner.send_text_message(message.sender_id, text)
                except Exception:
                    logger.exception("could not send the fallback message")

    return handler
