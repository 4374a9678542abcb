"""Readiness of a database: can it be read, and written?

Used by the three health checks (`/health` of the web server, `/ready` of the
action server, `/webhooks/health/` of Rasa). `SELECT 1` alone said "ok" for a
database that had turned read-only (full disk, a replica after fail-over,
`default_transaction_read_only`, a file whose permissions changed): every
conversation then failed to save and every need-log row was lost.

The write probe deletes nothing: `DELETE FROM <table> WHERE 1 = 0`, in a
transaction that is rolled back. SQLite refuses it on a read-only file and
PostgreSQL in a read-only transaction or for a role without the right, which
is exactly what a real write would meet. The reasons are French, for the
person who reads the health check.
"""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

UNREADABLE = "La base de données {name} ne répond pas."
READ_ONLY = "La base de données {name} est en lecture seule : rien ne peut y être enregistré."


def database_problem(engine: Engine, table: str, name: str) -> str | None:
    """A French reason why `table` cannot be read and written, or None. Blocking: see `check`."""
    try:
        with engine.connect() as connection:
            connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).fetchall()
    except Exception as exc:
        logger.error("health: database %s unreadable (%s)", table, type(exc).__name__)
        return UNREADABLE.format(name=name)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(text(f"DELETE FROM {table} WHERE 1 = 0"))
            finally:
                transaction.rollback()
    except Exception as exc:
        logger.error("health: database %s not writable (%s)", table, type(exc).__name__)
        return READ_ONLY.format(name=name)
    return None


async def check(engine: Engine, table: str, name: str) -> str | None:
    """`database_problem` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, database_problem, engine, table, name)


async def database_readiness(engine: Engine, table: str, name: str) -> tuple[int, dict[str, str]]:
    """(HTTP status, JSON body) of a health check on one database: 200, or 503 with the French `raison`."""
    problem = await check(engine, table, name)
    if problem:
        return 503, {"status": "error", "database": "unavailable", "raison": problem}
    return 200, {"status": "ok", "database": "ok"}
