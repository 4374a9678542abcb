"""Stable HSDS identifiers for what Phare keys by slug (categories, taxonomy, languages).

HSDS 3.0 asks for UUIDs everywhere; Phare's categories and MRCs are slugs.
A name-based UUID (uuid5) gives every slug the same UUID on every export,
so a client that stored a taxonomy term id can use it again tomorrow.
"""
from __future__ import annotations

import uuid

# A fixed namespace of Phare's own (uuid5 of the project's name in the URL namespace).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://phare.bas-saint-laurent/hsds")

TAXONOMY_SLUG = "phare-categories"


def stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def taxonomy_id() -> str:
    return stable_id("taxonomy", TAXONOMY_SLUG)


def taxonomy_term_id(category_id: str) -> str:
    return stable_id("taxonomy_term", category_id)


def attribute_id(service_id: str, category_id: str) -> str:
    return stable_id("attribute", f"{service_id}:{category_id}")


def language_id(owner_id: str, code: str) -> str:
    return stable_id("language", f"{owner_id}:{code}")


def address_id(location_id: str) -> str:
    return stable_id("address", location_id)


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
