"""Phone numbers: normalised, hashed into conversation ids, mapped to an MRC.

A phone number never reaches the tracker store, the logs or analytics: the
conversation id is HMAC-SHA256(PHARE_SENDER_SECRET, number); the texted
(Twilio) number only selects an MRC.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from directory.geography import mrc_ids

SMS_ID_PREFIX = "sms-"

_DIGITS = re.compile(r"\D+")


def normalize_number(number: str) -> str:
    """A phone number in E.164 when it looks like one (+14185550123), else the trimmed text."""
    raw = (number or "").strip()
    for prefix in ("whatsapp:", "sms:", "tel:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix):]
    digits = _DIGITS.sub("", raw)
    if len(digits) == 10 and not raw.startswith("+"):
        return f"+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    if raw.startswith("+") and 8 <= len(digits) <= 15:
        return f"+{digits}"
    return raw.lower()


def sender_key(secret: bytes, number: str) -> str:
    """The conversation id of a phone number: a keyed hash, the number cannot be read back."""
    digest = hmac.new(secret, normalize_number(number).encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{SMS_ID_PREFIX}{digest[:32]}"


def parse_numbers(text: str | None) -> dict[str, str]:
    """"+14185550101=les-basques,+14185550102=la-matapedia" -> {"+14185550101": "les-basques", …}."""
    numbers: dict[str, str] = {}
    for item in re.split(r"[,;\n]+", text or ""):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(f"PHARE_SMS_NUMBERS: '{item}' should be NUMBER=mrc-id")
        number, mrc = (part.strip() for part in item.split("=", 1))
        if mrc not in mrc_ids():
            raise ValueError(f"PHARE_SMS_NUMBERS: unknown MRC id '{mrc}' (expected one of {sorted(mrc_ids())})")
        numbers[normalize_number(number)] = mrc
    return numbers
