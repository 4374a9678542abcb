"""action_crisis_violence: after the SOS violence conjugale line, the local shelter.

The rule answers utter_crisis_violence first (no database involved, so the
line is always given); this action then adds the shelters of the `violence`
category that serve the resident's place, when the place is known.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from directory import crisis_levels
from directory.search import ServiceResult

from .answers import Message, place_short
from .context import current_place, log_need, now, run_search
from .find_services import dispatch

logger = logging.getLogger(__name__)

VIOLENCE_CATEGORY = "violence"
ASK_PLACE = Message(
    "Si vous me dites votre municipalité, je vous donne aussi la maison d'hébergement de votre coin. "
    "Vous pouvez effacer cette conversation après."
)


def shelter_messages(results: list[ServiceResult], where: str) -> list[Message]:
    """The local violence services (at most two), each with its phone or the 211."""
    local = [r for r in results if r.scope != "region"][:2]
    if not local:
        return []
    lines = [f"Près de vous ({where}) :"]
    for result in local:
        contact = result.phones[0].display if result.phones else (result.url or "le 211 vous donnera le numéro")
        lines.append(f"{result.name} : {contact}")
    return [Message("\n".join(lines))]


class ActionCrisisViolence(Action):
    def name(self) -> str:
        return "action_crisis_violence"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            decision = current_place(tracker)
            # Counts only (no category): the dashboard's "situations de crise".
            log_need(None, decision.place.mrc_id if decision.status == "found" and decision.place else None, 0,
                     tracker.get_latest_input_channel(), kind="crisis", crisis_level=crisis_levels.VIOLENCE)
            if decision.status != "found" or decision.place is None or decision.place.kind == "region":
                dispatch(dispatcher, [ASK_PLACE])
                return []
            outcome, _ = run_search(VIOLENCE_CATEGORY, decision.place, now())
            dispatch(dispatcher, shelter_messages(outcome.results + outcome.nearby, place_short(decision.place)))
        except Exception:  # the SOS line has already been given
            logger.exception("action_crisis_violence failed")
        return []
