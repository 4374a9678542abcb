"""Per-sender rate limit for the SMS channel (abuse and cost).

A sliding window: at most `limit` messages per `window` seconds for one
sender. The first message over the limit gets a short notice (NOTIFY), the
next ones get nothing (SILENT) until the sender is under the limit again.

Keys are the hashed sender ids of the SMS channel, never phone numbers.
Two backends: in memory (one process), and Redis (several Rasa instances
share the counts) when PHARE_REDIS_URL is set. If Redis stops answering,
the limiter falls back to memory rather than blocking residents.
"""
from __future__ import annotations

import asyncio
import enum
import logging
import math
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DEFAULT_RULE = "20/600"


class Decision(str, enum.Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # over the limit: send the notice once
    SILENT = "silent"  # over the limit, notice already sent: answer nothing


@dataclass(frozen=True)
class RateRule:
    limit: int
    window: float  # seconds

    @classmethod
    def parse(cls, text: str | None) -> RateRule:
        """"20/600" (20 messages per 600 s), "20/10m", "100/1h"; "0" or "off" disables the limit."""
        raw = (text or DEFAULT_RULE).strip().lower()
        if raw in ("0", "off", "none", "false"):
            return cls(0, 0.0)
        match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*([smh]?)", raw)
        if not match:
            raise ValueError(f"invalid rate limit {text!r}: expected e.g. '20/600' (messages/seconds)")
        limit = int(match.group(1))
        window = float(match.group(2)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(3)]
        if limit <= 0 or window <= 0:
            return cls(0, 0.0)
        return cls(limit, window)

    @property
    def enabled(self) -> bool:
        return self.limit > 0 and self.window > 0


class RateLimiter:
    rule: RateRule

    async def hit(self, key: str) -> Decision:  # pragma: no cover - interface
        raise NotImplementedError

    async def reset(self, key: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def close(self) -> None:
        return None


class MemoryRateLimiter(RateLimiter):
    """One process only (tests, a single Rasa instance)."""

    def __init__(self, rule: RateRule, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self.rule = rule
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._notified: dict[str, float] = {}
        self._lock = asyncio.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        horizon = now - self.rule.window
        while hits and hits[0] <= horizon:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        horizon = now - self.rule.window
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= horizon]:
            self._hits.pop(key, None)
            self._notified.pop(key, None)

    def hit_sync(self, key: str) -> Decision:
        if not self.rule.enabled:
            return Decision.ALLOW
        now = self.clock()
        if len(self._hits) >= self.max_keys:
            self._forget_idle(now)
        hits = self._prune(key, now)
        if len(hits) < self.rule.limit:
            hits.append(now)
            self._notified.pop(key, None)
            return Decision.ALLOW
        if key in self._notified:
            return Decision.SILENT
        self._notified[key] = now
        return Decision.NOTIFY

    async def hit(self, key: str) -> Decision:
        async with self._lock:
            return self.hit_sync(key)

    async def reset(self, key: str) -> None:
        self._hits.pop(key, None)
        self._notified.pop(key, None)


# KEYS[1] = sorted set of hit times, KEYS[2] = "notice sent" flag
# ARGV = now (s), window (s), limit, unique member
_SLIDING_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ttl = math.ceil(window * 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('DEL', KEYS[2])
  return 0
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ttl) then
  return 1
end
return 2
"""
_DECISIONS = {0: Decision.ALLOW, 1: Decision.NOTIFY, 2: Decision.SILENT}


class RedisRateLimiter(RateLimiter):
    """Shared by every Rasa instance that uses the same Redis."""

    def __init__(self, rule: RateRule, client, prefix: str, clock: Callable[[], float] = time.time) -> None:
        self.rule = rule
        self.client = client
        self.prefix = prefix
        self.clock = clock
        self._script = client.register_script(_SLIDING_WINDOW)
        self._fallback = MemoryRateLimiter(rule, clock=clock)
        self._failing = False

    @classmethod
    def from_url(cls, rule: RateRule, url: str, **kwargs) -> RedisRateLimiter:
        import redis.asyncio as redis_asyncio

        client = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(rule, client, **kwargs)

    def _keys(self, key: str) -> list[str]:
        return [f"{self.prefix}{key}", f"{self.prefix}{key}:notice"]

    async def hit(self, key: str) -> Decision:
        if not self.rule.enabled:
            return Decision.ALLOW
        try:
            now = self.clock()
            member = f"{now:.6f}-{uuid.uuid4().hex[:8]}"
            code = await self._script(keys=self._keys(key), args=[now, self.rule.window, self.rule.limit, member])
            if self._failing:
                logger.warning("Redis rate limit answers again")
                self._failing = False
            return _DECISIONS.get(int(code), Decision.ALLOW)
        except Exception as exc:  # never block residents because Redis is down
            if not self._failing:
                logger.warning("Redis rate limit unavailable (%s); counting in memory", type(exc).__name__)
                self._failing = True
            return await self._fallback.hit(key)

    async def reset(self, key: str) -> None:
        try:
            await self.client.delete(*self._keys(key))
        except Exception:
            pass
        await self._fallback.reset(key)

    async def close(self) -> None:
        try:
            await self.client.close()
        except Exception:
            pass


def build_rate_limiter(rule: RateRule, redis_url: str | None = None, **kwargs) -> RateLimiter:
    if redis_url:
        return RedisRateLimiter.from_url(rule, redis_url, **kwargs)
    return MemoryRateLimiter(rule)


def window_text(seconds: float) -> str:
    """French duration for notices: "10 minutes", "1 heure", "30 secondes"."""
    seconds = max(1, int(math.ceil(seconds)))
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} heure" + ("s" if hours > 1 else "")
    if seconds >= 60:
        minutes = int(math.ceil(seconds / 60))
        return f"{minutes} minute" + ("s" if minutes > 1 else "")
    return f"{seconds} seconde" + ("s" if seconds > 1 else "")
