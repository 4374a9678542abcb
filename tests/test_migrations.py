"""Alembic migrations: an empty database and one at the first revision both reach head (SQLite, PostgreSQL)."""
from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from directory.db import make_engine, open_session
from directory.migrate import current_revision, head_revision, upgrade
from directory.models import Base
from directory.seed import seed_all


def fresh_url(base_url: str, tmp_path) -> str:
    if base_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
    return base_url


def reset(engine):
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


def assert_matches_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == [], f"schema differs from the models: {diff}"


def test_upgrade_empty_database(any_database_url, tmp_path):
    engine = make_engine(fresh_url(any_database_url, tmp_path))
    reset(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert_matches_models(engine)
    with open_session(engine) as session:
        report = seed_all(session)
        session.commit()
    assert report.total > 100
    engine.dispose()


def test_upgrade_from_first_revision_keeps_data(any_database_url, tmp_path):
    engine = make_engine(fresh_url(any_database_url, tmp_path))
    reset(engine)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO need_log (day, category_id, mrc_id, result_count, channel) "
                                "VALUES ('2026-11-02', 'repas', 'la-mitis', 0, 'sms')"))
    indexes = {i["name"] for i in inspect(engine).get_indexes("need_log")}
    assert "ix_need_log_day_mrc_category" not in indexes
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert "ix_need_log_day_mrc_category" in {i["name"] for i in inspect(engine).get_indexes("need_log")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM need_log")).scalar() == 1
    assert_matches_models(engine)
    engine.dispose()


def test_schema_made_before_migrations_is_adopted(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'legacy.db'}")
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        # What later revisions added did not exist before migrations.
        connection.execute(text("DROP INDEX ix_need_log_day_mrc_category"))
        connection.execute(text("DROP TABLE fact_source"))
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()


def test_0003_adds_fact_sources_and_goes_back(any_database_url, tmp_path):
    from alembic import command

    from directory.migrate import alembic_config

    engine = make_engine(fresh_url(any_database_url, tmp_path))
    reset(engine)
    upgrade(engine, "0002")
    assert "fact_source" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO need_log (day, category_id, mrc_id, result_count, channel) "
                                "VALUES ('2026-11-02', 'repas', 'la-mitis', 0, 'sms')"))
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    assert "ix_fact_source_resource" in {i["name"] for i in inspect(engine).get_indexes("fact_source")}
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO fact_source (resource_type, resource_id, field, url, title, quote, source_date, sort_date, kind, position) "
            "VALUES ('service', 'x', 'phone', 'https://example.org', NULL, 'Appelez le 211', '2024-03', '2024-03-01', 'journal', 0)"))
        assert connection.execute(text("SELECT count(*) FROM need_log")).scalar() == 1
    assert_matches_models(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert "fact_source" not in inspect(engine).get_table_names()
    engine.dispose()
