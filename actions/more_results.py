"""action_more_results: the next page of the last search ("PLUS", "en as-tu d'autres?")."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.gazetteer import default_gazetteer

from . import answers
from .context import is_sms, now, run_search
from .find_services import dispatch
from .place import place_from_ref

logger = logging.getLogger(__name__)


class ActionMoreResults(Action):
    def name(self) -> str:
        return "action_more_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = tracker.get_slot("need")
            place = place_from_ref(tracker.get_slot("place_ref"), default_gazetteer())
            if not category or place is None:
                dispatcher.utter_message(response="utter_ask_help")
                return []
            offset = int(tracker.get_slot("result_offset") or 0) + answers.RESULTS_PER_ANSWER
            when = now()
            outcome, _ = run_search(category, place, when)
            dispatch(dispatcher, answers.results_messages(outcome, when, offset=offset, compact=is_sms(tracker)))
            local = [r.id for r in outcome.results if r.scope != "region"]
            return [
                SlotSet("result_offset", float(offset)),
                SlotSet("shown_services", local[offset: offset + answers.RESULTS_PER_ANSWER]),
            ]
        except Exception:
            logger.exception("action_more_results failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []
