"""What the actions read from a turn and from the directory (I/O edge)."""
from __future__ import annotations

import datetime as dt
import logging

from rasa_sdk import Tracker
from sqlalchemy import or_, select

from directory.db import open_session
from directory.gazetteer import default_gazetteer
from directory.models import Campaign, NeedLog
from directory.search import TZ, SearchOutcome, search

from .answers import INTENT_TO_CATEGORY
from .place import PlaceDecision, decide_place

logger = logging.getLogger(__name__)

SMS_CHANNEL = "sms"


def now() -> dt.datetime:
    return dt.datetime.now(TZ)


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_metadata(tracker: Tracker) -> dict:
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def is_sms(tracker: Tracker) -> bool:
    return tracker.get_latest_input_channel() == SMS_CHANNEL or latest_metadata(tracker).get("channel") == SMS_CHANNEL


def normal_pending(tracker: Tracker) -> bool:
    """Whether "Demander de l'aide, c'est normal." is still to be said in this conversation.

    Said at most once: the slot `normal_said` remembers it (in the tracker
    store, so a restart keeps it); the web widget's own greeting says it and
    tells so with `metadata.normal_said`.
    """
    return not (tracker.get_slot("normal_said") or latest_metadata(tracker).get("normal_said"))


def greeted_by_channel(tracker: Tracker) -> bool:
    """The web widget shows its own greeting (metadata `greeted`): Phare does not introduce itself twice."""
    return bool(latest_metadata(tracker).get("greeted"))


def wanted_category(tracker: Tracker) -> str | None:
    """The need of this turn, or the one remembered from earlier turns."""
    return INTENT_TO_CATEGORY.get(latest_intent(tracker) or "") or tracker.get_slot("need")


def current_place(tracker: Tracker) -> PlaceDecision:
    site_mrc = latest_metadata(tracker).get("mrc")
    return decide_place(
        latest_text(tracker),
        list((tracker.latest_message or {}).get("entities") or []),
        tracker.get_slot("place_ref"),
        site_mrc if isinstance(site_mrc, str) else None,
        default_gazetteer(),
    )


def run_search(category_id: str, place, when: dt.datetime, limit: int = 30) -> tuple[SearchOutcome, str | None]:
    """Search and the campaign of the place's MRC, in one session."""
    with open_session() as session:
        outcome = search(session, category_id, place, now=when, limit=limit)
        campaign = active_campaign(session, place.mrc_id, when.date()) if place.mrc_id else None
    return outcome, campaign


def active_campaign(session, mrc_id: str, today: dt.date) -> str | None:
    stmt = select(Campaign.text).where(
        Campaign.mrc_id == mrc_id,
        or_(Campaign.starts_on.is_(None), Campaign.starts_on <= today),
        or_(Campaign.ends_on.is_(None), Campaign.ends_on >= today),
    ).order_by(Campaign.starts_on.desc())
    return session.execute(stmt).scalars().first()


def log_need(category_id: str | None, mrc_id: str | None, result_count: int, channel: str | None,
             kind: str = "search", crisis_level: str | None = None) -> None:
    """Anonymous count for the Alliance: never a text, a number or a sender id (kinds: see NeedLog.kind)."""
    try:
        with open_session() as session:
            session.add(NeedLog(day=now().date(), category_id=category_id, mrc_id=mrc_id,
                                result_count=result_count, channel=(channel or "")[:20], kind=kind,
                                crisis_level=crisis_level))
            session.commit()
    except Exception:  # statistics must never break an answer
        logger.exception("need log write failed")

