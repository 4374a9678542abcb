"""SMS encoding facts: the GSM-7 alphabet, segment counting, cost-saving transliteration.

Pure functions, no I/O. Carriers send an SMS in GSM-7 (7-bit, 160 characters,
153 per part once split) when every character is in the GSM 03.38 alphabet
(the extension table counts double: ^ { } [ ] ~ | \\ €), and in UCS-2 otherwise
(70 UTF-16 code units, 67 per part). One "ê" turns a whole message into UCS-2,
so Phare replaces the characters outside GSM-7 by their closest GSM-7 form, but
only when that saves segments, and never touches the ones inside it
(é, è, à, ù, É stay as they are).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (escape 0x1B excluded: it only introduces the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE = 160
GSM7_MULTI = 153
UCS2_SINGLE = 70
UCS2_MULTI = 67

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# Closest GSM-7 form of common characters outside the alphabet (French first).
TRANSLITERATION = {
    "ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ÿ": "y",
    "ç": "c", "œ": "oe", "á": "a", "í": "i", "ó": "o", "ú": "u", "ã": "a", "õ": "o",
    "Ê": "E", "Ë": "E", "È": "E", "Â": "A", "À": "A", "Á": "A", "Î": "I", "Ï": "I", "Ô": "O",
    "Û": "U", "Ù": "U", "Ÿ": "Y", "Œ": "OE", "Í": "I", "Ó": "O", "Ú": "U",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"',
    "’": "'", "‘": "'", "‚": "'", "‛": "'", "`": "'", "´": "'", "ʼ": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-", "•": "-", "·": "-",
    "…": "...", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "°": "o", "×": "x", "\t": " ", "\u200b": "", "\ufeff": "",
}


_OPEN_QUOTE = re.compile("«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile("[ \u00a0\u202f]*»")


@dataclass(frozen=True)
class SegmentInfo:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    characters: int


def is_gsm7_char(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    return all(is_gsm7_char(c) for c in text)


def _char_units(char: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # UTF-16 surrogate pair


def _count_parts(text: str, encoding: str, single: int, multi: int) -> tuple[int, int]:
    """(units, segments). A character never straddles two parts (escape pairs and
    surrogate pairs stay whole), as carriers and Twilio split them."""
    units = sum(_char_units(c, encoding) for c in text)
    if units <= single:
        return units, 1 if text else 0
    segments, used = 1, 0
    for char in text:
        size = _char_units(char, encoding)
        if used + size > multi:
            segments += 1
            used = 0
        used += size
    return units, segments


def segment_info(text: str) -> SegmentInfo:
    if is_gsm7(text):
        units, segments = _count_parts(text, GSM7, GSM7_SINGLE, GSM7_MULTI)
        return SegmentInfo(GSM7, units, segments, len(text))
    units, segments = _count_parts(text, UCS2, UCS2_SINGLE, UCS2_MULTI)
    return SegmentInfo(UCS2, units, segments, len(text))


def count_segments(text: str) -> int:
    return segment_info(text).segments


def to_gsm7(text: str) -> str:
    """Each character outside GSM-7 replaced by its closest GSM-7 form, the others untouched.

    Characters with no GSM-7 form (emoji, other scripts) are kept, so the result
    may still need UCS-2; callers compare segment counts before using it.
    """
    # French quotes carry inner spaces ("« épicerie »"); straight quotes do not.
    text = _OPEN_QUOTE.sub('"', text)
    text = _CLOSE_QUOTE.sub('"', text)
    out = []
    for char in text:
        if is_gsm7_char(char):
            out.append(char)
            continue
        replacement = TRANSLITERATION.get(char)
        if replacement is None:
            stripped = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            replacement = stripped if stripped and is_gsm7(stripped) else char
        out.append(replacement)
    return "".join(out)


def cheapest(text: str) -> str:
    """The text as sent: transliterated only if that takes fewer segments."""
    if is_gsm7(text):
        return text
    converted = to_gsm7(text)
    if count_segments(converted) < count_segments(text):
        return converted
    return text
