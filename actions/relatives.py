"""Someone else's place: "je suis à Rimouski mais mon père est à Amqui".

The relative's place wins (the services must be near the person who needs
them); the resident's own place is kept apart in `resident_place_ref`. Both
are read by the directory's gazetteer (`find_in_text`), on the part of the
message after, and before, the mention of the relative.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from directory.gazetteer import Gazetteer, Place
from directory.text import fold

_RELATIVE = re.compile(
    r"\b(?:mon|ma|mes|notre|nos)\s+(?:pere|mere|parents|pa|mom|moman|popa|fils|fille|filles|enfants?|frere|freres"
    r"|soeur|soeurs|grand mere|grand pere|grands parents|grand maman|grand papa|oncle|tante|ami|amie|amis|chum"
    r"|blonde|conjoint|conjointe|mari|femme|voisin|voisine|cousin|cousine|beau pere|belle mere|beau frere"
    r"|belle soeur|gars|garcon|petite fille|petit fils|petits enfants|proche|ado|coloc)\b"
)
# "mon père est à Amqui", "ma mère qui reste à Cabano", "ma fille, elle habite Matane"
_LIVES = re.compile(
    r"^(?:\s+\w+){0,3}?\s+(?:est|reste|restent|habite|habitent|vit|vivent|demeure|demeurent|se trouve|est rendue?"
    r"|qui est|qui reste|qui habite|qui vit|qui demeure|elle reste|il reste|elle habite|il habite|elle vit|il vit"
    r"|elle est|il est)\b"
)


@dataclass(frozen=True)
class TwoPlaces:
    relative: Place
    resident: Place | None


def _found(gazetteer: Gazetteer, text: str) -> Place | None:
    if not text.strip():
        return None
    resolution = gazetteer.find_in_text(text)
    if resolution.status == "found" and resolution.place is not None and resolution.place.kind != "region":
        return resolution.place
    return None


def relative_place(text: str, gazetteer: Gazetteer) -> TwoPlaces | None:
    """The relative's place (and the resident's own, if said), or None."""
    folded = fold(text or "")
    for mention in _RELATIVE.finditer(folded):
        tail = folded[mention.end():]
        if not _LIVES.match(tail):
            continue
        relative = _found(gazetteer, tail)
        if relative is None:
            continue
        return TwoPlaces(relative, _found(gazetteer, folded[: mention.start()]))
    return None


def apply_relative_place(text: str, decision, gazetteer: Gazetteer):
    """(decision, slot events): the relative's place replaces the resident's when one is said."""
    from rasa_sdk.events import SlotSet

    from .place import PlaceDecision, place_ref

    if text.startswith("/"):
        return decision, []
    places = relative_place(text, gazetteer)
    if places is None:
        return decision, []
    events = [SlotSet("resident_place_ref", place_ref(places.resident))] if places.resident else []
    return PlaceDecision("found", places.relative), events
