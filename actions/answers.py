"""The French wording of Phare's answers about services (pure functions).

Every answer ends with a next step: the services themselves, 211 when
details are missing or nothing matches, 911 in an emergency. The wording
follows the anti-prejudice campaign: plain, warm, never judging.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from directory.categories import intent_to_category, need_phrases
from directory.formatting import format_opening, format_verified, mrc_display
from directory.gazetteer import Place
from directory.search import SearchOutcome, ServiceResult

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
FOR_SOMEONE_ELSE = (
    "C'est généreux de chercher pour un proche. De quoi la personne a-t-elle besoin, "
    "et dans quelle municipalité habite-t-elle?"
)
FOR_SOMEONE_ELSE_WITH_PLACE = "C'est généreux de chercher pour un proche. C'est noté : {place}. De quoi la personne a-t-elle besoin?"

LINE_211 = "Le 211 (gratuit et confidentiel) peut aussi vous orienter."
NORMAL = "Demander de l'aide, c'est normal."


@dataclass(frozen=True)
class Message:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)

    def as_dispatch(self) -> dict:
        data = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": t, "payload": p} for t, p in self.buttons]
        return data


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


def contact_lines(result: ServiceResult, compact: bool = False) -> list[str]:
    lines = []
    for phone in result.phones[: 1 if compact else 3]:
        label = f" ({phone.description})" if phone.description and not compact else ""
        lines.append(f"Tél. : {phone.display}{label}")
    if result.url and not (compact and result.phones):
        lines.append(f"Web : {result.url}")
    if result.email and not compact:
        lines.append(f"Courriel : {result.email}")
    if result.address and not compact:
        lines.append(f"Adresse : {result.address}")
    if not result.has_contact:
        lines.append("Coordonnées : faites le 211, on vous les donnera.")
    return lines


def service_text(result: ServiceResult, now: dt.datetime, index: int | None = None, compact: bool = False) -> str:
    head = f"{index}. {result.name}" if index else result.name
    if result.organization and result.organization not in result.name:
        head += f" — {result.organization}"
    lines = [head]
    if result.description:
        description = result.description
        if compact and len(description) > 140:
            description = description[:137].rsplit(" ", 1)[0] + "…"
        lines.append(description)
    if result.status == "temporarily closed":
        lines.append("Temporairement fermé.")
    if result.scope in ("region",):
        lines.append("Pour tout le Bas-Saint-Laurent.")
    elif result.scope == "neighbour":
        lines.append(f"Offert dans une MRC voisine : {result.area_label}.")
    elif result.scope == "municipality_in_mrc":
        lines.append(f"Offert à : {result.area_label}.")
    lines.extend(contact_lines(result, compact))
    opening = format_opening(result.opening, now)
    if opening:
        lines.append(opening)
    elif result.schedule_description and not compact:
        lines.append(f"Heures : {result.schedule_description}")
    if not compact or result.assured_date:
        lines.append(format_verified(result.assured_date))
    return "\n".join(lines)


def results_messages(
    outcome: SearchOutcome,
    now: dt.datetime,
    offset: int = 0,
    compact: bool = False,
    campaign: str | None = None,
    remembered: bool = False,
) -> list[Message]:
    """The answer to "need X at place Y", up to RESULTS_PER_ANSWER services."""
    place = outcome.place
    what = need_phrase(outcome.need, outcome.need_label)
    local = [r for r in outcome.results if r.scope != "region"]
    regional = [r for r in outcome.results if r.scope == "region"]
    messages: list[Message] = []
    if local:
        page = local[offset: offset + RESULTS_PER_ANSWER]
        if not page:
            return [Message(f"Je n'ai pas d'autres résultats pour {what} {place_short(place)}. {LINE_211}")]
        intro = "Voici d'autres services" if offset else "Voici ce que j'ai trouvé"
        suffix = " (comme tantôt)" if remembered else ""
        messages.append(Message(f"{intro} pour {what} {place_short(place)}{suffix} :"))
        for i, result in enumerate(page, start=offset + 1):
            messages.append(Message(service_text(result, now, i, compact)))
        remaining = len(local) - (offset + len(page))
        if remaining > 0:
            more = "Répondez PLUS pour la suite." if compact else f"J'en ai {remaining} autre(s)."
            messages.append(Message(more, () if compact else (("Voir les autres", "/more_results"),)))
    else:
        text = f"Je n'ai trouvé aucun service pour {what} {place_short(place)} dans mon répertoire."
        if outcome.nearby:
            text += " Il y en a dans une MRC voisine :"
            messages.append(Message(text))
            for result in outcome.nearby[:2]:
                messages.append(Message(service_text(result, now, None, compact)))
        else:
            messages.append(Message(text))
        lines = [r for r in regional if r.priority < 90]
        if lines:
            messages.append(Message(service_text(lines[0], now, None, compact)))
        if campaign:
            messages.append(Message(campaign))
        messages.append(Message(f"Le 211 connaît aussi les ressources de votre coin : composez le 2-1-1, c'est gratuit. {NORMAL}"))
        return messages
    if campaign and offset == 0:
        messages.append(Message(campaign))
    if offset == 0:
        messages.append(Message(f"{NORMAL} Pour autre chose, écrivez-moi ou faites le 211."))
    return messages


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
    return Message(
        "Le Bas-Saint-Laurent, c'est grand! Dans quelle municipalité ou quelle MRC habitez-vous?",
        (
            ("La Matanie", '/inform_place{"place": "La Matanie"}'),
            ("La Matapédia", '/inform_place{"place": "La Matapédia"}'),
            ("La Mitis", '/inform_place{"place": "La Mitis"}'),
            ("Rimouski-Neigette", '/inform_place{"place": "Rimouski-Neigette"}'),
            ("Les Basques", '/inform_place{"place": "Les Basques"}'),
            ("Rivière-du-Loup", '/inform_place{"place": "MRC de Rivière-du-Loup"}'),
            ("Témiscouata", '/inform_place{"place": "Témiscouata"}'),
            ("Kamouraska", '/inform_place{"place": "MRC de Kamouraska"}'),
        ),
    )


def place_noted_message(place: Place) -> Message:
    return Message(f"C'est noté : {place_label(place)}. De quoi avez-vous besoin?")


def hours_messages(results: list[ServiceResult], now: dt.datetime) -> list[Message]:
    if not results:
        return [Message("De quel service voulez-vous connaître les heures? Dites-moi d'abord ce que vous cherchez et votre municipalité.")]
    messages = []
    for result in results:
        opening = format_opening(result.opening, now)
        if opening:
            line = f"{result.name} : {opening}"
            if result.schedule_description:
                line += f" ({result.schedule_description})"
        elif result.schedule_description:
            line = f"{result.name} : {result.schedule_description}"
        else:
            contact = f"appelez au {result.phones[0].display}" if result.phones else "faites le 211"
            line = f"{result.name} : je n'ai pas leurs heures; {contact} pour les connaître."
        messages.append(Message(line))
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
