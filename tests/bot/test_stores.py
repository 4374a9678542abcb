"""The single switches: PHARE_DATABASE_URL / PHARE_TRACKER_URL for conversations, PHARE_REDIS_URL for locks."""
import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.exceptions import RasaException

from bot.stores import PhareLockStore, redis_lock_kwargs, sql_store_kwargs, tracker_url
from tests.support import set_env


def test_tracker_follows_the_database_switch(monkeypatch, tmp_path):
    set_env(monkeypatch, PHARE_TRACKER_URL=None)
    set_env(monkeypatch, PHARE_DATABASE_URL="postgresql://phare:secret@db.example:5433/phare")
    assert tracker_url() == "postgresql://phare:secret@db.example:5433/phare"
    assert sql_store_kwargs(tracker_url()) == {
        "dialect": "postgresql", "host": "db.example", "port": 5433, "db": "phare",
        "username": "phare", "password": "secret", "query": None,
    }
    set_env(monkeypatch, PHARE_TRACKER_URL=f"sqlite:///{tmp_path / 'conversations' / 'tracker.db'}")
    assert sql_store_kwargs(tracker_url()) == {"dialect": "sqlite", "db": str(tmp_path / "conversations" / "tracker.db")}
    assert (tmp_path / "conversations").is_dir()  # SQLite needs its folder


def test_redis_url_turns_on_redis_locks(monkeypatch):
    set_env(monkeypatch, PHARE_REDIS_URL="rediss://user:pw@cache.example:6380/3")
    set_env(monkeypatch, PHARE_LOCK_PREFIX="bsl")
    assert redis_lock_kwargs("rediss://user:pw@cache.example:6380/3") == {
        "host": "cache.example", "port": 6380, "db": 3, "username": "user", "password": "pw", "use_ssl": True,
        "key_prefix": "bsl",
    }
    set_env(monkeypatch, PHARE_REDIS_URL="redis://127.0.0.1:6379/5")
    assert isinstance(PhareLockStore(), RedisLockStore)


def test_memory_locks_for_one_process_only(monkeypatch):
    set_env(monkeypatch, PHARE_REDIS_URL=None)
    set_env(monkeypatch, SANIC_WORKERS=None)
    assert isinstance(PhareLockStore(), InMemoryLockStore)
    set_env(monkeypatch, SANIC_WORKERS="1")
    assert isinstance(PhareLockStore(), InMemoryLockStore)
    set_env(monkeypatch, SANIC_WORKERS="3")
    with pytest.raises(RasaException, match="PHARE_REDIS_URL"):
        PhareLockStore()
    set_env(monkeypatch, PHARE_REDIS_URL="redis://127.0.0.1:6379/5")
    assert isinstance(PhareLockStore(), RedisLockStore)


def _instances(redis_url: str, count: int):
    """`count` lock stores on one Redis, as `count` Rasa instances would have, with a prefix of their own."""
    import uuid

    from bot.stores import AtomicRedisLockStore

    kwargs = {**redis_lock_kwargs(redis_url), "key_prefix": f"t{uuid.uuid4().hex[:10]}"}
    return [AtomicRedisLockStore(**kwargs) for _ in range(count)]


def test_tickets_issued_at_once_by_several_instances_are_all_kept(redis_url):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    stores = _instances(redis_url, 4)
    senders = 24
    start = threading.Barrier(senders)

    def issue(i: int) -> int:
        start.wait()
        return stores[i % len(stores)].issue_ticket("resident", lock_lifetime=60)

    with ThreadPoolExecutor(senders) as pool:
        tickets = list(pool.map(issue, range(senders)))
    # Every message has its own number, and every number is still in the shared lock, in order.
    assert len(set(tickets)) == senders, sorted(tickets)
    lock = stores[0].get_lock("resident")
    assert [t.number for t in lock.tickets] == sorted(tickets)
    assert lock.now_serving == min(tickets)

    def finish(ticket: int) -> None:
        stores[ticket % len(stores)].cleanup("resident", ticket)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(finish, tickets))
    assert stores[0].get_lock("resident") is None  # the last one out removed the lock


def test_a_ticket_issued_while_another_finishes_is_not_lost(redis_url):
    import threading

    stores = _instances(redis_url, 2)
    for round_number in range(30):
        conversation = f"resident-{round_number}"
        first = stores[0].issue_ticket(conversation, lock_lifetime=60)
        start = threading.Barrier(2)
        issued: list[int] = []

        def finish_first(start=start, conversation=conversation, first=first) -> None:
            start.wait()
            stores[0].cleanup(conversation, first)

        def issue_second(start=start, conversation=conversation, issued=issued) -> None:
            start.wait()
            issued.append(stores[1].issue_ticket(conversation, lock_lifetime=60))

        threads = [threading.Thread(target=finish_first), threading.Thread(target=issue_second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lock = stores[1].get_lock(conversation)
        assert lock is not None and [t.number for t in lock.tickets] == issued, round_number
        assert not lock.is_locked(issued[0])  # the second message's turn has come
        stores[1].cleanup(conversation, issued[0])


def test_failed_tracker_write_logs_no_sql_parameters(postgres_url, caplog):
    """A read-only database: the error Rasa logs quotes the statement, never the resident's text."""
    import asyncio
    import logging

    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import create_engine, text

    from bot.stores import PhareTrackerStore

    marker = "Parametrounette"
    store = FailSafeTrackerStore(PhareTrackerStore(url=postgres_url))  # as Rasa's agent wraps it
    engine = create_engine(postgres_url, future=True, isolation_level="AUTOCOMMIT")
    name = engine.url.database
    with engine.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    try:
        store._tracker_store.engine.dispose()  # new connections: read-only ones
        tracker = DialogueStateTracker.from_events("11111111-2222-4333-8444-555555555555",
                                                   [UserUttered(f"j'ai faim {marker}")])
        with caplog.at_level(logging.DEBUG):
            asyncio.run(store.save(tracker))
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
        engine.dispose()
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures, "the failed write was not logged"
    for record in caplog.records:
        assert marker not in record.getMessage()
