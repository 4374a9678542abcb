"""Twilio's form body (application/x-www-form-urlencoded) and its signature (X-Twilio-Signature)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator


class FormParams(dict):
    """Form fields as lists of values; `getall` lets twilio's validator sign repeated fields."""

    def getall(self, name: str) -> list[str]:
        return list(self[name])

    def first(self, name: str) -> str | None:
        values = self.get(name)
        return values[0] if values else None


class BadRequest(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=\"?([\w.-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")


def parse_form(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> FormParams:
    """application/x-www-form-urlencoded -> FormParams, blank values kept (Twilio signs them).

    Percent-decoded bytes that are not UTF-8 are read in the declared charset, else
    Windows-1252, so a badly encoded message still gets an answer instead of an error.
    """
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type and media_type != "application/x-www-form-urlencoded":
        raise BadRequest(415, "Type de contenu non pris en charge.")
    charset = _charset(content_type)
    text = body.decode("latin-1")  # one char per byte; parse_qsl below keeps the bytes
    params = FormParams()
    for key, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
        params.setdefault(_decode(key.encode("latin-1"), charset), []).append(
            _decode(value.encode("latin-1"), charset)
        )
    return params


class SignatureCheck:
    """X-Twilio-Signature checked with twilio's RequestValidator (off only with PHARE_SMS_VALIDATE=false)."""

    def __init__(self, validate: bool, auth_token: str | None) -> None:
        self.validate = validate
        self.validator = RequestValidator(auth_token) if validate and auth_token else None

    def authentic(self, url: str, params: FormParams, signature: str | None) -> bool:
        if not self.validate:
            return True
        if not signature or self.validator is None:
            return False
        try:
            return bool(self.validator.validate(url, params, signature))
        except Exception:
            return False
