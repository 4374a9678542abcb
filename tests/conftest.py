"""Shared fixtures: a seeded directory database (SQLite; PostgreSQL where it answers)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from directory.db import create_schema, make_engine, open_session
from directory.seed import seed_all

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("directory") / "phare.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with open_session(engine) as session:
        seed_all(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture()
def session(seeded_engine):
    with open_session(seeded_engine) as s:
        yield s
        s.rollback()


POSTGRES_ADMIN_URL = os.environ.get("PHARE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("PHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def _postgres_reason() -> str | None:
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(POSTGRES_ADMIN_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not available here"
        return f"PostgreSQL does not answer at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"


def _redis_reason() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL, socket_timeout=2).ping()
        return None
    except Exception as exc:
        return f"Redis does not answer at {REDIS_TEST_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = _postgres_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must test the PostgreSQL configuration)")
        pytest.skip(reason)
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"phare_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    yield str(url.render_as_string(hide_password=False)) if hasattr(url, "render_as_string") else str(url)
    with admin.connect() as connection:
        connection.execute(text(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url():
    reason = _redis_reason()
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
