"""The test run checks the configuration it says it checks (SQLite, or PostgreSQL with PHARE_TEST_DATABASE)."""
import yaml
from sqlalchemy import func, select

from directory.models import Service
from directory.seed import seed_files


def test_seeded_directory_is_on_the_configured_engine(seeded_engine, test_database):
    assert seeded_engine.dialect.name == test_database
    seeded = sum(len(org.get("services") or []) for path in seed_files()
                 for org in yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    with seeded_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Service)).scalar_one() == seeded
