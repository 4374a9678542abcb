"""action_help: "j'ai besoin d'aide…" — answered directly when the message also names a need."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from .fallback import named_need
from .find_services import answer_need

logger = logging.getLogger(__name__)


class ActionHelp(Action):
    def name(self) -> str:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = named_need(tracker)
            if category:
                return answer_need(dispatcher, tracker, category)
        except Exception:
            logger.exception("action_help failed")
        dispatcher.utter_message(response="utter_ask_help")
        return []
