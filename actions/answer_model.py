"""The structured answer every channel renders (pure data, no wording rules of a channel).

An action builds one `Answer`: what was understood (the need), the place, the
services with their fields in the order a resident needs them (name, phone,
town or address, open now / next opening, what it offers, verified or source
date), the fallback notice, and the next steps. It travels to the channels as a
Rasa custom payload (`Answer.to_payload()`, marked `"type": "phare.answer"`)
next to a plain-text rendering in `text` for clients that only read text.

Channel renderers own their limits and how much of each field they show:
`bot.sms_render.render_answer` (SMS, 3 segments), the web widget
(`web/webchat/static/widget.js`, answer cards) and `actions.answers.plain_text`
(plain text). This module must stay importable without rasa-sdk: the Rasa
process reads payloads with `Answer.from_payload`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from directory.formatting import format_opening, format_verified, tel_uri

PAYLOAD_TYPE = "phare.answer"
PAYLOAD_VERSION = 1

# Answer kinds.
RESULTS = "results"  # services for a need at a place (first page or a following one)
NONE_LOCAL = "none_local"  # nothing in the resident's MRC: nearby services and lines instead
NO_MORE = "no_more"  # PLUS after the last page
DETAILS = "details"  # one service in full ("2" after a list)

# The payload of "details of result N" (a numbered choice after a list).
# `more_results` with the `result_number` entity: no NLU example is needed, the
# channels send it when a resident answers a bare number.
DETAILS_PAYLOAD = '/more_results{{"result_number": "{number}"}}'


@dataclass(frozen=True)
class PhoneLine:
    display: str  # "418 555-0123, poste 12"
    tel: str  # "tel:+14185550123"
    label: str | None = None  # "Ligne d'écoute", as entered by staff


@dataclass(frozen=True)
class ServiceCard:
    """One service, its fields ranked by what a resident needs first."""

    id: str
    name: str
    number: int | None = None  # position in the list the resident sees ("2." -> details of 2)
    organization: str | None = None
    phones: tuple[PhoneLine, ...] = ()
    town: str | None = None  # where it is, short ("Matane"), or where it is offered
    address: str | None = None  # full street address when known
    opening: str | None = None  # "Ouvert maintenant, jusqu'à 16 h." / next opening, from the schedule
    hours: str | None = None  # staff's free text about hours ("Le jeudi, de 13 h à 16 h")
    offer: str = ""  # what it offers (the description, whole)
    area_note: str | None = None  # "Offert dans une MRC voisine : …", "Pour tout le Bas-Saint-Laurent."
    closed_note: str | None = None  # "Temporairement fermé."
    freshness: str = ""  # "Vérifié le 12 mars 2026." or the source date when not verified
    url: str | None = None
    email: str | None = None
    eligibility: str | None = None
    fees: str | None = None
    how_to: str | None = None  # application process

    @property
    def phone(self) -> PhoneLine | None:
        return self.phones[0] if self.phones else None

    @property
    def has_contact(self) -> bool:
        return bool(self.phones or self.url or self.email or self.address)


@dataclass(frozen=True)
class Answer:
    kind: str
    need: str | None = None  # category id
    need_phrase: str = ""  # "un frigo libre-service"
    place: str = ""  # "à Matane", "dans la MRC de La Mitis"
    intro: str = ""  # "Voici ce que j'ai trouvé pour … :"
    notice: str | None = None  # fallback: "Je n'ai trouvé aucun service pour … Dans une MRC voisine :"
    services: tuple[ServiceCard, ...] = ()
    lines: tuple[ServiceCard, ...] = ()  # region-wide lines offered as a fallback (211…)
    campaign: str | None = None  # the MRC's current campaign message
    more: bool = False  # further results after this page (PLUS / "Voir les autres")
    remaining: int = 0
    end_note: str | None = None  # "C'est tout ce que j'ai pour …"
    next_step: str | None = None  # the 211 line: once per answer
    normal: bool = False  # say "Demander de l'aide, c'est normal." (at most once per conversation)
    text: str = ""  # the plain-text rendering sent in `text` (filled by the action)
    choices: tuple[int, ...] = field(default=())  # numbers a resident may answer for details

    # ------------------------------------------------------------ payload

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["type"] = PAYLOAD_TYPE
        data["version"] = PAYLOAD_VERSION
        return data

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Answer:
        def card(item: Mapping[str, Any]) -> ServiceCard:
            values = {k: v for k, v in item.items() if k in ServiceCard.__dataclass_fields__}
            values["phones"] = tuple(PhoneLine(**{k: p.get(k) for k in ("display", "tel", "label")})
                                     for p in item.get("phones") or () if isinstance(p, Mapping))
            return ServiceCard(**values)

        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["services"] = tuple(card(s) for s in data.get("services") or () if isinstance(s, Mapping))
        values["lines"] = tuple(card(s) for s in data.get("lines") or () if isinstance(s, Mapping))
        values["choices"] = tuple(int(n) for n in data.get("choices") or ())
        return cls(**values)

    @property
    def all_services(self) -> tuple[ServiceCard, ...]:
        return self.services + self.lines


def is_answer_payload(custom: Any) -> bool:
    return isinstance(custom, Mapping) and custom.get("type") == PAYLOAD_TYPE


def details_payload(number: int) -> str:
    return DETAILS_PAYLOAD.format(number=number)


# ------------------------------------------------------------ from the directory


def _town(result) -> str | None:
    """The short "where" of a service: the city of its address, else the area it serves."""
    if result.address:
        parts = [p.strip() for p in result.address.split(",") if p.strip()]
        # address = "[number, ]street, city, postal code" (directory.search): the city is the last part
        # without digits after the street.
        cities = [p for p in parts[1:] if not any(c.isdigit() for c in p)]
        if len(cities) > 1 or (cities and any(c.isdigit() for c in parts[0])):
            return cities[-1]
    if result.scope in ("municipality", "municipality_in_mrc", "mrc", "neighbour") and result.area_label:
        names = [n.strip() for n in result.area_label.split(",") if n.strip()]
        # A long list of towns reads badly in a card or an SMS: the first two, the rest in the details.
        return result.area_label if len(names) <= 2 else f"{names[0]}, {names[1]} et d'autres"
    return None


def _area_note(result) -> str | None:
    if result.scope == "region":
        return "Pour tout le Bas-Saint-Laurent."
    if result.scope == "neighbour":
        return f"Offert dans une MRC voisine : {result.area_label}."
    if result.scope == "municipality_in_mrc" and result.area_label:
        return f"Offert à : {result.area_label}."
    return None


def freshness_text(result) -> str:
    """The source date when another module gave one (`freshness`), else the verification date."""
    freshness = getattr(result, "freshness", None)
    if freshness:
        text = str(freshness).strip()
        return text if text.endswith((".", "!", "?")) else text + "."
    return format_verified(result.assured_date)


def card_from_result(result, now: dt.datetime, number: int | None = None) -> ServiceCard:
    """A `directory.search.ServiceResult` as a card (the facts' wording comes from directory.formatting)."""
    organization = result.organization if result.organization and result.organization not in result.name else None
    return ServiceCard(
        id=result.id,
        name=result.name,
        number=number,
        organization=organization,
        phones=tuple(PhoneLine(p.display, tel_uri(p.number), p.description or None) for p in result.phones[:3]),
        town=_town(result),
        address=result.address,
        opening=format_opening(result.opening, now),
        hours=result.schedule_description,
        offer=(result.description or "").strip(),
        area_note=_area_note(result),
        closed_note="Temporairement fermé." if result.status == "temporarily closed" else None,
        freshness=freshness_text(result),
        url=result.url,
        email=result.email,
        eligibility=result.eligibility_description,
        fees=result.fees_description,
        how_to=result.application_process,
    )
