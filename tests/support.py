"""Test helpers shared by conftest.py and test modules: which database this run checks, fresh PostgreSQL databases.

Test modules import these from here, never `from conftest import …`: pytest
loads several conftest.py files under the same module name, so which one
such an import gets depends on the collection order.
"""
from __future__ import annotations

import contextlib
import os

import pytest
from servers import POSTGRES_ADMIN_URL, postgres_reason

# `make test` runs the test suite twice: on SQLite, then with
# PHARE_TEST_DATABASE=postgresql on the PostgreSQL and Redis servers.
TEST_DATABASE = os.environ.get("PHARE_TEST_DATABASE", "sqlite")


@contextlib.contextmanager
def fresh_postgres_database(template: str | None = None):
    """A new PostgreSQL database, dropped afterwards; skipped with the reason where the server is absent (failed in CI)."""
    reason = postgres_reason()
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
        if template:
            # A template must have no other session: pooled connections of earlier tests
            # (they reconnect by themselves, pool_pre_ping) are closed first.
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": template})
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
