"""The French wording of Phare's answers, and the answers about services (pure functions).

`results_answer` and `details_answer` build the structured `Answer`
(actions.answer_model) from a search; `plain_text` renders it for clients that
read only text. Every answer ends with a next step: the services themselves,
211 when details are missing or nothing matches, 911 in an emergency. The
wording follows the anti-prejudice campaign: plain, warm, never judging.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from directory.categories import intent_to_category, need_phrases
from directory.formatting import format_opening, mrc_display
from directory.gazetteer import Place
from directory.geography import mrcs
from directory.search import SearchOutcome, ServiceResult
from directory.text import sentences

from .answer_model import DETAILS, NO_MORE, NONE_LOCAL, RESULTS, Answer, ServiceCard, card_from_result

RESULTS_PER_ANSWER = 3

# Both read from the category data (directory/data/seed/categories.yml), the one place for them.
INTENT_TO_CATEGORY = intent_to_category()

# How a need reads inside a sentence: "pour {phrase} à Matane".
NEED_PHRASES = need_phrases()

GREETING = (
    "Bonjour! Je suis Phare, l'assistant d'entraide du Bas-Saint-Laurent. Dites-moi ce dont vous avez besoin "
    "(manger, un frigo libre-service, quelqu'un à qui parler…) et votre municipalité. Demander de l'aide, c'est normal."
)
GREETING_WITH_PLACE = (
    "Bonjour! Je suis Phare, l'assistant d'entraide du Bas-Saint-Laurent. C'est noté : {place}. "
    "De quoi avez-vous besoin (manger, un frigo libre-service, quelqu'un à qui parler…)? Demander de l'aide, c'est normal."
)
GREETING_AGAIN = "Bonjour! Dites-moi ce dont vous avez besoin (manger, un frigo libre-service, quelqu'un à qui parler…) et votre municipalité."
GREETING_AGAIN_WITH_PLACE = "Bonjour! C'est noté : {place}. De quoi avez-vous besoin?"
FOR_SOMEONE_ELSE = (
    "C'est généreux de chercher pour un proche. De quoi la personne a-t-elle besoin, "
    "et dans quelle municipalité habite-t-elle?"
)
FOR_SOMEONE_ELSE_WITH_PLACE = "C'est généreux de chercher pour un proche. C'est noté : {place}. De quoi la personne a-t-elle besoin?"

LINE_211 = "Le 211 (gratuit et confidentiel) peut aussi vous orienter."
NORMAL = "Demander de l'aide, c'est normal."
NEXT_STEP = "Pour autre chose, écrivez-moi ou faites le 211."
NEXT_STEP_MISSING = "Pour joindre un service sans coordonnées ici, ou pour autre chose, faites le 211 : c'est gratuit."
NEXT_STEP_NONE = "Le 211 connaît aussi les ressources de votre coin : composez le 2-1-1, c'est gratuit."
NEARBY_SHOWN = 2  # services of a neighbouring MRC offered when the resident's MRC has none


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)
    answer: Answer | None = None  # sent as the custom payload (json_message)

    def as_dispatch(self) -> dict:
        data: dict = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": t, "payload": p} for t, p in self.buttons]
        if self.answer is not None:
            data["json_message"] = self.answer.to_payload()
        return data


def answer_message(answer: Answer) -> Message:
    """An answer with its plain-text rendering in `text` (and "Voir les autres" for text clients)."""
    text = plain_text(answer)
    answer = replace(answer, text=text)
    buttons = (("Voir les autres", "/more_results"),) if answer.more else ()
    return Message(text, buttons, answer)


def place_label(place: Place) -> str:
    if place.kind == "municipality":
        return f"{place.municipality_name} ({mrc_display(place.mrc_name)})"
    if place.kind == "mrc":
        return f"la {mrc_display(place.mrc_name)}"
    return "le Bas-Saint-Laurent"


def place_short(place: Place) -> str:
    if place.kind == "municipality":
        return f"à {place.municipality_name}"
    if place.kind == "mrc":
        return f"dans la {mrc_display(place.mrc_name)}"
    return "au Bas-Saint-Laurent"


def need_phrase(category_id: str | None, label: str | None = None) -> str:
    if category_id in NEED_PHRASES:
        return NEED_PHRASES[category_id]
    return (label or "ce besoin").lower()


def listing(outcome: SearchOutcome) -> list[ServiceResult]:
    """The numbered list a resident pages through: local services, else a few of a neighbouring MRC."""
    local = [r for r in outcome.results if r.scope != "region"]
    return local if local else list(outcome.nearby[:NEARBY_SHOWN])


def _is_211(result: ServiceResult) -> bool:
    return any(phone.number.strip() == "211" for phone in result.phones)


def fallback_lines(outcome: SearchOutcome) -> list[ServiceResult]:
    """Lines worth offering when nothing local can be reached.

    First the need's own regional lines from the directory's fallback chain
    (811 option 2 and 1 866 APPELLE for someone to talk to, SOS violence
    conjugale…); the 211 closes every answer already, so it is a card only
    when it is the chain's one line. Without a chain, the need's region-wide
    services (never 911).
    """
    specific = [r for r in outcome.lines if not _is_211(r)]
    if specific:
        return specific[:2]
    if outcome.lines:
        return list(outcome.lines[:1])
    return [r for r in outcome.results if r.scope == "region" and r.priority < 90][:1]


def _next_step(cards) -> str:
    return NEXT_STEP_MISSING if any(not c.has_contact for c in cards) else NEXT_STEP


def results_answer(
    outcome: SearchOutcome,
    now: dt.datetime,
    offset: int = 0,
    campaign: str | None = None,
    remembered: bool = False,
    normal: bool = False,
) -> Answer:
    """The answer to "need X at place Y": one page of RESULTS_PER_ANSWER services from `offset`."""
    what = need_phrase(outcome.need, outcome.need_label)
    where = place_short(outcome.place) if outcome.place else ""
    base = dict(need=outcome.need, need_phrase=what, place=where)
    listed = listing(outcome)
    local = [r for r in outcome.results if r.scope != "region"]
    if not local and offset == 0:
        services = tuple(card_from_result(r, now, i) for i, r in enumerate(listed, start=1))
        lines = tuple(card_from_result(r, now) for r in fallback_lines(outcome))
        notice = f"Je n'ai trouvé aucun service pour {what} {where} dans mon répertoire."
        if services:
            notice += " Il y en a dans une MRC voisine :"
        return Answer(kind=NONE_LOCAL, notice=notice, services=services, lines=lines, campaign=campaign,
                      next_step=NEXT_STEP_NONE, normal=normal,
                      choices=tuple(c.number for c in services), **base)
    page = listed[offset: offset + RESULTS_PER_ANSWER]
    if not page:
        lines = tuple(card_from_result(r, now) for r in fallback_lines(outcome))
        return Answer(kind=NO_MORE, notice=f"C'est tout : je n'ai pas d'autres résultats pour {what} {where}.",
                      lines=lines, next_step=LINE_211, normal=normal,
                      choices=tuple(range(1, len(listed) + 1)), **base)
    services = tuple(card_from_result(r, now, i) for i, r in enumerate(page, start=offset + 1))
    remaining = len(listed) - (offset + len(page))
    intro = "Voici d'autres services" if offset else "Voici ce que j'ai trouvé"
    suffix = " (comme tantôt)" if remembered and not offset else ""
    end_note = f"C'est tout ce que j'ai pour {what} {where}." if offset and remaining <= 0 else None
    missing = any(not c.has_contact for c in services)
    return Answer(
        kind=RESULTS, intro=f"{intro} pour {what} {where}{suffix} :", services=services,
        campaign=campaign if offset == 0 else None, more=remaining > 0, remaining=max(remaining, 0),
        end_note=end_note, next_step=_next_step(services) if offset == 0 or missing else None,
        normal=normal, choices=tuple(range(1, offset + len(page) + 1)), **base,
    )


def details_answer(outcome: SearchOutcome, number: int, now: dt.datetime) -> Answer | None:
    """Result `number` of the list (1-based) in full, or None when there is no such result."""
    listed = listing(outcome)
    if not 1 <= number <= len(listed):
        return None
    card = card_from_result(listed[number - 1], now, number)
    return Answer(
        kind=DETAILS, need=outcome.need, need_phrase=need_phrase(outcome.need, outcome.need_label),
        place=place_short(outcome.place) if outcome.place else "", services=(card,),
        next_step=None if card.has_contact else NEXT_STEP_MISSING,
        choices=tuple(range(1, len(listed) + 1)),  # another number after the details: that one's details
    )


def no_such_result_message(number: int, count: int) -> Message:
    if count <= 0:
        return Message("Je n'ai pas de liste de services en cours. Dites-moi ce dont vous avez besoin et votre municipalité.")
    return Message(f"Je n'ai pas de résultat numéro {number}. Répondez un chiffre de 1 à {count} "
                   "pour voir les détails d'un service.")


# ---------------------------------------------------------------- plain text


def service_text(result: ServiceResult, now: dt.datetime, index: int | None = None, compact: bool = False) -> str:
    """One search result as plain text (for the wording not yet on the answer model, e.g. actions/english.py)."""
    card = card_from_result(result, now, index)
    if compact and card.offer:
        card = replace(card, offer=(sentences(card.offer) or [""])[0])
    return card_text(card, full=not compact)


def card_text(card: ServiceCard, full: bool = True) -> str:
    """One service as plain text, fields in the order a resident needs them."""
    head = f"{card.number}. {card.name}" if card.number else card.name
    if card.organization:
        head += f" — {card.organization}"
    lines = [head]
    if card.closed_note:
        lines.append(card.closed_note)
    for phone in card.phones:
        label = f" ({phone.label})" if phone.label else ""
        lines.append(f"Tél. : {phone.display}{label}")
    if card.address:
        lines.append(f"Adresse : {card.address}")
    elif card.town:
        lines.append(f"Où : {card.town}")
    if card.opening:
        lines.append(card.opening)
    if card.hours:
        lines.append(f"Heures : {card.hours}")
    if card.offer:
        lines.append(card.offer)
    if card.area_note:
        lines.append(card.area_note)
    if full:
        if card.eligibility:
            lines.append(f"Pour qui : {card.eligibility}")
        if card.fees:
            lines.append(f"Coût : {card.fees}")
        if card.how_to:
            lines.append(f"Comment : {card.how_to}")
    if card.url:
        lines.append(f"Web : {card.url}")
    if card.email:
        lines.append(f"Courriel : {card.email}")
    if card.freshness:
        lines.append(card.freshness)
    return "\n".join(lines)


def plain_text(answer: Answer) -> str:
    """The answer for clients that read only `text` (REST, the conversation's record)."""
    blocks = [b for b in (answer.notice, answer.intro) if b]
    blocks += [card_text(card, full=answer.kind == DETAILS) for card in answer.all_services]
    if answer.campaign:
        blocks.append(answer.campaign)
    if answer.end_note:
        blocks.append(answer.end_note)
    if answer.more:
        blocks.append(f"J'en ai {answer.remaining} autre(s) : écrivez « plus » pour les voir.")
    closing = " ".join(x for x in (NORMAL if answer.normal else None, answer.next_step) if x)
    if closing:
        blocks.append(closing)
    return "\n\n".join(blocks)


def ask_place_message(category_id: str | None, label: str | None) -> Message:
    what = need_phrase(category_id, label)
    return Message(f"D'accord, je cherche pour {what}. Dans quelle municipalité habitez-vous? (ou votre code postal)")


def ambiguous_place_message(candidates) -> Message:
    buttons = []
    for place in candidates[:5]:
        name = place.municipality_name or place.mrc_name
        if not name:
            continue
        title = f"{name} ({mrc_display(place.mrc_name)})" if place.municipality_name else mrc_display(place.mrc_name)
        buttons.append((title, f'/inform_place{{"place": "{name}"}}'))
    return Message("Plusieurs endroits portent ce nom. Lequel est le vôtre?", tuple(buttons))


def full_postal_code_message(postal_code: str | None, candidates) -> Message:
    names = ", ".join(mrc_display(p.mrc_name) for p in candidates if p.mrc_name)
    code = postal_code or "Ce code"
    extra = f" ({names})" if names else ""
    return Message(
        f"{code} couvre plusieurs MRC{extra}. Pouvez-vous me donner votre code postal complet, ou le nom de votre municipalité?"
    )


def outside_message(name: str | None) -> Message:
    where = name or "Cet endroit"
    return Message(
        f"{where} est en dehors du Bas-Saint-Laurent; je connais seulement les services des 8 MRC de la région. "
        "Le 211 peut vous orienter partout au Québec : composez le 2-1-1, c'est gratuit."
    )


def region_place_message() -> Message:
    # The button sends "MRC de Kamouraska", not "Kamouraska": several MRC share their name with a town.
    return Message(
        "Le Bas-Saint-Laurent, c'est grand! Dans quelle municipalité ou quelle MRC habitez-vous?",
        tuple((m.name, f'/inform_place{{"place": "{m.display}"}}') for m in mrcs()),
    )


def place_noted_message(place: Place) -> Message:
    return Message(f"C'est noté : {place_label(place)}. De quoi avez-vous besoin?")


def hours_messages(results: list[ServiceResult], now: dt.datetime) -> list[Message]:
    if not results:
        return [Message("De quel service voulez-vous connaître les heures? Dites-moi d'abord ce que vous cherchez et votre municipalité.")]
    messages = []
    unknown_without_phone = False
    for result in results:
        opening = format_opening(result.opening, now)
        if opening:
            line = f"{result.name} : {opening}"
            if result.schedule_description:
                line += f" ({result.schedule_description})"
        elif result.schedule_description:
            line = f"{result.name} : {result.schedule_description}"
        elif result.phones:
            line = f"{result.name} : je n'ai pas leurs heures; appelez au {result.phones[0].display} pour les connaître."
        else:
            line = f"{result.name} : je n'ai pas leurs heures."
            unknown_without_phone = True
        messages.append(Message(line))
    if unknown_without_phone:
        # "faites le 211" once per answer, not once per service.
        messages.append(Message("Pour connaître les heures qui manquent, faites le 211 : c'est gratuit."))
    return messages


FALLBACK = Message(
    "Je ne suis pas certain d'avoir compris. Voici ce que je peux chercher pour vous; vous pouvez aussi composer le 211 pour parler à une personne.",
    (
        ("Aide alimentaire", "/need_food_aid"),
        ("Frigo libre-service", "/need_fridge"),
        ("Repas préparés", "/need_meals"),
        ("Livraison d'épicerie", "/need_grocery_delivery"),
        ("Quelqu'un à qui parler", "/need_phone_support"),
        ("Familles et enfants", "/need_family"),
        ("Toutes les ressources de ma MRC", "/need_resource_list"),
    ),
)

ERROR_MESSAGE = (
    "Désolé, un problème technique m'empêche de chercher en ce moment. "
    "Composez le 211 (gratuit) pour trouver de l'aide près de chez vous. En cas d'urgence, faites le 911."
)
