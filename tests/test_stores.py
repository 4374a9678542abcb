"""The single switches: PHARE_DATABASE_URL / PHARE_TRACKER_URL for conversations, PHARE_REDIS_URL for locks."""
import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.exceptions import RasaException

from bot.stores import PhareLockStore, redis_lock_kwargs, sql_store_kwargs, tracker_url


def test_tracker_follows_the_database_switch(monkeypatch, tmp_path):
    monkeypatch.delenv("PHARE_TRACKER_URL", raising=False)
    monkeypatch.setenv("PHARE_DATABASE_URL", "postgresql://phare:secret@db.example:5433/phare")
    assert tracker_url() == "postgresql://phare:secret@db.example:5433/phare"
    assert sql_store_kwargs(tracker_url()) == {
        "dialect": "postgresql", "host": "db.example", "port": 5433, "db": "phare",
        "username": "phare", "password": "secret", "query": None,
    }
    monkeypatch.setenv("PHARE_TRACKER_URL", f"sqlite:///{tmp_path / 'conversations' / 'tracker.db'}")
    assert sql_store_kwargs(tracker_url()) == {"dialect": "sqlite", "db": str(tmp_path / "conversations" / "tracker.db")}
    assert (tmp_path / "conversations").is_dir()  # SQLite needs its folder


def test_redis_url_turns_on_redis_locks(monkeypatch):
    monkeypatch.setenv("PHARE_REDIS_URL", "rediss://user:pw@cache.example:6380/3")
    monkeypatch.setenv("PHARE_LOCK_PREFIX", "bsl")
    assert redis_lock_kwargs("rediss://user:pw@cache.example:6380/3") == {
        "host": "cache.example", "port": 6380, "db": 3, "username": "user", "password": "pw", "use_ssl": True,
        "key_prefix": "bsl",
    }
    monkeypatch.setenv("PHARE_REDIS_URL", "redis://127.0.0.1:6379/5")
    assert isinstance(PhareLockStore(), RedisLockStore)


def test_memory_locks_for_one_process_only(monkeypatch):
    monkeypatch.delenv("PHARE_REDIS_URL", raising=False)
    monkeypatch.delenv("SANIC_WORKERS", raising=False)
    assert isinstance(PhareLockStore(), InMemoryLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert isinstance(PhareLockStore(), InMemoryLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "3")
    with pytest.raises(RasaException, match="PHARE_REDIS_URL"):
        PhareLockStore()
    monkeypatch.setenv("PHARE_REDIS_URL", "redis://127.0.0.1:6379/5")
    assert isinstance(PhareLockStore(), RedisLockStore)
