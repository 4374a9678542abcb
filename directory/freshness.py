"""How fresh a service's facts are, said plainly in French (pure functions).

A confirmed entry says when: "Vérifié le 12 mars 2026". An entry nobody has
confirmed says where its facts come from and when, and that it needs a call
first: "Selon un article de mars 2024 — à confirmer". The source cited is the
newest one behind a contact fact (phone, address, website, email, hours);
failing that, the newest source of any fact.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from .formatting import MONTHS, format_date

# "Not verified for 6 months": the one rule behind the admin's list to check,
# its freshness page and reminders (web.admin.freshness) and the coverage report.
STALE_MONTHS = 6
CONTACT_FACTS = frozenset({"phone", "address", "website", "email", "hours"})
UNKNOWN = "Information à confirmer (pas encore vérifiée)"
TO_CONFIRM = " — à confirmer"


@dataclass(frozen=True)
class SourceRef:
    """What freshness needs of one source row: its kind, its date as written, the fact it supports."""

    kind: str
    date_text: str
    field: str = ""


def parse_date_text(text: str) -> tuple[int, int | None, int | None] | None:
    """"2024" -> (2024, None, None); "2024-03" -> (2024, 3, None); "2024-03-12" -> (2024, 3, 12)."""
    parts = (text or "").strip().split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 and parts[1] else None
        day = int(parts[2]) if len(parts) > 2 and parts[2] else None
    except ValueError:
        return None
    if not 1900 <= year <= 2200 or (month is not None and not 1 <= month <= 12):
        return None
    return year, month, day


def _month_year(year: int, month: int | None) -> str:
    if month is None:
        return f"de {year}"
    name = MONTHS[month - 1]
    article = "d'" if name[0] in "aeiouéèêàâîôû" else "de "
    return f"{article}{name} {year}"


def source_phrase(kind: str, date_text: str) -> str:
    """"Selon un article de mars 2024", "Selon le site de l'organisme (2025)"…"""
    parsed = parse_date_text(date_text)
    year = parsed[0] if parsed else None
    if kind == "journal":
        return f"Selon un article {_month_year(parsed[0], parsed[1])}" if parsed else "Selon un article"
    what = {
        "organisme": "le site de l'organisme",
        "repertoire": "un répertoire",
        "municipal": "un site municipal",
        "gouvernement": "un site gouvernemental",
    }.get(kind, "une source publique")
    return f"Selon {what} ({year})" if year else f"Selon {what}"


def _sort_key(source: SourceRef) -> tuple[Any, ...]:
    parsed = parse_date_text(source.date_text)
    if not parsed:
        return (0, 0, 0)
    return (parsed[0], parsed[1] or 0, parsed[2] or 0)


def cited_source(sources: Iterable[SourceRef]) -> SourceRef | None:
    """The newest source behind a contact fact, else the newest source of any fact."""
    pool = list(sources)
    contact = [s for s in pool if s.field in CONTACT_FACTS]
    candidates = contact or pool
    return max(candidates, key=_sort_key) if candidates else None


def freshness(assured_date: dt.date | None, sources: Iterable[SourceRef] = ()) -> str:
    """One short French phrase: "Vérifié le 12 mars 2026" or "Selon … — à confirmer"."""
    if assured_date:
        return f"Vérifié le {format_date(assured_date)}"
    source = cited_source(sources)
    if source is None:
        return UNKNOWN
    return source_phrase(source.kind, source.date_text) + TO_CONFIRM


def stale_cutoff(today: dt.date, months: int = STALE_MONTHS) -> dt.date:
    """The oldest verified date that is still current."""
    cutoff: dt.date = today - relativedelta(months=months)
    return cutoff


def is_stale(assured_date: dt.date | None, today: dt.date) -> bool:
    """Never confirmed, or confirmed more than STALE_MONTHS ago."""
    return assured_date is None or assured_date < stale_cutoff(today)


__all__ = ["CONTACT_FACTS", "STALE_MONTHS", "stale_cutoff", "SourceRef", "cited_source", "freshness", "is_stale", "parse_date_text", "source_phrase"]
