"""The channels' safety net: no turn ends in silence."""
import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.safety import never_silent
from bot.messages import EMPTY_MESSAGE, RESTARTED, TECHNICAL_PROBLEM


def turn(handler, text):
    output = CollectingOutputChannel()
    asyncio.run(never_silent(handler)(UserMessage(text, output, "s")))
    return [m["text"] for m in output.messages]


async def silent(_message):
    return None


async def raises(_message):
    raise RuntimeError("action server unreachable")


async def answers(message):
    await message.output_channel.send_text_message(message.sender_id, "Voici")


def test_silent_turn_gets_211():
    assert turn(silent, "bouffe a matane") == [TECHNICAL_PROBLEM]
    assert "211" in TECHNICAL_PROBLEM


def test_failing_turn_gets_211_even_for_restart():
    assert turn(raises, "bouffe") == [TECHNICAL_PROBLEM]
    assert turn(raises, "/restart") == [TECHNICAL_PROBLEM]


def test_restart_is_confirmed_and_empty_text_explained():
    assert turn(silent, "/restart") == [RESTARTED]
    assert turn(silent, "   ") == [EMPTY_MESSAGE]


def test_normal_turn_untouched():
    assert turn(answers, "bonjour") == ["Voici"]


# --- A hung turn, and what failures write to the log ---------------------------------------------

import logging  # noqa: E402
import time  # noqa: E402


def test_hung_turn_gets_211_at_the_deadline():
    async def hangs(_message):
        await asyncio.sleep(30)

    output = CollectingOutputChannel()
    started = time.monotonic()

    async def scenario():
        await never_silent(hangs, timeout=0.3)(UserMessage("bouffe a matane", output, "s"))

    asyncio.run(scenario())
    assert time.monotonic() - started < 2
    assert [m["text"] for m in output.messages] == [TECHNICAL_PROBLEM]


def test_sms_keeps_its_own_deadline():
    async def slow(message):
        await asyncio.sleep(0.3)
        await message.output_channel.send_text_message(message.sender_id, "Voici")

    output = CollectingOutputChannel()
    asyncio.run(never_silent(slow, timeout=0.05, deadline=False)(UserMessage("bouffe", output, "s")))
    assert [m["text"] for m in output.messages] == ["Voici"]


def test_failure_log_has_no_exception_message(caplog):
    secret = "mon-texte-prive-8812"

    async def database_error(_message):
        # What SQLAlchemy raises: the message quotes the statement's parameters.
        raise RuntimeError(f"(sqlite3.OperationalError) attempt to write a readonly database [parameters: ('{secret}',)]")

    with caplog.at_level(logging.DEBUG):
        assert turn(database_error, secret) == [TECHNICAL_PROBLEM]
    assert any(r.levelno == logging.ERROR and "RuntimeError" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert not record.exc_info
