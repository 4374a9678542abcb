"""The HSDS 3.0 JSON schemas, vendored in `schema/`, as validators.

The files are Open Referral's (openreferral/specification, tag v3.0,
CC BY-SA 4.0 — see `schema/ATTRIBUTION.md`). Their `$ref`s name sibling files
("phone.json"), resolved here from the local copy: validating never reaches
the network.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import RefResolver

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# Schema of each API answer, after the HSDS 3.0 OpenAPI description.
ITEM_SCHEMAS = {
    "service": "service.json",
    "service_list": "compiled/service_list.json",
    "organization": "organization.json",
    "organization_list": "compiled/organization_list.json",
    "service_at_location": "service_at_location.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


def _load(name: str) -> dict[str, Any]:
    with (SCHEMA_DIR / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    path = SCHEMA_DIR / ITEM_SCHEMAS[kind]
    schema = _load(ITEM_SCHEMAS[kind])
    resolver = RefResolver(base_uri=path.parent.as_uri() + "/", referrer=schema)
    return Draft202012Validator(schema, resolver=resolver, format_checker=FormatChecker())


def errors(kind: str, instance: Any) -> list[str]:
    """Every schema error, as "path: message" lines (empty when valid)."""
    found = sorted(validator(kind).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(racine)'}: {e.message}" for e in found]


def openapi() -> dict[str, Any]:
    return _load("openapi.json")


def datapackage() -> dict[str, Any]:
    return _load("datapackage.json")
