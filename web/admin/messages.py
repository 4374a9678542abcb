"""The French text of every email Phare sends to staff and organisations (one place for the wording)."""
from __future__ import annotations

from phare.settings import settings

from .policy import ROLE_LABELS

SIGNATURE = "L'équipe de Phare — répertoire des services d'aide du Bas-Saint-Laurent"


def public_base(request=None) -> str:
    """Address of the site in links: PHARE_PUBLIC_URL, else the address the request came to."""
    configured = settings().public_url
    if configured:
        return configured
    if request is not None:
        return f"{request.scheme}://{request.host}"
    return "http://localhost:8000"


def invitation(name: str, role: str, link: str, inviter: str) -> tuple[str, str]:
    subject = "Votre accès à l'administration de Phare"
    body = f"""Bonjour {name or ''},

{inviter} vous a ouvert un accès à l'administration de Phare ({ROLE_LABELS.get(role, role)}).
Phare aide les gens du Bas-Saint-Laurent à trouver les services communautaires près de chez eux ;
votre accès sert à garder ces informations justes.

Pour choisir votre mot de passe, ouvrez ce lien (il fonctionne une seule fois, pendant 72 heures) :
{link}

Si vous n'attendiez pas ce message, ignorez-le simplement.

{SIGNATURE}
"""
    return subject, body


def password_reset(name: str, link: str) -> tuple[str, str]:
    subject = "Phare : choisir un nouveau mot de passe"
    body = f"""Bonjour {name or ''},

Quelqu'un (vous, sans doute) a demandé un nouveau mot de passe pour l'administration de Phare.
Pour le choisir, ouvrez ce lien (il fonctionne une seule fois, pendant 1 heure) :
{link}

Si vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste le même.

{SIGNATURE}
"""
    return subject, body


def listing_reminder(organization: str, services: list[str], link: str, number: int) -> tuple[str, str]:
    subject = f"Phare : vos informations sont-elles toujours exactes? ({organization})"
    listed = "\n".join(f"  • {name}" for name in services)
    again = "Petit rappel : " if number > 1 else ""
    body = f"""Bonjour,

{again}Phare indique aux gens du Bas-Saint-Laurent où trouver de l'aide, par texto et par clavardage.
Il donne les coordonnées et les heures de {organization} :
{listed}

Pouvez-vous nous dire si c'est toujours exact? Ça prend une minute, sans compte ni mot de passe :
{link}

Vous pourrez répondre « Toujours exact » en un clic, ou corriger ce qui a changé.
Le lien vaut 30 jours. Merci de nous aider à ne jamais envoyer quelqu'un à une porte fermée!

{SIGNATURE}
"""
    return subject, body


def escalation(mrc: str, organization: str, reminders: int, phones: list[str], link: str) -> tuple[str, str]:
    subject = f"Phare : {organization} n'a pas confirmé sa fiche"
    calls = ", ".join(phones) or "aucun numéro au répertoire"
    body = f"""Bonjour,

{organization} n'a pas répondu aux {reminders} derniers rappels de Phare pour confirmer ses informations.
Ses services sont offerts dans la MRC {mrc}. Pourriez-vous l'appeler ({calls})
ou vérifier sa fiche vous-même dans l'administration de Phare?

Fiche de l'organisme : {link}

{SIGNATURE}
"""
    return subject, body
