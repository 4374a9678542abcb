"""Every setting Phare reads from the environment, read once per process and typed.

`settings()` reads `os.environ` the first time it is called and keeps the
result: each process (Rasa, actions, web, a command line) reads its own
environment when it starts. `Settings.from_env(mapping)` builds one from any
mapping, for tests and for the launcher, which checks its children's
environment before starting them.

A number that is not a number (`PHARE_RETENTION_DAYS=abc`), or outside what
Phare can use, raises `SettingError` with a French message that names the
variable, the value and what is expected: every entry point prints it and
stops. Each variable is listed, with its default, in the README's
"Configuration" tables (a test compares them with what `from_env` reads).

This module imports nothing of Phare's: `directory/` (the core), `bot/`,
`actions/` and the web package all read it.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

Number = int | float

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MAIL_FROM = "Phare <phare@localhost>"
DEFAULT_SMS_TIMEOUT = 10.0  # seconds; Twilio gives up at 15
DEFAULT_SMS_MAX_SEGMENTS = 3
TRUE_WORDS = frozenset({"1", "true", "yes", "oui"})
FALSE_WORDS = frozenset({"0", "false", "no", "non", "off"})


class SettingError(ValueError):
    """A setting with a value Phare cannot use; the message is French, for whoever configures Phare."""


class _Reader:
    """Typed reads of one environment mapping; blank counts as absent."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def text(self, name: str) -> str | None:
        return (self.env.get(name) or "").strip() or None

    def number(self, name: str, default: Number, *, minimum: Number | None = None, maximum: Number | None = None,
               integer: bool = True) -> Number:
        raw = self.text(name)
        if raw is None:
            return default
        kind = "un nombre entier" if integer else "un nombre"
        bounds = ""
        if minimum is not None and maximum is not None:
            bounds = f" entre {minimum} et {maximum}"
        elif minimum is not None:
            bounds = f" d'au moins {minimum}"
        elif maximum is not None:
            bounds = f" d'au plus {maximum}"
        refused = SettingError(f"{name}={raw!r} n'est pas valide : indiquez {kind}{bounds} (défaut : {default}).")
        try:
            value: Number = int(raw) if integer else float(raw.replace(",", "."))
        except ValueError:
            raise refused from None
        if value != value or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise refused
        return value

    def integer(self, name: str, default: int, minimum: int, maximum: int) -> int:
        return int(self.number(name, default, minimum=minimum, maximum=maximum))

    def seconds(self, name: str, default: float, minimum: float | None = None, maximum: float | None = None) -> float:
        return float(self.number(name, default, minimum=minimum, maximum=maximum, integer=False))

    def port(self, name: str, default: int) -> int:
        return self.integer(name, default, 1, 65535)

    def flag(self, name: str) -> bool | None:
        """True or False when the variable says so (oui/non, true/false, 1/0...), None when it is absent."""
        raw = self.text(name)
        if raw is None:
            return None
        return raw.lower() not in FALSE_WORDS


@dataclass(frozen=True)
class Settings:
    # Storage
    var_dir: Path
    database_url: str
    tracker_url: str
    redis_url: str | None
    lock_prefix: str
    retention_days: int
    # Processes
    bind: str
    actions_bind: str
    rasa_port: int
    actions_port: int
    web_port: int
    start_timeout: float
    sanic_workers: int
    log_level: str
    log_format: str
    # Conversation
    action_timeout: float
    turn_timeout: float
    rasa_url: str
    rasa_timeout: float
    # Staff site and mail
    secret_key: str | None
    totp_key: str  # encrypts TOTP secrets at rest (directory.secret_box); empty when unset
    cookie_secure: bool
    proxies_count: int
    login_max_failures: int
    login_max_delay: float
    public_url: str | None
    smtp_url: str | None
    mail_from: str
    new_user_password: str | None
    # SMS (interpreted by bot.channels.sms.settings)
    twilio_auth_token: str | None
    sms_public_url: str | None
    sender_secret: str | None
    sms_validate: bool | None
    sms_numbers: str | None
    sms_rate_limit: str | None
    sms_timeout: float
    sms_max_segments: int

    def redis_prefix(self, *scope: str) -> str:
        """Where a store keeps its Redis keys: under this installation's PHARE_LOCK_PREFIX ("phare:sms:seen:").

        Two installations, or two test runs, sharing one Redis never see each other's keys.
        """
        return ":".join((self.lock_prefix, *scope)) + ":"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        read = _Reader(env)
        var_dir = Path(read.text("PHARE_VAR_DIR") or PROJECT_ROOT / "var")
        database_url = read.text("PHARE_DATABASE_URL")
        return cls(
            var_dir=var_dir,
            database_url=database_url or f"sqlite:///{var_dir / 'phare.db'}",
            tracker_url=read.text("PHARE_TRACKER_URL") or database_url or f"sqlite:///{var_dir / 'tracker.db'}",
            redis_url=read.text("PHARE_REDIS_URL"),
            lock_prefix=read.text("PHARE_LOCK_PREFIX") or "phare",
            retention_days=read.integer("PHARE_RETENTION_DAYS", 90, 1, 36500),
            bind=read.text("PHARE_BIND") or "127.0.0.1",
            actions_bind=read.text("PHARE_ACTIONS_BIND") or "127.0.0.1",
            rasa_port=read.port("PHARE_RASA_PORT", 5005),
            actions_port=read.port("PHARE_ACTIONS_PORT", 5055),
            web_port=read.port("PHARE_WEB_PORT", 8000),
            start_timeout=read.seconds("PHARE_START_TIMEOUT", 180, 10, 3600),
            sanic_workers=read.integer("SANIC_WORKERS", 1, 1, 64),
            # LOG_LEVEL is Rasa's own variable; Phare's wins when both are set.
            log_level=(read.text("PHARE_LOG_LEVEL") or read.text("LOG_LEVEL") or "INFO").upper(),
            log_format=(read.text("PHARE_LOG_FORMAT") or "json").lower(),
            action_timeout=read.seconds("PHARE_ACTION_TIMEOUT", 5, 0.1, 300),
            turn_timeout=read.seconds("PHARE_TURN_TIMEOUT", 8, 0.1, 300),
            # Where Rasa listens unless said otherwise: the port this installation gives it.
            rasa_url=(read.text("PHARE_RASA_URL") or f"http://127.0.0.1:{read.port('PHARE_RASA_PORT', 5005)}").rstrip("/"),
            rasa_timeout=read.seconds("PHARE_RASA_TIMEOUT", 30, 1, 600),
            secret_key=read.text("PHARE_SECRET_KEY"),
            totp_key=read.text("PHARE_TOTP_KEY") or "",
            cookie_secure=(read.text("PHARE_COOKIE_SECURE") or "").lower() in TRUE_WORDS,
            proxies_count=read.integer("PHARE_PROXIES_COUNT", 0, 0, 5),
            login_max_failures=read.integer("PHARE_LOGIN_MAX_FAILURES", 5, 1, 1000),
            login_max_delay=read.seconds("PHARE_LOGIN_MAX_DELAY", 300, 1, 86400),
            public_url=(read.text("PHARE_PUBLIC_URL") or "").rstrip("/") or None,
            smtp_url=read.text("PHARE_SMTP_URL"),
            mail_from=read.text("PHARE_MAIL_FROM") or DEFAULT_MAIL_FROM,
            new_user_password=env.get("PHARE_NEW_USER_PASSWORD") or None,  # a password is taken as typed
            twilio_auth_token=read.text("TWILIO_AUTH_TOKEN"),
            sms_public_url=(read.text("PHARE_SMS_PUBLIC_URL") or "").rstrip("/") or None,
            sender_secret=read.text("PHARE_SENDER_SECRET"),
            sms_validate=read.flag("PHARE_SMS_VALIDATE"),
            sms_numbers=read.text("PHARE_SMS_NUMBERS"),
            sms_rate_limit=read.text("PHARE_SMS_RATE_LIMIT"),
            # Checked against Twilio's 15 s by the SMS channel, which falls back to its default.
            sms_timeout=read.seconds("PHARE_SMS_TIMEOUT", DEFAULT_SMS_TIMEOUT),
            sms_max_segments=read.integer("PHARE_SMS_MAX_SEGMENTS", DEFAULT_SMS_MAX_SEGMENTS, 1, 10),
        )


class _Recorder(dict):  # type: ignore[type-arg]
    """An empty environment that notes every name asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, name, default=None):  # type: ignore[no-untyped-def]
        self.asked.add(name)
        return default


def variable_names() -> frozenset[str]:
    """Every environment variable `Settings.from_env` reads (for the README's tables and the deployment files)."""
    recorder = _Recorder()
    Settings.from_env(recorder)
    return frozenset(recorder.asked)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """This process's settings, read from its environment on first use."""
    return Settings.from_env(os.environ)
