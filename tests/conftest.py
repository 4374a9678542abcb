"""Shared fixtures: a seeded directory database (SQLite; PostgreSQL where it answers)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from servers import REDIS_TEST_URL, redis_reason
from support import TEST_DATABASE, fresh_postgres_database

from directory.db import create_schema, make_engine, open_session
from directory.seed import seed_all
from phare.settings import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_settings():
    """Each test reads the environment it set up (monkeypatch), not the one of the test before."""
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture(scope="session")
def test_database() -> str:
    """"sqlite" or "postgresql": the configuration this test run checks."""
    return TEST_DATABASE


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    if TEST_DATABASE == "postgresql":
        with fresh_postgres_database() as url:
            engine = _seeded(url)
            yield engine
            engine.dispose()
        return
    engine = _seeded(f"sqlite:///{tmp_path_factory.mktemp('directory') / 'phare.db'}")
    yield engine
    engine.dispose()


def _seeded(url: str):
    engine = make_engine(url)
    create_schema(engine)
    with open_session(engine) as session:
        seed_all(session)
        session.commit()
    return engine


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
