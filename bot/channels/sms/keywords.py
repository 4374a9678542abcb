"""SMS keywords (AIDE/HELP, RECOMMENCER/RESET, PLUS/MORE, STOP…) and menu choices ("2"), read from a text.

Pure functions; STOP words are recognised only to stay silent (Twilio and the carrier handle opt-out).
"""
from __future__ import annotations

import re
import unicodedata

STOP_WORDS = frozenset({
    "stop", "stopall", "arret", "arreter", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
    "opt out", "opt-out", "start", "unstop",
})
HELP_WORDS = frozenset({"aide", "help", "info"})
RESET_WORDS = frozenset({"recommencer", "reset", "restart", "recommence"})
MORE_WORDS = frozenset({"plus", "more", "suite", "next"})
_CHOICE = re.compile(r"^#?\s*(\d{1,2})\s*[.)]?$")

STOP, HELP, RESET, MORE = "stop", "help", "reset", "more"


def fold(text: str) -> str:
    """Lower case, no accents, no surrounding punctuation: "ARRÊT!" -> "arret"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"\s+", " ", plain)
    return plain.strip(" \t\n.!?,;:'\"«»()[]*-_")


def keyword(text: str) -> str | None:
    word = fold(text)
    if word in STOP_WORDS:
        return STOP
    if word in HELP_WORDS:
        return HELP
    if word in RESET_WORDS:
        return RESET
    if word in MORE_WORDS:
        return MORE
    return None


def choice_number(text: str) -> int | None:
    match = _CHOICE.match(text.strip())
    return int(match.group(1)) if match else None


def has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)
