"""Text normalisation shared by the gazetteer, the need matcher and search.

Residents type without accents, with hyphens or not, in any case; every
comparison in the directory happens on the normalised form produced here.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

_NON_WORD = re.compile(r"[^a-z0-9]+")

# Whole-word abbreviations residents use for place names ("st-pascal", "ste-luce").
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "nd": "notre dame",
    "riv": "riviere",
    "mt": "mont",
}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase, accent-free, punctuation turned into single spaces."""
    text = strip_accents(text or "").lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _NON_WORD.sub(" ", text).strip()


def fold_place(text: str) -> str:
    """`fold` plus the abbreviations used in Québec place names."""
    words = fold(text).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        # "n d des neiges", "n-d-du-portage"
        if w == "n" and i + 1 < len(words) and words[i + 1] == "d":
            out.append("notre dame")
            i += 2
            continue
        out.append(_ABBREVIATIONS.get(w, w))
        i += 1
    return " ".join(out)


def slugify(text: str) -> str:
    return fold(text).replace(" ", "-")


def fold_keyword(text: str) -> str:
    """Case- and accent-insensitive form of a short keyword or sentence, punctuation kept: "ARRÊT" -> "arret"."""
    return strip_accents(text or "").casefold().strip()


# ---------------------------------------------------------------- shortening prose

# A sentence ends with . ! ? or … followed by a space and a capital, a digit or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(0-9A-ZÀ-ÖØ-Ý])")
# Where a clause may end cleanly (never inside a phrase such as "par exemple").
_CLAUSE_END = re.compile(r"[,;:]\s+|\s+[—–-]\s+|\s+\(")
_WEAK_LAST_WORDS = frozenset(
    "à au aux avec chez dans de des du en et ou par pour sans sur le la les l un une d qui que son sa ses leur leurs"
    " votre vos notre nos ce cette ces mais donc car ni".split()
)


def sentences(text: str) -> list[str]:
    """The sentences of a short prose text, in order (whitespace normalised)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    return [s for s in _SENTENCE_END.split(text) if s] if text else []


def shorten(text: str, fits: Callable[[str], bool], ellipsis: str = "…") -> str:
    """The longest clean beginning of `text` for which `fits(candidate)` is true, or "".

    Whole sentences first; when not even the first sentence fits, its longest
    beginning that ends a clause (before a comma, a semicolon, a dash) and does
    not end on a little word ("par", "de", "et"…), closed with `ellipsis`.
    Never a cut in the middle of a phrase.
    """
    parts = sentences(text)
    taken: list[str] = []
    for sentence in parts:
        candidate = " ".join(taken + [sentence])
        if not fits(candidate):
            break
        taken.append(sentence)
    if taken:
        return " ".join(taken)
    if not parts:
        return ""
    first = parts[0]
    ends = [m.start() for m in _CLAUSE_END.finditer(first)]
    for end in reversed(ends):
        head = first[:end].rstrip(" ,;:")
        words = head.split()
        if len(words) < 4 or fold(words[-1]) in _WEAK_LAST_WORDS:
            continue
        candidate = head + ellipsis
        if fits(candidate):
            return candidate
    return ""
