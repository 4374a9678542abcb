"""Free text -> a category of the directory, through its French synonyms.

Synonyms live in the database (staff can add some in the admin), so the
matcher is built from category rows and rebuilt when they change.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from .text import fold


@dataclass(frozen=True)
class CategoryTerms:
    id: str
    label: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class NeedMatch:
    category_id: str
    score: float
    matched: str


class NeedMatcher:
    def __init__(self, categories: list[CategoryTerms]):
        self._phrases: dict[str, str] = {}  # folded phrase -> category id
        for cat in categories:
            for phrase in (cat.id.replace("-", " "), cat.label, *cat.synonyms):
                key = fold(phrase)
                # First category wins on a shared synonym: order is the taxonomy's.
                if key and key not in self._phrases:
                    self._phrases[key] = cat.id
        self._ids = {c.id for c in categories}
        self._max_words = max((len(p.split()) for p in self._phrases), default=1)
        self._fuzzy_keys = [p for p in self._phrases if len(p) >= 5]

    def match(self, text: str) -> list[NeedMatch]:
        """Categories named in `text`, best first; empty when none."""
        folded = fold(text)
        if not folded:
            return []
        if folded.replace(" ", "-") in self._ids:
            return [NeedMatch(folded.replace(" ", "-"), 100.0, folded)]
        words = folded.split()[:200]
        found: dict[str, NeedMatch] = {}

        def keep(cat_id: str, score: float, phrase: str) -> None:
            best = found.get(cat_id)
            if best is None or score > best.score:
                found[cat_id] = NeedMatch(cat_id, score, phrase)

        for size in range(min(self._max_words, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                gram = " ".join(words[i:i + size])
                cat_id = self._phrases.get(gram)
                if cat_id:
                    # Longer phrases are more specific ("livraison d'epicerie" beats "epicerie").
                    keep(cat_id, 100.0 + size, gram)
                elif len(gram) >= 6 and self._fuzzy_keys:
                    hit = process.extractOne(gram, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=88)
                    if hit:
                        keep(self._phrases[hit[0]], hit[1] + size - 1, gram)
        return sorted(found.values(), key=lambda m: -m.score)

    def best(self, text: str) -> str | None:
        matches = self.match(text)
        return matches[0].category_id if matches else None


def matcher_from_rows(rows: Iterable[Any]) -> NeedMatcher:
    """Build from Category rows (ordered by position)."""
    return NeedMatcher(
        [
            CategoryTerms(r.id, r.label, tuple(s for s in (r.synonyms or "").split("|") if s.strip()))
            for r in sorted(rows, key=lambda r: r.position)
            if r.resident_facing
        ]
    )
