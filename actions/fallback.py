"""action_fallback: when the classifier is unsure, try the directory's own words before offering the menu.

The categories' French synonyms (which staff can extend in the admin) are an
exact, explainable second chance: "<b>bouffe</b> à Trois-Pistoles" names
"bouffe" even if the markup confused the classifier. Only an exact synonym
counts; anything vaguer gets the category buttons, never a guess.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from directory.db import open_session
from directory.search import need_matcher

from . import answers
from .context import latest_text, log_need
from .find_services import answer_need, dispatch

logger = logging.getLogger(__name__)

EXACT = 100.0  # NeedMatcher scores exact phrases at 100 + words; typos score below


def exact_need(text: str) -> str | None:
    with open_session() as session:
        matcher = need_matcher(session)
    matches = [m for m in matcher.match(text) if m.score >= EXACT]
    if not matches or (len(matches) > 1 and matches[0].score == matches[1].score):
        return None  # nothing, or two needs as likely: ask instead
    return matches[0].category_id


def named_need(tracker: Tracker) -> str | None:
    """The category this turn's text names in the directory's exact words (the second chance of
    action_help, action_for_someone_else, and follow-ups or hours asked before any result)."""
    return exact_need(latest_text(tracker))


def names_a_place(text: str) -> bool:
    from directory.gazetteer import default_gazetteer

    return default_gazetteer().find_in_text(text).status != "unknown"


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            text = latest_text(tracker)
            category = exact_need(text)
            if category:
                return answer_need(dispatcher, tracker, category)
            if names_a_place(text):
                # "et à Matane?": the place is certain (gazetteer); the need is the remembered one.
                return answer_need(dispatcher, tracker, tracker.get_slot("need"))
        except Exception:
            logger.exception("action_fallback failed")
        dispatch(dispatcher, [answers.FALLBACK])
        log_need(None, None, 0, tracker.get_latest_input_channel(), kind="fallback")
        return []
