"""The honesty rule of the seed directory, checked: every contact fact must be in a quoted source.

A wrong phone number sends someone in need to a stranger, so a phone, email,
website or address in the seed files must appear in the quoted sentence of a
public page that supports that fact; hours, territory, eligibility, fees and
application process must at least name a supporting source. Pure functions
over the parsed YAML; `python -m directory.seed_sources FILE…` prints every
problem with its entry key and exits non-zero when there is one.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

SUPPORTS = frozenset(
    {"phone", "address", "website", "email", "hours", "territory", "eligibility", "fees", "application", "description"}
)
KINDS = frozenset({"organisme", "journal", "repertoire", "municipal", "gouvernement"})
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CIVIC = re.compile(r"^\s*(\d+[A-Za-z]?)")
# Words of an address that say nothing about which street it is.
_STREET_NOISE = frozenset(
    "rue avenue av boulevard boul bd chemin ch route rte rang place montee cote de du des la le les l d et".split()
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def host(url: str) -> str:
    if not url:
        return ""
    parsed = urlparse(url if "://" in url else "http://" + url)
    name = (parsed.hostname or "").lower()
    return name[4:] if name.startswith("www.") else name


def phone_in_quote(number: str, quote: str) -> bool:
    wanted = digits(number)
    if wanted.startswith("1") and len(wanted) == 11:
        wanted = wanted[1:]
    return bool(wanted) and wanted in digits(quote)


def email_in_quote(email: str, quote: str) -> bool:
    return bool(email) and email.strip().lower() in (quote or "").lower()


def website_supported(url: str, sources: list[dict[str, Any]]) -> bool:
    wanted = host(url)
    if not wanted:
        return False
    for source in sources:
        if "website" not in (source.get("supports") or []):
            continue
        if wanted in (source.get("quote") or "").lower() or host(source.get("url") or "") == wanted:
            return True
    return False


def address_in_quote(address: str, quote: str) -> bool:
    """The civic number and the street's own name must both be in the quote."""
    folded_quote = f" {_fold(quote)} "
    civic = _CIVIC.match(address or "")
    words = [w for w in _fold(address).split() if not w.isdigit() and w not in _STREET_NOISE and len(w) > 1]
    if civic and f" {civic.group(1).lower()} " not in folded_quote and civic.group(1).lower() not in folded_quote:
        return False
    return bool(words) and all(f" {w} " in folded_quote for w in words[:2])


def _first_day(date_text: str) -> dt.date | None:
    """The first day a source date can mean ("2024-03" -> 2024-03-01); None if no such day exists."""
    parts = [int(p) for p in date_text.split("-")]
    try:
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None


def _quotes(sources: list[dict[str, Any]], fact: str) -> list[str]:
    return [s.get("quote") or "" for s in sources if fact in (s.get("supports") or [])]


def check_sources(sources: Any, where: str) -> Iterator[str]:
    if sources is None:
        return
    if not isinstance(sources, list):
        yield f"{where}: `sources` doit être une liste"
        return
    for i, source in enumerate(sources, 1):
        label = f"{where}, source {i}"
        if not isinstance(source, dict):
            yield f"{label}: doit être un dictionnaire"
            continue
        url = source.get("url") or ""
        if not url.startswith(("http://", "https://")):
            yield f"{label}: url manquante ou invalide ({url!r})"
        date_text = str(source.get("date") or "")
        if not _DATE.match(date_text):
            yield f"{label}: date manquante ou invalide (AAAA-MM-JJ, AAAA-MM ou AAAA)"
        elif (first_day := _first_day(date_text)) is None:
            yield f"{label}: date impossible ({date_text})"
        elif first_day > dt.date.today():
            yield f"{label}: date dans le futur ({date_text})"
        if source.get("kind") not in KINDS:
            yield f"{label}: kind doit être l'un de {sorted(KINDS)}"
        if not (source.get("quote") or "").strip():
            yield f"{label}: citation vide"
        unknown = set(source.get("supports") or []) - SUPPORTS
        if unknown or not source.get("supports"):
            yield f"{label}: supports invalide ({sorted(unknown) or 'vide'})"


def check_service(service: dict[str, Any], org_sources: list[dict[str, Any]], where: str) -> Iterator[str]:
    own = service.get("sources") or []
    yield from check_sources(service.get("sources"), where)
    sources = [s for s in own + org_sources if isinstance(s, dict)]
    for phone in service.get("phones") or []:
        if not any(phone_in_quote(str(phone.get("number")), q) for q in _quotes(sources, "phone")):
            yield f"{where}: téléphone {phone.get('number')} absent des citations qui appuient `phone`"
    email = service.get("email")
    if email and not any(email_in_quote(email, q) for q in _quotes(sources, "email")):
        yield f"{where}: courriel {email} absent des citations qui appuient `email`"
    if service.get("url") and not website_supported(service["url"], sources):
        yield f"{where}: site {service['url']} sans source qui appuie `website`"
    for location in service.get("locations") or []:
        address = location.get("address_1")
        if address and not any(address_in_quote(address, q) for q in _quotes(sources, "address")):
            yield f"{where}: adresse « {address} » absente des citations qui appuient `address`"
    simple = {
        "hours": bool(service.get("schedules")),
        "territory": bool(service.get("areas")),
        "eligibility": bool(service.get("eligibility_description")),
        "fees": bool(service.get("fees_description")),
        "application": bool(service.get("application_process")),
    }
    for fact, present in simple.items():
        if present and not _quotes(sources, fact):
            yield f"{where}: `{fact}` sans source qui l'appuie"


def check_organization(entry: dict[str, Any], where: str) -> Iterator[str]:
    key = entry.get("key") or "?"
    label = f"{where} [{key}]"
    org_sources = [s for s in entry.get("sources") or [] if isinstance(s, dict)]
    yield from check_sources(entry.get("sources"), label)
    if entry.get("email") and not any(email_in_quote(entry["email"], q) for q in _quotes(org_sources, "email")):
        yield f"{label}: courriel {entry['email']} absent des citations qui appuient `email`"
    if entry.get("website") and not website_supported(entry["website"], org_sources):
        yield f"{label}: site {entry['website']} sans source qui appuie `website`"
    for service in entry.get("services") or []:
        yield from check_service(service, org_sources, f"{label} [{service.get('key') or '?'}]")


def check_entries(entries: Iterable[dict[str, Any]], where: str) -> list[str]:
    problems: list[str] = []
    for entry in entries:
        problems.extend(check_organization(entry, where))
    return problems


def check_file(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    if not isinstance(entries, list):
        return [f"{path.name}: le fichier doit contenir une liste d'organisations"]
    return check_entries(entries, path.name)


def main(argv: list[str]) -> int:
    problems = [p for name in argv for p in check_file(Path(name))]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problème(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
