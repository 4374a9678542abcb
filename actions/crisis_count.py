"""Counting actions after the fixed crisis answers: suicidal distress, medical emergency, Info-Santé 811.

The rules give these lines with a fixed response (utter_crisis_*), which
needs neither this server nor the database, so the line always goes out
first. The action that follows adds one anonymous need-log row (kind
"crisis", its level, the MRC when known, the channel) so the Alliance's
dashboard counts every crisis; it never stores the message and never sends
anything to the resident. Violence is counted by action_crisis_violence,
which also gives the local shelter.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from directory import crisis_levels

from .context import current_place, log_need

logger = logging.getLogger(__name__)


def crisis_mrc(tracker: Tracker) -> str | None:
    """The MRC of the resident's place when Phare knows it (the level of detail of every need-log row)."""
    decision = current_place(tracker)
    return decision.place.mrc_id if decision.status == "found" and decision.place else None


def count_crisis(tracker: Tracker, level: str) -> None:
    try:
        log_need(None, crisis_mrc(tracker), 0, tracker.get_latest_input_channel(), kind="crisis",
                 crisis_level=level)
    except Exception:  # the crisis line has already been given; a count must never break the turn
        logger.exception("crisis count failed")


class ActionCountCrisisSuicide(Action):
    def name(self) -> str:
        return "action_count_crisis_suicide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        count_crisis(tracker, crisis_levels.SUICIDE)
        return []


class ActionCountCrisisMedical(Action):
    def name(self) -> str:
        return "action_count_crisis_medical"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        count_crisis(tracker, crisis_levels.MEDICAL)
        return []


class ActionCountCrisisHealth(Action):
    def name(self) -> str:
        return "action_count_crisis_health"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        count_crisis(tracker, crisis_levels.HEALTH)
        return []
