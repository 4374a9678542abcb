"""Passwords, signed session cookies, CSRF tokens and login throttling.

- Passwords are hashed with argon2id (argon2-cffi defaults).
- The session lives in one cookie signed with itsdangerous (secret from
  PHARE_SECRET_KEY); it holds the user id, the CSRF token and a tag of the
  password hash, so changing a password ends the other sessions. The cookie
  is HttpOnly, SameSite=Lax, Secure when PHARE_COOKIE_SECURE=true, and
  expires after 8 hours.
- Every form carries the session's CSRF token; every POST checks it.
- Login throttling per (client address, account) with a growing wait
  (LoginThrottle), in Redis when PHARE_REDIS_URL is set, else in memory.
  The client address is the one nginx passes (PHARE_PROXIES_COUNT, see
  web.app), never the proxy's own.
- "Se déconnecter" revokes the session id in the database (table
  `revoked_session`), so a copy of the old cookie no longer works, even
  after the web server restarts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import re
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from phare.settings import Settings, settings

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


def new_password_problem(password: str, again: str) -> str | None:
    """A French reason why this new password, typed twice in a form, is refused, or None."""
    if password != again:
        return "Les deux mots de passe ne sont pas pareils."
    return password_problem(password)


_PLAIN_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def plain_email(email: str) -> bool:
    """An address without markup: no <, >, quotes, backquote, spaces, parentheses nor backslash (they end up in pages and emails)."""
    return bool(email) and len(email) <= 200 and _PLAIN_EMAIL.match(email) is not None


# --- Session cookie ----------------------------------------------------------


def secret_key() -> str:
    global _secret
    with _secret_lock:
        if _secret is None:
            configured = settings().secret_key
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
    """Sessions ended by "Se déconnecter" before their cookie expires, kept in the database.

    In memory only, a restart of the web server brought a logged-out cookie
    back to life (the cookie is signed with PHARE_SECRET_KEY, which survives
    restarts). Rows hold a hash of the session id and are deleted once the
    cookie would have expired anyway. If the database cannot be read, the
    session counts as ended (the admin needs the database anyway).
    """

    def __init__(self, clock=time.time, engine=None):
        self.clock = clock
        self._engine = engine
        self._known: set[str] = set()  # revoked here: no query needed
        self._lock = threading.Lock()

    def engine(self):
        if self._engine is not None:
            return self._engine
        from directory.db import get_engine

        return get_engine()

    @staticmethod
    def _hash(sid: str) -> str:
        return hashlib.sha256(sid.encode()).hexdigest()

    def revoke(self, sid: str | None) -> None:
        if not sid:
            return
        from sqlalchemy import delete, select

        from directory.models import RevokedSession

        key = self._hash(sid)
        now = dt.datetime.utcfromtimestamp(self.clock())
        with self._lock:
            self._known.add(key)
        with self.engine().begin() as connection:
            table = RevokedSession.__table__
            connection.execute(delete(table).where(table.c.expires_at < now))
            if connection.execute(select(table.c.sid_hash).where(table.c.sid_hash == key)).first() is None:
                connection.execute(table.insert().values(
                    sid_hash=key, expires_at=now + dt.timedelta(seconds=SESSION_MAX_AGE)))

    def revoked(self, sid: str | None) -> bool:
        if not sid:
            return False
        from sqlalchemy import select

        from directory.models import RevokedSession

        key = self._hash(sid)
        with self._lock:
            if key in self._known:
                return True
        table = RevokedSession.__table__
        now = dt.datetime.utcfromtimestamp(self.clock())
        try:
            with self.engine().connect() as connection:
                row = connection.execute(
                    select(table.c.sid_hash).where(table.c.sid_hash == key, table.c.expires_at >= now)).first()
        except Exception as exc:
            logger.error("session check: database unavailable (%s); session refused", type(exc).__name__)
            return True
        return row is not None


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
    return settings().cookie_secure


def set_session_cookie(response, data: dict) -> None:
    response.cookies[SESSION_COOKIE] = dump_session(data)
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/admin"
    cookie["max-age"] = SESSION_MAX_AGE
    if cookie_secure():
        cookie["secure"] = True


def csrf_ok(session: dict | None, submitted: str | None) -> bool:
    expected = (session or {}).get("csrf")
    return bool(expected and submitted) and hmac.compare_digest(str(expected).encode(), str(submitted).encode())


# --- Login throttling ----------------------------------------------------------


def wait_text(seconds: float) -> str:
    """French duration for the login page: "30 secondes", "2 minutes"."""
    seconds = max(1, int(math.ceil(seconds)))
    if seconds < 60:
        return f"{seconds} seconde" + ("s" if seconds > 1 else "")
    minutes = int(math.ceil(seconds / 60))
    return f"{minutes} minute" + ("s" if minutes > 1 else "")


class MemoryThrottleStore:
    """Failure counts in this process (the web server runs one)."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._items: dict[str, tuple[int, float, float]] = {}  # key -> (failures, last failure, expires)
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, float]:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[2] < self.clock():
                self._items.pop(key, None)
                return 0, 0.0
            return item[0], item[1]

    def add(self, key: str, now: float, ttl: float) -> None:
        with self._lock:
            if len(self._items) > 100_000:
                for old in [k for k, v in self._items.items() if v[2] < now]:
                    del self._items[old]
            count = self._items[key][0] if key in self._items and self._items[key][2] >= now else 0
            self._items[key] = (count + 1, now, now + ttl)

    def clear(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


class RedisThrottleStore:
    """Failure counts shared by every web process on one Redis; memory takes over if Redis stops answering."""

    def __init__(self, url: str, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.prefix = prefix
        self.fallback = MemoryThrottleStore()

    def get(self, key: str) -> tuple[int, float]:
        try:
            count, last = self.client.hmget(self.prefix + key, "n", "t")
        except Exception as exc:
            logger.warning("login throttle: Redis unavailable (%s); counting in memory", type(exc).__name__)
            return self.fallback.get(key)
        return (int(count), float(last)) if count is not None and last is not None else (0, 0.0)

    def add(self, key: str, now: float, ttl: float) -> None:
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.hincrby(self.prefix + key, "n", 1)
            pipe.hset(self.prefix + key, "t", repr(now))
            pipe.expire(self.prefix + key, max(1, int(math.ceil(ttl))))
            pipe.execute()
        except Exception as exc:
            logger.warning("login throttle: Redis unavailable (%s); counting in memory", type(exc).__name__)
            self.fallback.add(key, now, ttl)

    def clear(self, key: str) -> None:
        self.fallback.clear(key)
        try:
            self.client.delete(self.prefix + key)
        except Exception:
            pass


class LoginThrottle:
    """Failed logins per (client address, account), each one past the free ones doubling the wait.

    Keyed by the pair, never by the account alone nor by the address alone:
    behind the shipped nginx every request used to come from 127.0.0.1, and
    a per-account or per-address lock let anyone lock every staff member out.
    Now a guesser slows down only their own address for that account
    (`free` failures, then 2 s, 4 s, 8 s… up to `max_delay`), the right
    password from another address is never refused, and the same address
    waits at most `max_delay` before it may try again. Failures are forgotten
    `window` seconds after the last one, and on a successful login. Keys are
    hashes of the pair (no email nor address in Redis).
    """

    def __init__(self, free: int = 5, base_delay: float = 2.0, max_delay: float = 300.0, window: float = 3600.0,
                 clock=time.time, store=None):
        self.free = free
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.window = window
        self.clock = clock
        self.store = store or MemoryThrottleStore(clock=clock)

    @staticmethod
    def key(email: str, ip: str) -> str:
        return hashlib.sha256(f"{ip}\0{(email or '').strip().lower()}".encode()).hexdigest()[:40]

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2 ** min(failures - self.free, 30))

    def wait(self, email: str, ip: str) -> float:
        """Seconds before this address may try this account again (0: now)."""
        failures, last = self.store.get(self.key(email, ip))
        return max(0.0, last + self.delay(failures) - self.clock()) if failures else 0.0

    def failure(self, email: str, ip: str) -> None:
        self.store.add(self.key(email, ip), self.clock(), self.window)

    def success(self, email: str, ip: str) -> None:
        self.store.clear(self.key(email, ip))


def throttle_from(config: Settings) -> LoginThrottle:
    return LoginThrottle(free=config.login_max_failures, max_delay=config.login_max_delay,
                         store=RedisThrottleStore(config.redis_url, prefix=config.redis_prefix("login"))
                         if config.redis_url else None)


_throttle: LoginThrottle | None = None


def login_throttle() -> LoginThrottle:
    """The web server's throttle, built from the environment on first use."""
    global _throttle
    with _secret_lock:
        if _throttle is None:
            _throttle = throttle_from(settings())
        return _throttle
