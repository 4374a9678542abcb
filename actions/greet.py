"""action_greet and action_for_someone_else: reply, and keep a place said in passing.

"bonjour, chu a matane" greets AND tells where the resident lives; the next
need ("un frigo?") must then be answered for Matane without asking again.
A message for a relative that names a need in the directory's own words
("mon père à Amqui aurait besoin de repas") is answered as that need.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .context import greeted_by_channel, latest_text, normal_pending
from .fallback import named_need
from .find_services import answer_need
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
    text = without_place if place is None else with_place.format(place=answers.place_label(place))
    events: list[dict[str, Any]] = [] if place is None else [SlotSet("place_ref", place_ref(place))]
    if answers.NORMAL in text:
        # "Demander de l'aide, c'est normal." is said once per conversation.
        if normal_pending(tracker):
            events.append(SlotSet("normal_said", True))
        else:
            text = text.replace(" " + answers.NORMAL, "").replace(answers.NORMAL, "").strip()
    dispatcher.utter_message(text=text)
    return events


def already_greeted(tracker: Tracker) -> bool:
    return any(e.get("event") == "bot" for e in tracker.events or [])


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        if greeted_by_channel(tracker) or already_greeted(tracker):
            # The widget (or Phare, earlier) already introduced Phare: no second introduction.
            return acknowledge(dispatcher, tracker, answers.GREETING_AGAIN, answers.GREETING_AGAIN_WITH_PLACE)
        return acknowledge(dispatcher, tracker, answers.GREETING, answers.GREETING_WITH_PLACE)


class ActionForSomeoneElse(Action):
    def name(self) -> str:
        return "action_for_someone_else"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = named_need(tracker)
        except Exception:
            logger.exception("need lookup failed")
            category = None
        if category:
            return answer_need(dispatcher, tracker, category)
        return acknowledge(dispatcher, tracker, answers.FOR_SOMEONE_ELSE, answers.FOR_SOMEONE_ELSE_WITH_PLACE)
