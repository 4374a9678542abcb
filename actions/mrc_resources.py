"""action_mrc_resources: "toutes les ressources de ma MRC".

The MRC's own services (those serving the MRC or one of its municipalities;
region-wide lines left out), grouped by category in the taxonomy's order,
then the MRC's campaign. A municipality counts for its whole MRC.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from directory.db import open_session
from directory.formatting import mrc_display
from directory.gazetteer import Place
from directory.models import Category
from directory.search import ServiceResult, search

from . import answers
from .answers import Message
from .context import active_campaign, current_place, is_sms, now
from .find_services import dispatch
from .place import place_ref

logger = logging.getLogger(__name__)

MRC_RESOURCES = "ressources-mrc"
PER_CATEGORY = 3
PER_CATEGORY_SMS = 1


def group_by_category(
    results: list[ServiceResult], categories: list[tuple[str, str]]
) -> list[tuple[str, list[ServiceResult]]]:
    """(label, services) per category, in the order of `categories` (id, label).

    A service is listed once, under the first of its categories in that
    order; region-wide services are left out (they are not the MRC's own).
    """
    order = {cat_id: i for i, (cat_id, _) in enumerate(categories)}
    groups: dict[str, list[ServiceResult]] = {}
    for result in results:
        if result.scope == "region":
            continue
        known = sorted((c for c in result.categories if c in order), key=order.get)
        if known:
            groups.setdefault(known[0], []).append(result)
    return [(label, groups[cat_id]) for cat_id, label in categories if cat_id in groups]


def _short(result: ServiceResult) -> str:
    contact = result.phones[0].display if result.phones else (result.url or "")
    return f"{result.name} ({contact})" if contact else result.name


def resources_messages(
    mrc: Place, groups: list[tuple[str, list[ServiceResult]]], campaign: str | None, compact: bool = False
) -> list[Message]:
    name = mrc_display(mrc.mrc_name) if mrc.mrc_name else "votre MRC"
    if not groups:
        return [Message(f"Je n'ai pas encore de services de la {name} dans mon répertoire. "
                        "Le 211 connaît les ressources de votre coin : composez le 2-1-1, c'est gratuit.")]
    total = sum(len(services) for _, services in groups)
    messages = [Message(f"Les ressources de la {name} ({total} services), par besoin :")]
    limit = PER_CATEGORY_SMS if compact else PER_CATEGORY
    lines = []
    for label, services in groups:
        shown = "; ".join(_short(r) for r in services[:limit])
        more = f" et {len(services) - limit} autre(s)" if len(services) > limit else ""
        lines.append(f"• {label} : {shown}{more}")
    messages.append(Message("\n".join(lines)))
    if campaign:
        messages.append(Message(campaign))
    messages.append(Message("Pour le détail d'un besoin, écrivez-le-moi (par exemple « aide alimentaire »). "
                            "Le 211 peut aussi vous orienter."))
    return messages


def mrc_of(place: Place) -> Place:
    return Place(kind="mrc", mrc_id=place.mrc_id, mrc_name=place.mrc_name)


def answer_mrc_resources(dispatcher: CollectingDispatcher, tracker: Tracker, compact: bool) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [SlotSet("need", MRC_RESOURCES)]
    decision = current_place(tracker)
    if decision.status != "found" or decision.place is None or not decision.place.mrc_id:
        dispatch(dispatcher, [Message("Dans quelle MRC ou quelle municipalité habitez-vous? "
                                      "Je vous donne toutes les ressources de votre MRC.")])
        return events
    mrc = mrc_of(decision.place)
    when = now()
    with open_session() as session:
        categories = [
            (row.id, row.label)
            for row in session.execute(
                select(Category.id, Category.label).where(Category.resident_facing.is_(True)).order_by(Category.position)
            )
        ]
        outcome = search(session, None, mrc, now=when, limit=500)
        campaign = active_campaign(session, mrc.mrc_id, when.date())
    dispatch(dispatcher, resources_messages(mrc, group_by_category(outcome.results, categories), campaign, compact))
    return events + [SlotSet("place_ref", place_ref(decision.place))]


class ActionMrcResources(Action):
    def name(self) -> str:
        return "action_mrc_resources"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        try:
            return answer_mrc_resources(dispatcher, tracker, compact=is_sms(tracker))
        except Exception:
            logger.exception("action_mrc_resources failed")
            dispatcher.utter_message(text=answers.ERROR_MESSAGE)
            return []
