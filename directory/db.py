"""Database connection: one URL for the directory (SQLite by default, PostgreSQL in production)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from phare.settings import settings


def database_url() -> str:
    return settings().database_url


# Accent folding inside SQL (`translate(lower(x), FOLD_FROM, FOLD_TO)`): PostgreSQL has
# translate(); SQLite gets it below. Capitals are listed too since SQLite's lower() is ASCII-only.
FOLD_FROM = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ"
FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuy"


def _translate(text, source, target):
    if text is None:
        return None
    return str(text).translate(str.maketrans(source, target))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.create_function("translate", 3, _translate, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the action server read while the admin writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return engine_for(database_url())


def session_factory(engine: Engine | None = None) -> sessionmaker:
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


def open_session(engine: Engine | None = None) -> Session:
    return session_factory(engine)()


def create_schema(engine: Engine | None = None) -> None:
    """Create or upgrade the directory schema (Alembic migrations)."""
    from .migrate import upgrade

    upgrade(engine or get_engine())
