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
