"""Test helpers shared by conftest.py and test modules.

Which database this run checks and fresh PostgreSQL databases; a free port;
`wait_until`, which polls for what a test waits for instead of sleeping a
fixed time; `set_env`, which changes the environment and makes Phare read
its settings again.

Test modules import these from here (`from tests.support import …`), never
from a conftest.py: a fixture's helper belongs here once, not in whichever
conftest.py a test module happens to sit under.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from phare.settings import settings
from tests.servers import POSTGRES_ADMIN_URL, postgres_reason

T = TypeVar("T")

# The checkout's root: tests compute every path from it, not from their own depth in tests/.
ROOT = Path(__file__).resolve().parents[1]

# `make test` runs the test suite twice: on SQLite, then with
# PHARE_TEST_DATABASE=postgresql on the PostgreSQL and Redis servers.
TEST_DATABASE = os.environ.get("PHARE_TEST_DATABASE", "sqlite")
# How long a test waits for a Rasa server to load the model: a busy shared machine can take minutes.
START_TIMEOUT = float(os.environ.get("PHARE_TEST_START_TIMEOUT", 240))


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


@contextlib.contextmanager
def seeded_database(folder: Path, fill: Callable | None = None):
    """An engine on a seeded directory database of this run's kind: a fresh PostgreSQL database (dropped
    afterwards) or a SQLite file in `folder`; `fill(session)` adds what a module needs to the seed."""
    from directory.db import create_schema, make_engine, open_session
    from directory.seed import seed_all

    with contextlib.ExitStack() as stack:
        if TEST_DATABASE == "postgresql":
            url = stack.enter_context(fresh_postgres_database())
        else:
            url = f"sqlite:///{folder / 'phare.db'}"
        engine = make_engine(url)
        create_schema(engine)
        with open_session(engine) as session:
            seed_all(session)
            session.commit()
            if fill is not None:
                fill(session)
        try:
            yield engine
        finally:
            engine.dispose()


def free_port() -> int:
    """A TCP port nobody listens on right now, on the loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Poll `predicate` until it returns something true, and return that; fail naming `what` after `timeout` seconds.

    An exception from the predicate counts as "not yet" (a server still starting refuses connections).
    """
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - retried until the deadline, then reported
            last = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {type(last).__name__}: {last})" if last else ""
            pytest.fail(f"waited {timeout:g} s for {what}{detail}")
        time.sleep(interval)


def wait_for_server(url: str, process: subprocess.Popen, log: Path, timeout: float = 90,
                    status: int | None = 200) -> httpx.Response:
    """Poll `url` until it answers (with `status`, or anything when None); fail with the log's end if the process stops."""
    def answered() -> httpx.Response | None:
        if process.poll() is not None:
            pytest.fail(f"the server stopped (exit {process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        response = httpx.get(url, timeout=5)
        return response if status is None or response.status_code == status else None

    return wait_until(answered, timeout, f"{url} to answer")


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str | None) -> None:
    """Set (or, with None, remove) environment variables; Phare's settings are read again on next use."""
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    settings.cache_clear()
