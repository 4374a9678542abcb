"""Query strings of the HSDS API, read and checked (pure).

Each endpoint accepts the HSDS 3.0 parameters its OpenAPI description lists,
plus Phare's own (`mrc`, `municipality`, `postal_code`, `open_now`); anything
else, a repeated parameter or a malformed value is refused with a French
message, so a client never believes it filtered when it did not.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.parser import isoparse

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100

_PAGING = ("page", "per_page", "format")
ALLOWED: dict[str, tuple[str, ...]] = {
    "services": ("search", *_PAGING, "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
                 "minimal", "full", "mrc", "municipality", "postal_code", "postcode", "open_now", "category"),
    "service": (),
    "service_at_locations": ("search", *_PAGING, "taxonomy_term_id", "taxonomy_id", "organization_id",
                             "modified_after", "full", "postcode", "proximity", "mrc", "municipality",
                             "postal_code", "open_now", "category"),
    "service_at_location": (),
    "organizations": ("search", *_PAGING, "full_service", "full"),
    "organization": ("full_service",),
    "taxonomies": ("search", *_PAGING),
    "taxonomy": (),
    "taxonomy_terms": ("search", *_PAGING, "taxonomy_id", "top_only", "parent_id"),
    "taxonomy_term": (),
    "root": (),
}
_TRUE = {"true", "1", "oui", "yes"}
_FALSE = {"false", "0", "non", "no"}


class ParamError(ValueError):
    """A query-string problem, said in French for the 400 answer."""


@dataclass(frozen=True)
class Params:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    ndjson: bool = False
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: dt.datetime | None = None
    minimal: bool = False
    full: bool = False
    full_service: bool = False
    top_only: bool = False
    parent_id: str = ""
    mrc: str = ""
    municipality: str = ""
    postal_code: str = ""
    open_now: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _single(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ParamError(f"Le paramètre « {name} » est donné plus d'une fois.")
    return values[0].strip()


def _int(text: str, name: str, low: int, high: int | None = None) -> int:
    if not text.isdigit():
        raise ParamError(f"« {name} » doit être un nombre entier positif (reçu : « {text[:40]} »).")
    value = int(text)
    if value < low or (high is not None and value > high):
        bound = f"entre {low} et {high}" if high is not None else f"au moins {low}"
        raise ParamError(f"« {name} » doit valoir {bound} (reçu : {value}).")
    return value


def _bool(text: str, name: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ParamError(f"« {name} » doit valoir true ou false (reçu : « {text[:40]} »).")


def _datetime(text: str, name: str) -> dt.datetime:
    try:
        value = isoparse(text)
    except (ValueError, OverflowError):
        raise ParamError(
            f"« {name} » doit être une date ISO 8601, par exemple 2026-01-31 ou 2026-01-31T12:00:00Z "
            f"(reçu : « {text[:40]} »)."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    # Stored times are naive UTC.
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def parse(endpoint: str, args: Mapping[str, Sequence[str]]) -> Params:
    allowed = ALLOWED[endpoint]
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed) if allowed else "aucun"
        raise ParamError(f"Paramètre inconnu : {', '.join(unknown)}. Paramètres acceptés ici : {accepted}.")
    values = {name: _single(args, name) for name in allowed}
    given = {k: v for k, v in values.items() if v is not None}
    kwargs: dict[str, Any] = {}
    if "page" in given:
        kwargs["page"] = _int(given["page"], "page", 1)
    if "per_page" in given:
        kwargs["per_page"] = _int(given["per_page"], "per_page", 1, MAX_PER_PAGE)
    if "format" in given:
        fmt = given["format"].lower()
        if fmt not in ("json", "ndjson"):
            raise ParamError(f"« format » doit valoir json ou ndjson (reçu : « {given['format'][:40]} »).")
        kwargs["ndjson"] = fmt == "ndjson"
    for flag in ("minimal", "full", "full_service", "top_only", "open_now"):
        if flag in given:
            kwargs[flag] = _bool(given[flag], flag)
    if "modified_after" in given:
        kwargs["modified_after"] = _datetime(given["modified_after"], "modified_after")
    for text in ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "parent_id", "mrc",
                 "municipality"):
        if text in given:
            if not given[text]:
                raise ParamError(f"« {text} » est vide : retirez-le ou donnez une valeur.")
            kwargs[text] = given[text][:200]
    # `category` is Phare's first name for a taxonomy term (its code).
    if "category" in given:
        if "taxonomy_term_id" in kwargs:
            raise ParamError("Donnez « taxonomy_term_id » ou « category », pas les deux.")
        kwargs["taxonomy_term_id"] = given["category"]
    code = given.get("postal_code") or given.get("postcode")
    if "postal_code" in given and "postcode" in given:
        raise ParamError("Donnez « postal_code » ou « postcode », pas les deux.")
    if code is not None:
        if not code:
            raise ParamError("Le code postal est vide.")
        kwargs["postal_code"] = code[:10]
    if "proximity" in given:
        raise ParamError(
            "« proximity » n'est pas offert : Phare ne connaît pas les coordonnées des services. "
            "Filtrez par code postal (postcode), municipalité ou MRC."
        )
    return Params(**kwargs)
