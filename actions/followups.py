"""The wording of answers about the services just shown (pure functions).

After a list of services, residents ask "c'est où?", "c'est quoi le
numéro?" or say "ça m'aide pas". These functions answer about those very
services (ids kept in the `shown_services` slot), never with the need menu.
The lead will move them onto the structured answer model at merge time;
until then they return `answers.Message` like the rest of actions/.
"""
from __future__ import annotations

from directory.formatting import mrc_display
from directory.search import ServiceResult

from .answers import Message

NOTHING_SHOWN = Message(
    "Je ne vous ai pas encore montré de service. Dites-moi ce dont vous avez besoin et votre municipalité, "
    "et je vous donne l'adresse et le numéro. Le 211 peut aussi vous orienter."
)

NOT_USEFUL = Message(
    "Je suis désolé de ne pas vous avoir mieux aidé. Une personne du 211 peut chercher avec vous : "
    "composez le 2-1-1, c'est gratuit et confidentiel. Vous pouvez aussi me redire autrement ce que vous "
    "cherchez et votre municipalité; je vais faire de mon mieux."
)


def _where_line(result: ServiceResult) -> str:
    if result.address:
        return f"{result.name} : {result.address}."
    if result.scope == "region" or result.area_label == "tout le Bas-Saint-Laurent":
        return f"{result.name} : service offert à distance, pour tout le Bas-Saint-Laurent."
    where = f" Il dessert : {result.area_label}." if result.area_label else ""
    if result.phones:
        return f"{result.name} : je n'ai pas son adresse.{where} Appelez au {result.phones[0].display} pour savoir où aller."
    return f"{result.name} : je n'ai pas son adresse.{where} Le 211 peut vous la donner."


def where_messages(results: list[ServiceResult]) -> list[Message]:
    """ "C'est où?": the address (or the town served) of each service shown."""
    if not results:
        return [NOTHING_SHOWN]
    return [Message("\n".join(_where_line(r) for r in results))]


def _phone_line(result: ServiceResult) -> str:
    if result.phones:
        numbers = " ou ".join(p.display for p in result.phones[:2])
        return f"{result.name} : {numbers}"
    if result.url:
        return f"{result.name} : pas de numéro dans mon répertoire; leur site : {result.url}"
    if result.email:
        return f"{result.name} : pas de numéro dans mon répertoire; leur courriel : {result.email}"
    return f"{result.name} : je n'ai pas leur numéro; le 211 peut vous le donner."


def phone_messages(results: list[ServiceResult]) -> list[Message]:
    """ "C'est quoi le numéro?": the phone (else web, e-mail, 211) of each service shown."""
    if not results:
        return [NOTHING_SHOWN]
    return [Message("\n".join(_phone_line(r) for r in results))]


def not_useful_messages() -> list[Message]:
    """ "T'es pas utile": a humble apology and the 211, never the menu."""
    return [NOT_USEFUL]


def shown_in_order(results: list[ServiceResult], shown_ids: list[str]) -> list[ServiceResult]:
    """The services of `results` whose ids were shown, in the order they were shown."""
    by_id = {r.id: r for r in results}
    return [by_id[i] for i in shown_ids if i in by_id]


def mrc_label(name: str | None) -> str:
    return mrc_display(name) if name else "votre MRC"
