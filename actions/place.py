"""Where does the resident live? Decided from the message, the slots and the channel.

Pure logic over the directory's gazetteer: the classifier's `place` entity is a
hint, the gazetteer has the last word, and it also scans the raw message.
"""
from __future__ import annotations

from dataclasses import dataclass

from directory.gazetteer import Gazetteer, Place, Resolution

# Where the place came from, for wording ("à Matane, comme tantôt").
FROM_MESSAGE, FROM_MEMORY, FROM_SITE = "message", "memory", "site"


@dataclass(frozen=True)
class PlaceDecision:
    status: str  # "found", "ambiguous", "outside", "need_full_postal_code", "missing"
    place: Place | None = None
    origin: str = FROM_MESSAGE
    candidates: tuple[Place, ...] = ()
    outside_name: str | None = None
    postal_code: str | None = None


def place_ref(place: Place) -> str:
    if place.kind == "municipality":
        return f"municipality:{place.municipality_id}"
    if place.kind == "mrc":
        return f"mrc:{place.mrc_id}"
    return "region:"


def place_from_ref(ref: str | None, gazetteer: Gazetteer) -> Place | None:
    if not ref or ":" not in ref:
        return None
    kind, _, ident = ref.partition(":")
    if kind == "municipality":
        return gazetteer.municipality(ident)
    if kind == "mrc":
        return gazetteer.mrc(ident)
    return None


def _from_resolution(resolution: Resolution) -> PlaceDecision | None:
    if resolution.status == "unknown":
        return None
    if resolution.status == "found" and resolution.place is not None:
        return PlaceDecision("found", resolution.place, postal_code=resolution.postal_code)
    return PlaceDecision(
        resolution.status,
        candidates=tuple(resolution.candidates),
        outside_name=resolution.outside_name,
        postal_code=resolution.postal_code,
    )


def _is_payload(text: str) -> bool:
    return text.startswith("/")


def decide_place(
    text: str,
    entities: list[dict],
    remembered_ref: str | None,
    site_mrc: str | None,
    gazetteer: Gazetteer,
) -> PlaceDecision:
    """The place the resident means now.

    Order: a postal code, a `place` entity, any place the gazetteer finds in
    the message, then the place remembered from earlier, then the MRC of the
    website or phone number the resident used.
    """
    text = text or ""
    for entity in entities:
        if entity.get("entity") == "postal_code" and entity.get("value"):
            decision = _from_resolution(gazetteer.resolve(str(entity["value"])))
            if decision:
                return decision
    # An entity value is tried alone first ("Saint-Gabriel" from a button payload).
    for entity in entities:
        if entity.get("entity") == "place" and entity.get("value"):
            decision = _from_resolution(gazetteer.resolve(str(entity["value"])))
            if decision and decision.status != "outside":
                return decision
    if not _is_payload(text):
        decision = _from_resolution(gazetteer.find_in_text(text))
        if decision:
            return decision
    for entity in entities:
        if entity.get("entity") == "place" and entity.get("value"):
            decision = _from_resolution(gazetteer.resolve(str(entity["value"])))
            if decision:
                return decision
    remembered = place_from_ref(remembered_ref, gazetteer)
    if remembered is not None:
        return PlaceDecision("found", remembered, origin=FROM_MEMORY)
    if site_mrc:
        preset = gazetteer.mrc(site_mrc)
        if preset is not None:
            return PlaceDecision("found", preset, origin=FROM_SITE)
    return PlaceDecision("missing")
