"""Secrets kept encrypted at rest: the second-factor (TOTP) secrets of staff.

The column type `EncryptedText` encrypts on write and decrypts on read: the
code that checks a six-digit code reads the plain secret, while the database
(and its backups) only ever holds a Fernet token (AES-128-CBC with a random
IV, authenticated by HMAC-SHA256), which a database dump alone cannot open.

The key is PHARE_TOTP_KEY: any text of at least 32 characters (e.g.
`openssl rand -base64 32`); the Fernet key is derived from it with
HKDF-SHA256. It is apart from PHARE_SECRET_KEY on purpose: changing the key
that signs sessions (to end them all) must not lock every administrator out.
Without PHARE_TOTP_KEY a second factor cannot be turned on, and the web
server refuses to start while a secret is stored (`check_stored`), with a
French message that says what to do.
"""
from __future__ import annotations

import base64
import functools
import re
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String, text
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from phare.settings import Settings, settings

KEY_VARIABLE = "PHARE_TOTP_KEY"
MIN_KEY_LENGTH = 32
TOKEN_LENGTH = 200  # a Fernet token of a 32-character secret is 140 characters
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")  # a secret as pyotp makes it; a Fernet token starts with "gAAAAA"

MISSING_KEY = (
    f"{KEY_VARIABLE} n'est pas défini, alors que des secrets de vérification en deux étapes sont enregistrés : "
    "Phare ne peut pas les lire. Définissez-le (au moins 32 caractères, ex. `openssl rand -base64 32`) avec la "
    "valeur utilisée jusqu'ici, dans /etc/phare/phare.env ou le fichier .env de docker compose."
)
WRONG_KEY = (
    f"{KEY_VARIABLE} ne correspond pas à la clé qui a chiffré les secrets de vérification en deux étapes : "
    "remettez la valeur utilisée jusqu'ici. Si elle est perdue, désactivez la vérification en deux étapes des "
    "comptes concernés (UPDATE app_user SET totp_secret_encrypted = NULL) : ils la réactiveront à leur prochaine connexion."
)
SHORT_KEY = f"{KEY_VARIABLE} est trop court : indiquez au moins {MIN_KEY_LENGTH} caractères (ex. `openssl rand -base64 32`)."


class SecretKeyError(RuntimeError):
    """The encryption key is missing, too short or wrong; the message is French, for whoever runs Phare."""


def configured_key(env: Mapping[str, str] | None = None) -> str:
    """The key of this process (read once with the other settings), or the one in `env`."""
    return (settings() if env is None else Settings.from_env(env)).totp_key.strip()


@functools.lru_cache(maxsize=4)
def _fernet(raw_key: str) -> Fernet:
    if len(raw_key) < MIN_KEY_LENGTH:
        raise SecretKeyError(SHORT_KEY)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"phare totp secret").derive(raw_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def available(env: Mapping[str, str] | None = None) -> bool:
    """Whether secrets can be encrypted now (a key of the right length is set)."""
    raw = configured_key(env)
    return len(raw) >= MIN_KEY_LENGTH


def encrypt(secret: str, env: Mapping[str, str] | None = None) -> str:
    raw = configured_key(env)
    if not raw:
        raise SecretKeyError(MISSING_KEY)
    return _fernet(raw).encrypt(secret.encode()).decode("ascii")


def decrypt(token: str, env: Mapping[str, str] | None = None) -> str:
    raw = configured_key(env)
    if not raw:
        raise SecretKeyError(MISSING_KEY)
    try:
        return _fernet(raw).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise SecretKeyError(WRONG_KEY) from None


def is_plain(value: str) -> bool:
    """A secret stored before encryption (base32), as opposed to a Fernet token."""
    return bool(_BASE32.match(value))


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token; Python code sees the plain text."""

    impl = String(TOKEN_LENGTH)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def check_stored(engine: Engine) -> None:
    """At start-up: a configured key is usable and decrypts the stored secrets, else SecretKeyError (French)."""
    raw = configured_key()
    if raw:
        _fernet(raw)  # too short: said now rather than at the first second-factor login
    with engine.connect() as connection:
        # Raw text (not through EncryptedText), to tell a missing key from a wrong one.
        token = connection.execute(text("SELECT totp_secret_encrypted FROM app_user "
                                        "WHERE totp_secret_encrypted IS NOT NULL")).scalar()
    if token is None:
        return
    if not raw:
        raise SecretKeyError(MISSING_KEY)
    decrypt(token)
