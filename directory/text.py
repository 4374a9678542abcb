"""Text normalisation shared by the gazetteer, the need matcher and search.

Residents type without accents, with hyphens or not, in any case; every
comparison in the directory happens on the normalised form produced here.
"""
from __future__ import annotations

import functools
import re
import unicodedata

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
