"""Plain text only in answers: what staff typed in the directory never becomes a link or markup elsewhere.

Phare's answers go to front ends Phare does not control (an MRC's own chat
widget, a Rasa web chat that renders Markdown, a browser extension that
renders HTML). A staff member could paste `[site](javascript:alert(1))` or
`<a href="…">` into a description; the widget shows text, but another front
end might make it a live link. So directory text is made plain at render
time, where it leaves the search results (`directory.search`):

- HTML tags are dropped (their words stay), entities decoded first so that
  `&lt;a href…&gt;` cannot come back as a tag;
- Markdown links and images keep their words only: `[site](url)` -> `site`,
  with the address added in parentheses when it is an ordinary http(s) one;
- `javascript:`, `vbscript:` and `data:` addresses are removed wherever they
  appear;
- a service's web address must be http(s) and its email a plain address, or
  they are left out (the answer then gives the phone or the 211).

Pure functions; the stored data are not changed (staff see what they typed).
"""
from __future__ import annotations

import dataclasses
import html
import re
from typing import Any, TypeVar

_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
_ANGLE_LINK = re.compile(r"<\s*((?:https?|mailto|javascript|vbscript|data)\s*:[^<>\s]*)\s*>", re.IGNORECASE)
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_MD_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_BAD_SCHEME = re.compile(r"(?:java|vb)\s*script\s*:|data\s*:\s*[a-z]+/[a-z0-9.+-]+[;,]", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]{2,}")
_HTTP = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")

T = TypeVar("T")

TEXT_FIELDS = ("name", "organization", "description", "address", "area_label", "schedule_description",
               "eligibility_description", "fees_description", "application_process")


def safe_url(url: str | None) -> str | None:
    """An ordinary web address (http or https, no spaces nor quotes), else None."""
    candidate = (url or "").strip()
    return candidate if _HTTP.match(candidate) else None


def safe_email(email: str | None) -> str | None:
    candidate = (email or "").strip()
    return candidate if _EMAIL.match(candidate) and len(candidate) <= 200 else None


def _markdown_link(match: re.Match[str]) -> str:
    words, target = match.group(1).strip(), str(match.group(2))
    address = safe_url(target)
    if address and address != words:
        return f"{words} ({address})" if words else address
    return words


def plain_text(text: str | None) -> str | None:
    """The words of `text` without markup, links that could run code, or invisible control characters."""
    if text is None:
        return None
    previous = None
    result = text
    for _ in range(4):  # entities can hide tags, tags can hide entities
        if result == previous:
            break
        previous = result
        result = html.unescape(result)
        result = _ANGLE_LINK.sub(lambda m: safe_url(m.group(1)) or "", result)
        result = _TAG.sub("", result)
        result = _MD_LINK.sub(_markdown_link, result)
        result = _MD_REFERENCE.sub("", result)
        result = _BAD_SCHEME.sub("", result)
        result = _CONTROL.sub("", result)
    result = result.replace("<", "‹").replace(">", "›")  # any left-over angle bracket can no longer open a tag
    return _SPACES.sub(" ", result).strip()


def plain_result(result: T) -> T:
    """A copy of a search result (directory.search.ServiceResult) with every staff-entered text made plain."""
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = getattr(result, name, None)
        if isinstance(value, str):
            cleaned = plain_text(value)
            if cleaned != value:
                changes[name] = cleaned
    if hasattr(result, "url") and result.url != safe_url(result.url):
        changes["url"] = safe_url(result.url)
    if hasattr(result, "email") and result.email != safe_email(result.email):
        changes["email"] = safe_email(result.email)
    phones = getattr(result, "phones", None)
    if phones:
        cleaned_phones = tuple(
            dataclasses.replace(p, description=plain_text(p.description)) if getattr(p, "description", None) else p
            for p in phones)
        if cleaned_phones != tuple(phones):
            changes["phones"] = cleaned_phones
    return dataclasses.replace(result, **changes) if changes else result  # type: ignore[type-var]
