"""Replay memory: each Twilio MessageSid is answered once, for 24 hours.

Twilio retries a webhook it thinks failed, and anyone who captured one signed
request can post it again (the signature stays valid). Without a memory, every
copy was a new turn, a new need-log row and one more hit on the resident's rate
limit. The first request with a MessageSid claims it; the reply it produced is
kept (public directory text, never a number) and every copy gets that same
reply, without a turn and without counting it. A copy that arrives while the
first is still being answered waits for that answer (up to the SMS timeout).

Keys hold the hashed conversation id and the MessageSid, never a phone number.
Redis (shared by every Rasa instance) when PHARE_REDIS_URL is set, else memory;
if Redis stops answering, memory takes over rather than refusing residents.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

REPLAY_TTL = 24 * 3600  # seconds a MessageSid is remembered
PENDING = "pending"
POLL_INTERVAL = 0.05


class ReplayMemory:
    """claim() a MessageSid before answering it, remember() the reply, recall() it for copies."""

    async def claim(self, key: str) -> bool:  # pragma: no cover - interface
        """True if this is the first time the key is seen (the caller answers it)."""
        raise NotImplementedError

    async def remember(self, key: str, reply: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def recall(self, key: str) -> dict | None:  # pragma: no cover - interface
        """The stored reply, {"pending": True} while the first request is being answered, or None."""
        raise NotImplementedError

    async def forget(self, key: str) -> None:  # pragma: no cover - interface
        """Release a claim whose answer failed before any reply existed."""
        raise NotImplementedError

    async def wait(self, key: str, timeout: float) -> dict | None:
        """The first request's reply, waiting for it while it is pending; None if it never came."""
        deadline = time.monotonic() + timeout
        while True:
            stored = await self.recall(key)
            if stored is None or not stored.get(PENDING):
                return stored
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(POLL_INTERVAL)


class MemoryReplayMemory(ReplayMemory):
    """One process (tests, a single Rasa instance)."""

    def __init__(self, ttl: float = REPLAY_TTL, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 200_000) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_keys = max_keys
        self._items: dict[str, tuple[float, dict]] = {}

    def _live(self, key: str) -> dict | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] < self.clock():
            self._items.pop(key, None)
            return None
        return item[1]

    def _store(self, key: str, value: dict) -> None:
        now = self.clock()
        if key not in self._items and len(self._items) >= self.max_keys:
            for old in [k for k, (expires, _) in self._items.items() if expires < now]:
                self._items.pop(old, None)
            while len(self._items) >= self.max_keys:
                self._items.pop(next(iter(self._items)))
        self._items[key] = (now + self.ttl, value)

    async def claim(self, key: str) -> bool:
        if self._live(key) is not None:
            return False
        self._store(key, {PENDING: True})
        return True

    async def remember(self, key: str, reply: dict) -> None:
        self._store(key, reply)

    async def recall(self, key: str) -> dict | None:
        return self._live(key)

    async def forget(self, key: str) -> None:
        self._items.pop(key, None)


class RedisReplayMemory(ReplayMemory):
    """Shared by every Rasa instance on the same Redis (SET NX claims, EX 24 h)."""

    def __init__(self, client, prefix: str, ttl: int = REPLAY_TTL) -> None:
        self.client = client
        self.ttl = int(ttl)
        self.prefix = prefix
        self._fallback = MemoryReplayMemory(ttl)
        self._failing = False

    @classmethod
    def from_url(cls, url: str, **kwargs) -> RedisReplayMemory:
        import redis.asyncio as redis_asyncio

        return cls(redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), **kwargs)

    def _failed(self, exc: Exception) -> None:
        if not self._failing:
            logger.warning("Redis replay memory unavailable (%s); remembering in memory", type(exc).__name__)
            self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            logger.warning("Redis replay memory answers again")
            self._failing = False

    async def claim(self, key: str) -> bool:
        try:
            claimed = await self.client.set(self.prefix + key, json.dumps({PENDING: True}), nx=True, ex=self.ttl)
            self._recovered()
            return bool(claimed)
        except Exception as exc:
            self._failed(exc)
            return await self._fallback.claim(key)

    async def remember(self, key: str, reply: dict) -> None:
        try:
            await self.client.set(self.prefix + key, json.dumps(reply, ensure_ascii=False), ex=self.ttl)
            self._recovered()
        except Exception as exc:
            self._failed(exc)
            await self._fallback.remember(key, reply)

    async def recall(self, key: str) -> dict | None:
        try:
            raw = await self.client.get(self.prefix + key)
        except Exception as exc:
            self._failed(exc)
            return await self._fallback.recall(key)
        return json.loads(raw) if raw else await self._fallback.recall(key)

    async def forget(self, key: str) -> None:
        await self._fallback.forget(key)
        try:
            await self.client.delete(self.prefix + key)
        except Exception as exc:
            self._failed(exc)

    async def close(self) -> None:
        try:
            await self.client.close()
        except Exception:
            pass


def build_replay_memory(redis_url: str | None, prefix: str) -> ReplayMemory:
    if redis_url:
        return RedisReplayMemory.from_url(redis_url, prefix=prefix)
    return MemoryReplayMemory()
