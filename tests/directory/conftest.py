"""Fixtures of the directory's tests (the seeded database is in tests/conftest.py)."""
from __future__ import annotations

import pytest

from directory.db import create_schema, make_engine


@pytest.fixture()
def engine(tmp_path):
    """The directory's schema on a fresh SQLite file, without data: for tests that add only what they check."""
    engine = make_engine(f"sqlite:///{tmp_path / 'phare.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()
