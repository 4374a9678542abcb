"""The continuation store behind PLUS: the rest of a cut answer, or a late answer (memory or Redis)."""
from __future__ import annotations

import json
import time
from collections.abc import Callable

PAGER_TTL = 3600  # seconds a cut answer stays available for PLUS


class Pager:
    """What a resident reads after "PLUS": the rest of a cut answer, or a late answer.

    Public directory texts only (never a number), kept PAGER_TTL seconds.
    """

    async def get(self, key: str) -> dict | None:  # pragma: no cover - interface
        raise NotImplementedError

    async def set(self, key: str, value: dict) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def clear(self, key: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class MemoryPager(Pager):
    def __init__(self, ttl: float = PAGER_TTL, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000):
        self.ttl = ttl
        self.clock = clock
        self.max_keys = max_keys
        self._items: dict[str, tuple] = {}

    async def get(self, key: str) -> dict | None:
        item = self._items.get(key)
        if not item:
            return None
        if item[0] < self.clock():
            self._items.pop(key, None)
            return None
        return item[1]

    async def set(self, key: str, value: dict) -> None:
        now = self.clock()
        if len(self._items) >= self.max_keys:
            for k in [k for k, (expires, _) in self._items.items() if expires < now]:
                self._items.pop(k, None)
            while len(self._items) >= self.max_keys:
                self._items.pop(next(iter(self._items)))
        self._items[key] = (now + self.ttl, value)

    async def clear(self, key: str) -> None:
        self._items.pop(key, None)


class RedisPager(Pager):
    def __init__(self, url: str, prefix: str, ttl: int = PAGER_TTL) -> None:
        import redis.asyncio as redis_asyncio

        self.client = redis_asyncio.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.ttl = int(ttl)
        self.prefix = prefix
        self._fallback = MemoryPager(ttl)

    async def get(self, key: str) -> dict | None:
        try:
            raw = await self.client.get(self.prefix + key)
            return json.loads(raw) if raw else await self._fallback.get(key)
        except Exception:
            return await self._fallback.get(key)

    async def set(self, key: str, value: dict) -> None:
        try:
            await self.client.set(self.prefix + key, json.dumps(value, ensure_ascii=False), ex=self.ttl)
        except Exception:
            await self._fallback.set(key, value)

    async def clear(self, key: str) -> None:
        await self._fallback.clear(key)
        try:
            await self.client.delete(self.prefix + key)
        except Exception:
            pass
