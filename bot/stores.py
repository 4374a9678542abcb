"""Rasa's SQL tracker store and lock store, configured by Phare's environment.

One switch moves the conversations: `PHARE_TRACKER_URL` (or else
`PHARE_DATABASE_URL`) names the database; without either, conversations stay
in `var/tracker.db` (SQLite), so a restart keeps them. `PHARE_REDIS_URL`
turns on Redis locks so several Rasa processes can share conversations.
"""
from __future__ import annotations

import os
from typing import Any

import rasa.core.tracker_store as rasa_tracker_store
import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.exceptions import RasaException
from sqlalchemy.engine import make_url

from phare.settings import settings


def tracker_url() -> str:
    return settings().tracker_url


def sql_store_kwargs(url: str) -> dict[str, Any]:
    """SQLAlchemy URL -> the keyword arguments of Rasa's SQLTrackerStore."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        db = parsed.database or ":memory:"
        if db != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)
        return {"dialect": "sqlite", "db": db}
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


class PhareTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on Phare's database, its SQL errors without parameters.

    A failed write (read-only database, full disk) raises an SQLAlchemy error
    whose message quotes the statement's parameters, i.e. the event's JSON with
    the resident's text, and Rasa logs that message. `hide_parameters` keeps the
    statement and drops the values.
    """

    def __init__(self, domain: Domain | None = None, event_broker: EventBroker | None = None, **kwargs: Any) -> None:
        url = kwargs.pop("url", None) or tracker_url()
        kwargs.pop("type", None)
        super().__init__(domain=domain, event_broker=event_broker, **sql_store_kwargs(url))
        rasa_engine = self.engine
        self.engine = sa.create_engine(rasa_engine.url, hide_parameters=True,
                                       **rasa_tracker_store.create_engine_kwargs(rasa_engine.url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        rasa_engine.dispose()


def redis_lock_kwargs(url: str) -> dict[str, Any]:
    """redis://[user:password@]host:port/db -> the keyword arguments of Rasa's RedisLockStore."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    db = (parsed.path or "/1").lstrip("/") or "1"
    return {
        "host": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
        "db": int(db),
        "username": parsed.username,
        "password": parsed.password,
        "use_ssl": parsed.scheme == "rediss",
        "key_prefix": settings().lock_prefix,
    }


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's RedisLockStore, each change of a conversation's ticket lock made under a Redis mutex.

    Rasa reads a conversation's lock, changes it and writes it back in separate
    commands. Two instances issuing tickets for one resident at the same moment
    can then get the same number (two turns at once) or erase each other's
    ticket (a message waits until its ticket expires, 60 s, then fails). Seen
    in tests/e2e/test_two_instances.py (concurrent sends to two instances);
    redis-py's Lock makes each read-change-write whole. Waiting for one's turn
    stays Rasa's own loop.
    """

    MUTEX_TIMEOUT = 10.0  # seconds; a read-change-write takes a few milliseconds

    def _mutex(self, conversation_id: str):
        root = self.key_prefix[: -len("lock:")] if self.key_prefix.endswith("lock:") else self.key_prefix
        return self.red.lock(f"{root}mutex:{conversation_id}", timeout=self.MUTEX_TIMEOUT,
                             blocking_timeout=self.MUTEX_TIMEOUT, sleep=0.002)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving, is_someone_waiting and delete_lock together: no ticket
        # issued in between can be deleted with the lock.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


class PhareLockStore(LockStore):
    """Redis locks (AtomicRedisLockStore) when PHARE_REDIS_URL is set (several Rasa processes), else in memory."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        url = settings().redis_url
        if url:
            return AtomicRedisLockStore(**redis_lock_kwargs(url))
        check_single_process()
        return InMemoryLockStore()


def check_single_process() -> None:
    """In-memory locks serve one process only: refuse to start several Sanic workers with them.

    Rasa lets a custom lock store run with SANIC_WORKERS > 1, trusting it to
    be shared; without PHARE_REDIS_URL Phare's is not, and two workers could
    then answer one resident's messages at the same time, out of order.
    """
    workers = settings().sanic_workers
    if workers > 1:
        raise RasaException(
            f"SANIC_WORKERS={workers} demande des verrous partagés : définissez PHARE_REDIS_URL "
            "(Redis) ou gardez un seul processus Rasa par instance."
        )
