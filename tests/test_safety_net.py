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
