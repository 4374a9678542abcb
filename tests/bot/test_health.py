"""Health checks say "not ready" (503, French reason) when a database is read-only.

- bot.db_health on a read-only SQLite file (chmod 444; as root, run without
  CAP_DAC_OVERRIDE so that the file mode binds) and on PostgreSQL with
  `default_transaction_read_only` and with a role that may only read;
- the real web server (/health) and action server (/ready) on a chmod-ed file;
- Rasa's /webhooks/health/ logic (bot.channels.health.readiness) on a
  PostgreSQL tracker store that turned read-only;
- a failed need-log write is logged at ERROR, without any text.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot import db_health
from tests.support import ROOT, free_port, wait_for_server

NO_OVERRIDE = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
               "--bounding-set=-dac_override,-dac_read_search"]


def unprivileged(command: list[str]) -> list[str]:
    """The command as it runs for a service account: file modes apply even to root."""
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to drop root's file-mode override")
    return NO_OVERRIDE + command


def read_only_copy(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    target.chmod(0o444)
    return target


def probe_in_subprocess(db: Path, table: str) -> str:
    code = ("import sys; from sqlalchemy import create_engine; from bot.db_health import database_problem; "
            f"print(database_problem(create_engine('sqlite:///{db}', future=True), '{table}', 'du répertoire') or 'OK')")
    done = subprocess.run(unprivileged([sys.executable, "-c", code]), cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    return done.stdout.strip() or done.stderr


def test_probe_on_a_writable_then_read_only_sqlite_file(tmp_path):
    db = tmp_path / "ok.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE need_log (id INTEGER PRIMARY KEY, day TEXT)")
        connection.execute("INSERT INTO need_log (day) VALUES ('2026-01-01')")
    assert database_problem_here(db) is None
    read_only = read_only_copy(db, tmp_path / "ro.db")
    assert probe_in_subprocess(db, "need_log") == "OK"
    reason = probe_in_subprocess(read_only, "need_log")
    assert reason == db_health.READ_ONLY.format(name="du répertoire")
    # The probe deleted nothing.
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM need_log").fetchone() == (1,)


def database_problem_here(db: Path):
    engine = create_engine(f"sqlite:///{db}", future=True)
    try:
        return db_health.database_problem(engine, "need_log", "du répertoire")
    finally:
        engine.dispose()


def test_probe_on_postgresql_read_only_transaction_and_role(postgres_url):
    engine = create_engine(postgres_url, future=True)
    table = f"probe_{uuid.uuid4().hex[:8]}"  # its own table: the database is shared with other tests
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {table} (id serial PRIMARY KEY, data text)"))
        connection.execute(text(f"INSERT INTO {table} (data) VALUES ('x')"))
    assert db_health.database_problem(engine, table, "des conversations") is None
    read_only_session = create_engine(postgres_url, future=True,
                                      connect_args={"options": "-c default_transaction_read_only=on"})
    assert db_health.database_problem(read_only_session, table, "des conversations") == \
        db_health.READ_ONLY.format(name="des conversations")
    role = f"phare_ro_{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(f"GRANT SELECT ON {table} TO {role}"))
    try:
        reader = create_engine(engine.url.set(username=role, password=None), future=True)
        assert "lecture seule" in db_health.database_problem(reader, table, "des conversations")
        reader.dispose()
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"REVOKE ALL ON {table} FROM {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 1
    read_only_session.dispose()
    engine.dispose()


def test_rasa_health_says_not_ready_on_a_read_only_tracker_database(postgres_url):
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.channels.health import readiness
    from bot.stores import PhareTrackerStore

    class Agent:
        def __init__(self, tracker_store):
            self.tracker_store = FailSafeTrackerStore(tracker_store)  # as Rasa's agent wraps it
            self.lock_store = InMemoryLockStore()

        def is_ready(self):
            return True

    writable = PhareTrackerStore(url=postgres_url)
    status, body = asyncio.run(readiness(Agent(writable)))
    assert (status, body["status"]) == (200, "ok"), body
    engine = create_engine(postgres_url, future=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        name = engine.url.database
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    try:
        read_only = PhareTrackerStore(url=postgres_url)
        status, body = asyncio.run(readiness(Agent(read_only)))
        assert status == 503 and body["tracker_store"] is False
        assert body["raison"] == db_health.READ_ONLY.format(name="des conversations")
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off'))
        engine.dispose()


# --- The real servers on a read-only directory file -------------------------------------------------



def serve(module: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(unprivileged([sys.executable, "-m", module, "--port", str(port)]), cwd=ROOT,
                            env={**os.environ, **env}, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def answer(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> httpx.Response:
    return wait_for_server(url, process, log, timeout, status=None)


@pytest.mark.parametrize("module, path", [("web", "/health"), ("bot.action_server", "/ready")])
def test_servers_say_not_ready_on_a_read_only_directory(tmp_path, seeded_engine, test_database, module, path):
    if test_database != "sqlite":
        pytest.skip("the file-mode case is SQLite's; PostgreSQL is covered by the probe tests above")
    db = read_only_copy(Path(seeded_engine.url.database), tmp_path / "phare.db")
    port = free_port()
    log = tmp_path.parent / f"{tmp_path.name}-{module}.log"
    env = {"PHARE_DATABASE_URL": f"sqlite:///{db}", "PHARE_VAR_DIR": str(tmp_path), "PHARE_LOG_FORMAT": "json",
           "PHARE_TRACKER_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "RASA_TELEMETRY_ENABLED": "false"}
    process = serve(module, port, env, log)
    try:
        response = answer(f"http://127.0.0.1:{port}{path}", process, log)
        assert response.status_code == 503, response.text
        assert response.json()["raison"] == db_health.READ_ONLY.format(name="du répertoire")
    finally:
        process.terminate()
        process.wait(15)


# --- The need log ------------------------------------------------------------------------------------


def test_failed_need_log_write_is_logged_at_error_without_text(tmp_path, seeded_engine, test_database, monkeypatch,
                                                                caplog):
    if test_database != "sqlite":
        pytest.skip("one database is enough for the log line")
    from actions import context
    from directory import db as directory_db

    copy = tmp_path / "phare.db"
    shutil.copy(seeded_engine.url.database, copy)
    with sqlite3.connect(copy) as connection:  # every insert fails, as on a read-only database
        connection.execute("CREATE TRIGGER no_write BEFORE INSERT ON need_log "
                           "BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END")
    monkeypatch.setenv("PHARE_DATABASE_URL", f"sqlite:///{copy}")
    directory_db.engine_for.cache_clear()
    try:
        with caplog.at_level(logging.DEBUG):
            context.log_need("aide-alimentaire", "la-mitis", 2, "sms")
    finally:
        directory_db.engine_for.cache_clear()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "need log" in errors[0].getMessage()
