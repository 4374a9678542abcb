"""Passwords, signed session cookies, CSRF tokens and login throttling.

- Passwords are hashed with argon2id (argon2-cffi defaults).
- The session lives in one cookie signed with itsdangerous (secret from
  PHARE_SECRET_KEY); it holds the user id, the CSRF token and a tag of the
  password hash, so changing a password ends the other sessions. The cookie
  is HttpOnly, SameSite=Lax, Secure when PHARE_COOKIE_SECURE=true, and
  expires after 8 hours.
- Every form carries the session's CSRF token; every POST checks it.
- Login throttling is kept in memory (the web server runs one process):
  after 5 failures for one email, or 20 for one client IP (an MRC office
  shares one address), within 15 minutes, logins are refused until the
  oldest failure is 15 minutes old. A restart forgets the failures.
- "Se déconnecter" revokes the session id in memory too, so a copy of the
  old cookie no longer works (a restart of the web server changes nothing
  for signed cookies made with PHARE_SECRET_KEY; they expire after 8 h).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

logger = logging.getLogger(__name__)

SESSION_COOKIE = "phare_admin"
SESSION_MAX_AGE = 8 * 3600
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
_secret: str | None = None
_secret_lock = threading.Lock()


# --- Passwords ---------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """A French reason why this password is refused, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if password.strip() != password:
        return "Le mot de passe ne doit pas commencer ni finir par une espace."
    return None


# --- Session cookie ----------------------------------------------------------


def secret_key() -> str:
    global _secret
    with _secret_lock:
        if _secret is None:
            configured = os.environ.get("PHARE_SECRET_KEY", "").strip()
            if configured:
                _secret = configured
            else:
                _secret = secrets.token_urlsafe(48)
                logger.warning(
                    "PHARE_SECRET_KEY is not set: using a random key for this process "
                    "(sessions end when the web server restarts). Set it in production."
                )
        return _secret


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt="phare-admin-session")


def password_tag(password_hash: str) -> str:
    """Short keyed tag of the password hash: a new password ends old sessions."""
    return hmac.new(secret_key().encode(), (password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]


def new_session(user_id: str | None = None, password_hash: str | None = None) -> dict:
    data = {"csrf": secrets.token_urlsafe(32)}
    if user_id:
        data["uid"] = user_id
        data["pw"] = password_tag(password_hash or "")
        data["sid"] = secrets.token_urlsafe(16)
    return data


class RevokedSessions:
    """Sessions ended by "Se déconnecter" before their cookie expires (memory, one process)."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._ends: dict[str, float] = {}
        self._lock = threading.Lock()

    def revoke(self, sid: str | None) -> None:
        if not sid:
            return
        now = self.clock()
        with self._lock:
            for key in [k for k, end in self._ends.items() if end < now]:
                del self._ends[key]
            self._ends[sid] = now + SESSION_MAX_AGE

    def revoked(self, sid: str | None) -> bool:
        with self._lock:
            return bool(sid) and sid in self._ends


REVOKED = RevokedSessions()


def dump_session(data: dict) -> str:
    return _serializer().dumps(data)


def load_session(value: str | None, max_age: int = SESSION_MAX_AGE) -> dict | None:
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    if REVOKED.revoked(data.get("sid")):
        return None
    return data


def cookie_secure() -> bool:
    return os.environ.get("PHARE_COOKIE_SECURE", "").strip().lower() in ("1", "true", "yes", "oui")


def set_session_cookie(response, data: dict) -> None:
    response.cookies[SESSION_COOKIE] = dump_session(data)
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/admin"
    cookie["max-age"] = SESSION_MAX_AGE
    if cookie_secure():
        cookie["secure"] = True


def clear_session_cookie(response) -> None:
    response.cookies[SESSION_COOKIE] = ""
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/admin"
    cookie["max-age"] = 0


def csrf_ok(session: dict | None, submitted: str | None) -> bool:
    expected = (session or {}).get("csrf")
    return bool(expected and submitted) and hmac.compare_digest(str(expected).encode(), str(submitted).encode())


# --- Login throttling ----------------------------------------------------------


class LoginThrottle:
    """Failures per email and per client IP in a sliding window (memory)."""

    def __init__(self, max_per_email: int = 5, max_per_ip: int = 20, window: float = 15 * 60, clock=time.monotonic):
        self.max_per_email = max_per_email
        self.max_per_ip = max_per_ip
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        entries = self._failures[key]
        while entries and now - entries[0] >= self.window:
            entries.popleft()
        return entries

    def blocked(self, email: str, ip: str) -> bool:
        now = self.clock()
        with self._lock:
            return (
                len(self._recent("email:" + email.lower(), now)) >= self.max_per_email
                or len(self._recent("ip:" + ip, now)) >= self.max_per_ip
            )

    def failure(self, email: str, ip: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent("email:" + email.lower(), now).append(now)
            self._recent("ip:" + ip, now).append(now)

    def success(self, email: str) -> None:
        with self._lock:
            self._failures.pop("email:" + email.lower(), None)


def throttle_from_env() -> LoginThrottle:
    return LoginThrottle(
        max_per_email=int(os.environ.get("PHARE_LOGIN_MAX_FAILURES", 5)),
        max_per_ip=int(os.environ.get("PHARE_LOGIN_MAX_FAILURES_PER_IP", 20)),
        window=float(os.environ.get("PHARE_LOGIN_WINDOW_SECONDS", 15 * 60)),
    )
