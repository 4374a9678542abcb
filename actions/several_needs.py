"""Several needs in one message: answer the first, name and offer the others.

"J'ai pu rien à manger pis je me cherche un transport pour l'hôpital": the
classifier gives one intent; the directory's category synonyms
(`directory.needs.NeedMatcher`) find the other needs named in the text. Only
exact synonyms count (no fuzzy guess), and only needs Phare can search.
The offer is a button per need (the SMS channel numbers buttons).
"""
from __future__ import annotations

from directory.needs import NeedMatcher
from directory.text import fold

from .answers import INTENT_TO_CATEGORY, Message, need_phrase

# Exact synonym matches score 100 + the phrase's word count (directory.needs).
EXACT = 100.0


def category_intents() -> dict[str, str]:
    """Category -> intent for the needs Phare can search on request (crisis intents are never offered)."""
    return {category: intent for intent, category in INTENT_TO_CATEGORY.items() if intent.startswith("need_")}


def other_needs(text: str, primary: str | None, matcher: NeedMatcher) -> list[str]:
    """Category ids named in `text` besides `primary`, in the order they are written."""
    offerable = category_intents()
    folded = f" {fold(text)} "
    matches = matcher.match(text)
    primary_phrases = [m.matched for m in matches if m.category_id == primary]
    found = []
    for match in matches:
        if match.score < EXACT or match.category_id == primary or match.category_id not in offerable:
            continue
        if match.category_id == "ressources-mrc":
            continue
        # a word inside the primary need's own phrase ("épicerie" in "livraison d'épicerie")
        if any(f" {match.matched} " in f" {phrase} " for phrase in primary_phrases):
            continue
        position = folded.find(f" {match.matched} ")
        found.append((position if position >= 0 else len(folded), match.category_id))
    return [category for _, category in sorted(found)]


def offer_messages(categories: list[str]) -> list[Message]:
    """ "Vous avez aussi parlé de …": one button per other need."""
    if not categories:
        return []
    intents = category_intents()
    phrases = [need_phrase(c) for c in categories]
    named = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " et " + phrases[-1]
    buttons = tuple((need_phrase(c)[:1].upper() + need_phrase(c)[1:], f"/{intents[c]}") for c in categories)
    return [Message(f"Vous m'avez aussi parlé de {named}. Voulez-vous que je cherche aussi?", buttons)]


def pending_needs(text: str, intent: str | None, category: str | None, remembered: list | None) -> list[str]:
    """The other needs to offer this turn: named in this message, else those remembered.

    Reads the category synonyms from the directory (I/O); never raises.
    """
    if intent in INTENT_TO_CATEGORY and text and not text.startswith("/"):
        try:
            from directory.db import open_session
            from directory.search import need_matcher

            with open_session() as session:
                matcher = need_matcher(session)
            return other_needs(text, category, matcher)
        except Exception:  # an offer must never break the answer
            return []
    return [c for c in (remembered or []) if isinstance(c, str) and c != category]
