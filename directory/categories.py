"""The category taxonomy as code reads it: one place for every fact about a category.

`data/seed/categories.yml` holds, per category, its id, label, description,
NLU intent, in-sentence phrase (French and English), menu label, synonyms and fallback lines; this
module reads it once (pure, cached) so that the actions' intent map, the need
phrases, the menus and the fallback chain all come from the same rows.
Staff may later add synonyms in the admin: those live in the database and the
need matcher reads them there; everything else here is the project's own data.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "seed" / "categories.yml"

# The last step of every fallback chain: 211 knows every local resource.
LINE_211 = "ligne-211-information-reference"

# The six needs the issue measures in every MRC (coverage report).
CORE_NEEDS = (
    "aide-alimentaire",
    "frigo-libre-service",
    "soutien-telephonique",
    "repas",
    "livraison-epicerie",
    "familles-enfants",
)


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    label: str
    description: str
    intent: str | None
    phrase: str  # "pour {phrase} à Matane"
    phrase_en: str | None  # "I'm looking for {phrase_en}"; None: the English answers say "this need"
    menu_label: str
    menu: bool  # offered in the default menu of needs
    fallback: tuple[str, ...]  # service seed keys of the regional lines of the same kind
    synonyms: tuple[str, ...]
    resident_facing: bool
    position: int

    @property
    def fallback_chain(self) -> tuple[str, ...]:
        """Regional lines to offer when nothing local or next door is reachable, 211 last."""
        return tuple(k for k in self.fallback if k != LINE_211) + (LINE_211,)


class CategoryDataError(ValueError):
    pass


def parse_categories(entries: list[dict[str, Any]]) -> tuple[CategoryInfo, ...]:
    """Rows of categories.yml -> CategoryInfo, ordered by position; raises on a broken row."""
    if not isinstance(entries, list):
        raise CategoryDataError("categories.yml doit contenir une liste de catégories")
    infos = []
    intents: dict[str, str] = {}
    for position, entry in enumerate(entries, 1):
        cid = entry.get("id")
        if not cid:
            raise CategoryDataError(f"catégorie sans id (rang {position})")
        intent = entry.get("intent") or None
        if intent:
            if intent in intents:
                raise CategoryDataError(f"intention {intent} donnée à {intents[intent]} et à {cid}")
            intents[intent] = cid
        infos.append(
            CategoryInfo(
                id=cid,
                label=entry["label"],
                description=entry.get("description") or "",
                intent=intent,
                phrase=entry.get("phrase") or entry["label"].lower(),
                phrase_en=entry.get("phrase_en") or None,
                menu_label=entry.get("menu_label") or entry["label"],
                menu=bool(entry.get("menu")),
                fallback=tuple(entry.get("fallback") or ()),
                synonyms=tuple(entry.get("synonyms") or ()),
                resident_facing=entry.get("resident_facing", True),
                position=entry.get("position", position),
            )
        )
    return tuple(sorted(infos, key=lambda c: c.position))


@lru_cache(maxsize=4)
def load_categories(path: Path = CATEGORIES_FILE) -> tuple[CategoryInfo, ...]:
    with path.open(encoding="utf-8") as handle:
        return parse_categories(yaml.safe_load(handle) or [])


def categories() -> tuple[CategoryInfo, ...]:
    return load_categories()


@lru_cache(maxsize=1)
def _by_id() -> dict[str, CategoryInfo]:
    return {c.id: c for c in load_categories()}


def category(category_id: str | None) -> CategoryInfo | None:
    return _by_id().get(category_id or "")


def intent_to_category() -> dict[str, str]:
    """NLU intent -> category id, for every category that has an intent."""
    return {c.intent: c.id for c in load_categories() if c.intent}


def need_phrases() -> dict[str, str]:
    """Category id -> how it reads in a sentence ("pour {phrase} à Matane")."""
    return {c.id: c.phrase for c in load_categories() if c.resident_facing}


def menu() -> tuple[CategoryInfo, ...]:
    """The categories offered by default when Phare does not understand the need."""
    return tuple(c for c in load_categories() if c.menu)


def resident_categories() -> tuple[CategoryInfo, ...]:
    return tuple(c for c in load_categories() if c.resident_facing)


def fallback_chain(category_id: str | None) -> tuple[str, ...]:
    """Seed keys of the regional lines for this need, 211 last (only 211 for an unknown need)."""
    info = category(category_id)
    return info.fallback_chain if info else (LINE_211,)


__all__ = [
    "CORE_NEEDS",
    "CategoryDataError",
    "CategoryInfo",
    "LINE_211",
    "categories",
    "category",
    "fallback_chain",
    "intent_to_category",
    "load_categories",
    "menu",
    "need_phrases",
    "parse_categories",
    "resident_categories",
]
