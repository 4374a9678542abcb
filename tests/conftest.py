"""Shared fixtures: a seeded directory database (SQLite; PostgreSQL where it answers)."""
from __future__ import annotations

import contextlib
import os

import pytest

from directory.db import open_session
from phare.settings import settings
from tests.servers import REDIS_TEST_URL, redis_reason
from tests.support import TEST_DATABASE, fresh_postgres_database, seeded_database

# Fixtures through which a test meets the database or Redis. The PostgreSQL + Redis pass
# (PHARE_TEST_DATABASE=postgresql) runs again only the tests that use one of them, or that are
# marked `engine` (modules that pick their database themselves): a test of a pure function
# gives the same answer on every engine and has already run in the SQLite pass.
ENGINE_FIXTURES = frozenset({"seeded_engine", "postgres_url", "postgres_copy", "redis_url", "any_database_url",
                             "test_database"})

@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test reads the environment it set up (monkeypatch), not the one of the test before."""
    settings.cache_clear()
    yield
    settings.cache_clear()

def depends_on_engine(item: pytest.Item) -> bool:
    if item.get_closest_marker("same_on_every_engine"):
        return False
    return bool(item.get_closest_marker("engine")) or bool(ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())))


def runs_in_this_pass(item: pytest.Item) -> bool:
    if TEST_DATABASE == "postgresql":
        return depends_on_engine(item)
    # Several Rasa instances sharing PostgreSQL and Redis: the production configuration's own pass.
    return not item.get_closest_marker("production_only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dropped = [item for item in items if not runs_in_this_pass(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if runs_in_this_pass(item)]


@pytest.fixture(scope="session")
def test_database() -> str:
    """"sqlite" or "postgresql": the configuration this test run checks."""
    return TEST_DATABASE


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    with seeded_database(tmp_path_factory.mktemp("directory")) as engine:
        yield engine


@pytest.fixture()
def session(seeded_engine):
    with open_session(seeded_engine) as s:
        yield s
        s.rollback()


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_copy():
    """copy(engine) -> URL of a new PostgreSQL database made from that one (dropped at the end)."""
    with contextlib.ExitStack() as copies:
        def copy(engine) -> str:
            source = engine.url.database
            engine.dispose()  # a template database must have no open connection
            url = copies.enter_context(fresh_postgres_database(template=source))
            return url

        yield copy


@pytest.fixture(scope="session")
def redis_url():
    reason = redis_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must test the Redis configuration)")
        pytest.skip(reason)
    return REDIS_TEST_URL


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def any_database_url(request, tmp_path_factory):
    """The same test on SQLite and on PostgreSQL (skipped with a reason where it is absent)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('anydb') / 'phare.db'}"
    return request.getfixturevalue("postgres_url")
