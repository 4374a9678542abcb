"""action_language ("do you speak English?") and action_other_language (211 interpreters)."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.text import fold

from . import english
from .context import latest_text
from .find_services import dispatch

_ASKED = (
    (re.compile(r"\b(?:english|anglais|anglai|inglés|ingles)\b"), "en"),
    (re.compile(r"\b(?:espanol|espagnol|spanish)\b"), "es"),
)


def language_asked(text: str) -> str | None:
    """The language a resident asks for ("parles-tu anglais?" -> "en"), or None."""
    folded = fold(text)
    for pattern, language in _ASKED:
        if pattern.search(folded):
            return language
    return None


def detected(tracker: Tracker) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "language":
            return entity.get("value")
    return None


class ActionLanguage(Action):
    def name(self) -> str:
        return "action_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        asked = language_asked(latest_text(tracker)) or detected(tracker) or "en"
        if asked == "en":
            dispatch(dispatcher, [english.SPEAK_ENGLISH])
            return [SlotSet("language", "en")]
        dispatch(dispatcher, [english.interpreters_message(asked)])
        return []


class ActionOtherLanguage(Action):
    def name(self) -> str:
        return "action_other_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        dispatch(dispatcher, [english.interpreters_message(detected(tracker))])
        return []
