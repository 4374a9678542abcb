"""action_find_services: answer "need X at place Y" from the directory."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.gazetteer import default_gazetteer

from . import answers, english
from .answer_model import Answer
from .context import current_place, is_sms, latest_intent, latest_text, log_need, normal_pending, now, run_search, wanted_category
from .place import FROM_MEMORY, place_ref
from .relatives import apply_relative_place
from .several_needs import offer_messages, pending_needs

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
            category = wanted_category(tracker)
            if category == "ressources-mrc":  # the whole MRC, by category (issue 14)
                from .mrc_resources import answer_mrc_resources

                return answer_mrc_resources(dispatcher, tracker, compact=is_sms(tracker))
            return answer_need(dispatcher, tracker, category)
        except Exception:
            logger.exception("action_find_services failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []


def answer_need(dispatcher: CollectingDispatcher, tracker: Tracker, category: str | None) -> list[dict[str, Any]]:
    """The whole "need X at place Y" turn, for a need already known (or None)."""
    # issue 14: a relative's place wins over the resident's; other needs named are offered after.
    decision, place_events = apply_relative_place(latest_text(tracker), current_place(tracker), default_gazetteer())
    others = pending_needs(latest_text(tracker), latest_intent(tracker), category, tracker.get_slot("other_needs"))
    events: list[dict[str, Any]] = [SlotSet("need", category)] if category else []
    events += place_events + ([SlotSet("other_needs", others)] if others else [])

    in_english = tracker.get_slot("language") == english.ENGLISH  # issue 14
    if decision.status == "missing":
        if category:
            ask = english.ask_place_message_en(category) if in_english else answers.ask_place_message(category, None)
            dispatch(dispatcher, [ask])
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
        log_need(category, None, 0, tracker.get_latest_input_channel(), kind="outside")
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
    if in_english:
        # English stays plain text for now (actions/english.py): no structured answer yet.
        dispatch(dispatcher, english.results_messages_en(outcome, when, compact=is_sms(tracker), campaign=campaign))
        shown = [r.id for r in answers.listing(outcome)][: answers.RESULTS_PER_ANSWER]
        events.append(SlotSet("shown_services", shown))
    else:
        answer = answers.results_answer(outcome, when, campaign=campaign, remembered=decision.origin == FROM_MEMORY,
                                        normal=normal_pending(tracker))
        events += send_answer(dispatcher, answer)
        if not answer.services:
            events.append(SlotSet("shown_services", []))
    dispatch(dispatcher, offer_messages(others))
    log_need(category, place.mrc_id, outcome.local_count, tracker.get_latest_input_channel())
    events += [SlotSet("result_offset", 0.0), SlotSet("other_needs", [])]
    return events
