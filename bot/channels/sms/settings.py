"""The SMS channel's settings: Phare's settings (`phare.settings`) checked and interpreted for Twilio (see docs/sms.md)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rasa.shared.exceptions import RasaException

from bot.rate_limit import RateRule
from bot.sms_render import MAX_SEGMENTS
from phare.settings import DEFAULT_SMS_TIMEOUT, Settings, settings

from .senders import parse_numbers

DEFAULT_TIMEOUT = DEFAULT_SMS_TIMEOUT
MAX_TIMEOUT = 14.0  # Twilio gives up after 15 s
DEVELOPMENT_SENDER_SECRET = "phare-development-sender-secret-not-for-production"


@dataclass(frozen=True)
class SmsSettings:
    validate: bool = True
    auth_token: str | None = None
    public_url: str | None = None
    sender_secret: bytes = b""
    numbers: Mapping[str, str] = field(default_factory=dict)
    rate_rule: RateRule = field(default_factory=lambda: RateRule.parse(None))
    timeout: float = DEFAULT_TIMEOUT
    redis_url: str | None = None
    redis_prefix: str = "phare:sms:"  # the SMS stores' keys, under the installation's PHARE_LOCK_PREFIX
    max_segments: int = MAX_SEGMENTS
    warnings: tuple = ()
    enabled: bool = True  # False: SMS not configured at all, every webhook gets 503

    @classmethod
    def from_settings(cls, config: Settings | None = None) -> SmsSettings:
        config = config or settings()
        warnings: list[str] = []
        validate = config.sms_validate is not False
        token = config.twilio_auth_token
        public_url = config.sms_public_url
        secret = config.sender_secret or ""
        if public_url and not re.match(r"^https?://[^/\s]+", public_url):
            raise RasaException(f"SMS: PHARE_SMS_PUBLIC_URL must be an http(s) URL, got '{public_url}'")
        if validate:
            missing = [name for name, value in (("TWILIO_AUTH_TOKEN", token), ("PHARE_SMS_PUBLIC_URL", public_url),
                                                ("PHARE_SENDER_SECRET", secret)) if not value]
            if len(missing) == 3 and config.sms_validate is None:
                # SMS simply not set up (a deployment without Twilio): the channel stays closed
                # (503, nothing processed) rather than stopping the web chat with it.
                return cls(validate=True, enabled=False, warnings=(
                    "SMS channel not configured (TWILIO_AUTH_TOKEN, PHARE_SMS_PUBLIC_URL, PHARE_SENDER_SECRET): "
                    "/webhooks/sms/webhook answers 503. See docs/sms.md.",))
            if missing:
                raise RasaException(
                    "SMS channel: " + ", ".join(missing) + " not set. Set them (see docs/sms.md), or, for local "
                    "development only, set PHARE_SMS_VALIDATE=false."
                )
            if len(secret) < 16:
                warnings.append("PHARE_SENDER_SECRET is short (< 16 characters): use a long random value")
        else:
            warnings.append(
                "SMS SIGNATURE CHECK IS OFF (PHARE_SMS_VALIDATE=false): anyone can post to /webhooks/sms/webhook. "
                "Development only, NEVER in production."
            )
            if not secret:
                secret = DEVELOPMENT_SENDER_SECRET
                warnings.append("PHARE_SENDER_SECRET not set: using the fixed development key")
        timeout = config.sms_timeout
        try:
            numbers = parse_numbers(config.sms_numbers)
            rate_rule = RateRule.parse(config.sms_rate_limit)
        except ValueError as exc:
            raise RasaException(f"SMS channel: {exc}") from exc
        if not 0 < timeout <= MAX_TIMEOUT:
            warnings.append(f"PHARE_SMS_TIMEOUT={timeout} outside (0, {MAX_TIMEOUT}]: using {DEFAULT_TIMEOUT}")
            timeout = DEFAULT_TIMEOUT
        return cls(
            validate=validate, auth_token=token, public_url=public_url, sender_secret=secret.encode("utf-8"),
            numbers=numbers, rate_rule=rate_rule, timeout=timeout,
            redis_url=config.redis_url, redis_prefix=config.redis_prefix("sms"), max_segments=config.sms_max_segments, warnings=tuple(warnings),
        )
