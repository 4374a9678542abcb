"""action_opening_hours: "c'est-tu ouvert?" about the services just shown.

Asked first ("le frigo d'Amqui est-tu ouvert?"), the need named in the
message gives the services whose hours to tell.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import answers
from .context import current_place, now, run_search, wanted_category
from .fallback import named_need
from .find_services import dispatch

logger = logging.getLogger(__name__)


class ActionOpeningHours(Action):
    def name(self) -> str:
        return "action_opening_hours"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = wanted_category(tracker) or named_need(tracker)
            decision = current_place(tracker)
            if not category or decision.status != "found":
                dispatch(dispatcher, answers.hours_messages([], now()))
                return []
            when = now()
            outcome, _ = run_search(category, decision.place, when)
            shown = set(tracker.get_slot("shown_services") or [])
            local = [r for r in outcome.results if r.scope != "region"]
            results = [r for r in local if r.id in shown] or local[: answers.RESULTS_PER_ANSWER]
            dispatch(dispatcher, answers.hours_messages(results, when))
            return []
        except Exception:
            logger.exception("action_opening_hours failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []
