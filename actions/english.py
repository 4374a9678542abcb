"""English wording for residents who write in English (slot `language` = "en").

Pure functions beside actions/answers.py's French ones; service names,
descriptions and hours stay as the directory has them (in French). The lead
will fold these into the structured answer model at merge time.
"""
from __future__ import annotations

import datetime as dt

from directory.categories import category
from directory.formatting import mrc_display
from directory.gazetteer import Place
from directory.search import SearchOutcome

from .answers import RESULTS_PER_ANSWER, Message, service_text

ENGLISH = "en"

LINE_211 = "211 (free and confidential) can also help you: dial 2-1-1."
NORMAL = "Asking for help is normal."
SPEAK_ENGLISH = Message(
    "Yes, I can answer in English. Tell me what you need (food, a community fridge, someone to talk to, "
    "a place to sleep…) and your town. Service names and details stay in French. "
    "You can also call 211: they answer in English and offer interpreters."
)


def need_phrase_en(category_id: str | None) -> str:
    info = category(category_id)
    return (info.phrase_en if info else None) or "this need"


def place_short_en(place: Place) -> str:
    if place.kind == "municipality":
        return f"in {place.municipality_name}"
    if place.kind == "mrc" and place.mrc_name:
        return f"in the {mrc_display(place.mrc_name)}"
    return "in Bas-Saint-Laurent"


def ask_place_message_en(category_id: str | None) -> Message:
    return Message(f"Sure, I'm looking for {need_phrase_en(category_id)}. Which town do you live in? (or your postal code)")


def results_messages_en(
    outcome: SearchOutcome, now: dt.datetime, compact: bool = False, campaign: str | None = None
) -> list[Message]:
    """The English answer to "need X at place Y" (service details as in the directory)."""
    what, where = need_phrase_en(outcome.need), place_short_en(outcome.place)
    local = [r for r in outcome.results if r.scope != "region"]
    regional = [r for r in outcome.results if r.scope == "region" and r.priority < 90]
    messages: list[Message] = []
    if local:
        messages.append(Message(f"Here is what I found for {what} {where} (details in French):"))
        for i, result in enumerate(local[:RESULTS_PER_ANSWER], start=1):
            messages.append(Message(service_text(result, now, i, compact)))
        if len(local) > RESULTS_PER_ANSWER:
            messages.append(Message("Reply MORE for the next ones." if compact else "I have more.",
                                    () if compact else (("Show more", "/more_results"),)))
    else:
        messages.append(Message(f"I found no service for {what} {where} in my directory."))
        for result in (outcome.nearby[:2] or regional[:1]):
            messages.append(Message(service_text(result, now, None, compact)))
    if campaign:
        messages.append(Message(campaign))
    messages.append(Message(f"{NORMAL} {LINE_211}"))
    return messages


# The note for languages Phare does not answer in, in that language (then French and English).
INTERPRETERS = {
    "es": "Solo puedo responder en francés o en inglés. El 211 ofrece intérpretes: marque 2-1-1, es gratuito y "
          "confidencial. En caso de emergencia, marque 911.",
}
INTERPRETERS_DEFAULT = (
    "Je réponds en français ou en anglais. Le 211 offre des interprètes : composez le 2-1-1, c'est gratuit. / "
    "I answer in French or English. 211 offers interpreters: dial 2-1-1, it's free. En cas d'urgence / in an emergency: 911."
)


def interpreters_message(language: str | None) -> Message:
    note = INTERPRETERS.get(language or "")
    return Message(f"{note}\n{INTERPRETERS_DEFAULT}" if note else INTERPRETERS_DEFAULT)
