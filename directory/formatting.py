"""French (Québec) wording of directory facts: phones, dates, opening hours.

Shared by the command line, the assistant's answers and the SMS renderer so a
resident reads the same thing everywhere.
"""
from __future__ import annotations

import datetime as dt
import re

from .schedules import OpeningStatus

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

_DIGITS = re.compile(r"\D+")
_SHORT_CODES = {"211", "811", "911", "311"}
_TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})
# A North American number written any way inside a text: "(418) 555-0123", "418.555.0123", "+1 418 555 0123".
_PHONE_IN_TEXT = re.compile(
    r"(?<![\w-])(?:(\+?1)[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?([2-9]\d{2})[\s.-]?(\d{4})(?![\w-])"
)


def format_phone(number: str, extension: str | None = None) -> str:
    """Québec style: "418 555-0123", "1 866 277-3553", "211", "poste 12"."""
    raw = (number or "").strip()
    digits = _DIGITS.sub("", raw)
    if digits in _SHORT_CODES:
        text = digits
    elif len(digits) == 10:
        text = f"{digits[:3]} {digits[3:6]}-{digits[6:]}"
    elif len(digits) == 11 and digits.startswith("1"):
        text = f"1 {digits[1:4]} {digits[4:7]}-{digits[7:]}"
    else:
        text = raw
    if extension:
        text += f", poste {extension}"
    return text


def _phone_match(match: re.Match[str]) -> str:
    _, area, exchange, line = match.groups()
    return format_phone(("1" if area in _TOLL_FREE else "") + area + exchange + line)


def phones_in_text(text: str) -> str:
    """Every phone number of a free text written the Québec way ("418 555-0123", toll-free "1 800 363-9010")."""
    return _PHONE_IN_TEXT.sub(_phone_match, text)


def tel_uri(number: str) -> str:
    digits = _DIGITS.sub("", number or "")
    if digits in _SHORT_CODES:
        return f"tel:{digits}"
    if len(digits) == 10:
        digits = "1" + digits
    return f"tel:+{digits}"


def format_date(day: dt.date) -> str:
    """28 novembre 2026 (1er for the first day, as written in Québec)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_time(t: dt.time | dt.datetime) -> str:
    """9 h, 16 h 30."""
    return f"{t.hour} h" if t.minute == 0 else f"{t.hour} h {t.minute:02d}"


def format_moment(moment: dt.datetime, now: dt.datetime) -> str:
    """"aujourd'hui à 13 h", "demain à 9 h", "mardi 2 décembre à 9 h"."""
    local_now = now.astimezone(moment.tzinfo)
    delta = (moment.date() - local_now.date()).days
    if delta == 0:
        day = "aujourd'hui"
    elif delta == 1:
        day = "demain"
    else:
        number = "1er" if moment.day == 1 else str(moment.day)
        day = f"{WEEKDAYS[moment.weekday()]} {number} {MONTHS[moment.month - 1]}"
    return f"{day} à {format_time(moment)}"


def format_opening(status: OpeningStatus, now: dt.datetime) -> str | None:
    """One short French sentence, or None when hours are unknown."""
    if not status.known:
        return None
    if status.always_open:
        return "Ouvert 24 h sur 24, 7 jours sur 7."
    if status.open_now:
        return f"Ouvert maintenant, jusqu'à {format_time(status.closes_at)}." if status.closes_at else "Ouvert maintenant."
    if status.next_opening:
        return f"Fermé en ce moment. Prochaine ouverture : {format_moment(status.next_opening, now)}."
    return "Fermé en ce moment; aucune date de réouverture connue."


def format_verified(day: dt.date | None) -> str:
    return f"Vérifié le {format_date(day)}." if day else "Information à confirmer (pas encore vérifiée)."


def mrc_display(name: str) -> str:
    """"La Mitis" -> "MRC de La Mitis", "Les Basques" -> "MRC des Basques"."""
    if name.startswith("Les "):
        return f"MRC des {name[4:]}"
    return f"MRC de {name}"
