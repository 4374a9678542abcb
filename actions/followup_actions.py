"""Follow-up questions about the services just shown: where, phone, "not useful".

One action per class; the wording is in actions/followups.py. Opening hours
("c'est ouvert quand?") is action_opening_hours, another one is
action_more_results. A first message that reads like a follow-up but names
a need ("le frigo du village c'est où?") gets that need's services, which
carry the address and the phone, rather than "nothing shown yet".
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import answers, followups
from .fallback import named_need
from .find_services import answer_need, dispatch
from .shown import shown_services

logger = logging.getLogger(__name__)


def need_named_first(tracker: Tracker) -> str | None:
    """The category named by a follow-up that comes before any service was shown."""
    if shown_services(tracker):
        return None
    return named_need(tracker)


class ActionFollowupWhere(Action):
    def name(self) -> str:
        return "action_followup_where"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = need_named_first(tracker)
            if category:
                return answer_need(dispatcher, tracker, category)
            dispatch(dispatcher, followups.where_messages(shown_services(tracker)))
        except Exception:
            logger.exception("action_followup_where failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
        return []


class ActionFollowupPhone(Action):
    def name(self) -> str:
        return "action_followup_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            category = need_named_first(tracker)
            if category:
                return answer_need(dispatcher, tracker, category)
            dispatch(dispatcher, followups.phone_messages(shown_services(tracker)))
        except Exception:
            logger.exception("action_followup_phone failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
        return []


class ActionFollowupNotUseful(Action):
    def name(self) -> str:
        return "action_followup_not_useful"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatch(dispatcher, followups.not_useful_messages())
        return []
