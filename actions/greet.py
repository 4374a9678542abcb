"""action_greet and action_for_someone_else: reply, and keep a place said in passing.

"bonjour, chu a matane" greets AND tells where the resident lives; the next
need ("un frigo?") must then be answered for Matane without asking again.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .context import latest_text
from .place import place_ref

logger = logging.getLogger(__name__)


def place_said(tracker: Tracker):
    """A place of the region named in this message, or None."""
    from directory.gazetteer import default_gazetteer

    resolution = default_gazetteer().find_in_text(latest_text(tracker))
    if resolution.status == "found" and resolution.place is not None and resolution.place.kind != "region":
        return resolution.place
    return None


def acknowledge(dispatcher: CollectingDispatcher, tracker: Tracker, without_place: str, with_place: str) -> list[dict[str, Any]]:
    try:
        place = place_said(tracker)
    except Exception:
        logger.exception("place lookup failed")
        place = None
    if place is None:
        dispatcher.utter_message(text=without_place)
        return []
    dispatcher.utter_message(text=with_place.format(place=answers.place_label(place)))
    return [SlotSet("place_ref", place_ref(place))]


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        return acknowledge(dispatcher, tracker, answers.GREETING, answers.GREETING_WITH_PLACE)


class ActionForSomeoneElse(Action):
    def name(self) -> str:
        return "action_for_someone_else"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        return acknowledge(dispatcher, tracker, answers.FOR_SOMEONE_ELSE, answers.FOR_SOMEONE_ELSE_WITH_PLACE)
