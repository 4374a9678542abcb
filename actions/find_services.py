"""action_find_services: answer "need X at place Y" from the directory."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .answer_model import Answer
from .context import current_place, log_need, normal_pending, now, run_search, wanted_category
from .place import FROM_MEMORY, place_ref

logger = logging.getLogger(__name__)


def dispatch(dispatcher: CollectingDispatcher, messages: list[answers.Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**message.as_dispatch())


def send_answer(dispatcher: CollectingDispatcher, answer: Answer) -> list[dict[str, Any]]:
    """Dispatch one structured answer (custom payload + plain text); the slots it changes.

    `shown_services`: the ids of the services this answer shows, in order
    (docs/CONTRACTS.md: follow-up actions answer about "the services just shown").
    """
    dispatch(dispatcher, [answers.answer_message(answer)])
    events: list[dict[str, Any]] = []
    if answer.services:
        events.append(SlotSet("shown_services", [card.id for card in answer.services]))
    if answer.normal:
        events.append(SlotSet("normal_said", True))
    return events


class ActionFindServices(Action):
    def name(self) -> str:
        return "action_find_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            return answer_need(dispatcher, tracker, wanted_category(tracker))
        except Exception:
            logger.exception("action_find_services failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []


def answer_need(dispatcher: CollectingDispatcher, tracker: Tracker, category: str | None) -> list[dict[str, Any]]:
    """The whole "need X at place Y" turn, for a need already known (or None)."""
    decision = current_place(tracker)
    events: list[dict[str, Any]] = [SlotSet("need", category)] if category else []

    if decision.status == "missing":
        if category:
            dispatch(dispatcher, [answers.ask_place_message(category, None)])
        else:
            dispatcher.utter_message(response="utter_ask_help")
        return events
    if decision.status == "ambiguous":
        dispatch(dispatcher, [answers.ambiguous_place_message(decision.candidates)])
        return events
    if decision.status == "need_full_postal_code":
        dispatch(dispatcher, [answers.full_postal_code_message(decision.postal_code, decision.candidates)])
        return events
    if decision.status == "outside":
        dispatch(dispatcher, [answers.outside_message(decision.outside_name)])
        return events

    place = decision.place
    if place.kind == "region":
        dispatch(dispatcher, [answers.region_place_message()])
        return events
    events.append(SlotSet("place_ref", place_ref(place)))
    if not category:
        dispatch(dispatcher, [answers.place_noted_message(place)])
        dispatcher.utter_message(response="utter_ask_help")
        return events

    when = now()
    outcome, campaign = run_search(category, place, when)
    answer = answers.results_answer(outcome, when, campaign=campaign, remembered=decision.origin == FROM_MEMORY,
                                    normal=normal_pending(tracker))
    events += send_answer(dispatcher, answer)
    if not answer.services:
        events.append(SlotSet("shown_services", []))
    log_need(category, place.mrc_id, outcome.local_count, tracker.get_latest_input_channel())
    events.append(SlotSet("result_offset", 0.0))
    return events
