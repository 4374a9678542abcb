"""action_more_results: the next page of the last search ("PLUS", "en as-tu d'autres?"),
or the details of one listed service ("2" after a list: the channels send the
`result_number` entity, see actions.answer_model.DETAILS_PAYLOAD).

Where the resident is in the list lives in the tracker's slots (`need`,
`place_ref`, `result_offset`), so PLUS continues where it stopped even after
a restart of Rasa or on another instance.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.gazetteer import default_gazetteer

from . import answers
from .context import normal_pending, now, run_search
from .find_services import dispatch, send_answer
from .place import place_from_ref

logger = logging.getLogger(__name__)


def result_number(tracker: Tracker) -> int | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "result_number":
            try:
                return int(str(entity.get("value")).strip())
            except ValueError:
                return None
    return None


class ActionMoreResults(Action):
    def name(self) -> str:
        return "action_more_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = tracker.get_slot("need")
            place = place_from_ref(tracker.get_slot("place_ref"), default_gazetteer())
            number = result_number(tracker)
            if not category or place is None:
                if number is not None:
                    dispatch(dispatcher, [answers.no_such_result_message(number, 0)])
                else:
                    dispatcher.utter_message(response="utter_ask_help")
                return []
            when = now()
            outcome, _ = run_search(category, place, when)
            if number is not None:
                answer = answers.details_answer(outcome, number, when)
                if answer is None:
                    dispatch(dispatcher, [answers.no_such_result_message(number, len(answers.listing(outcome)))])
                    return []
                return send_answer(dispatcher, answer)
            offset = int(tracker.get_slot("result_offset") or 0) + answers.RESULTS_PER_ANSWER
            # Past the end, the offset stays at the end: PLUS again says the list is over, never restarts it.
            offset = min(offset, max(len(answers.listing(outcome)), answers.RESULTS_PER_ANSWER))
            answer = answers.results_answer(outcome, when, offset=offset, normal=normal_pending(tracker))
            return [SlotSet("result_offset", float(offset))] + send_answer(dispatcher, answer)
        except Exception:
            logger.exception("action_more_results failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []
