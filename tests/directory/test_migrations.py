"""Alembic migrations: an empty database and one at the first revision both reach head (SQLite, PostgreSQL)."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from directory.db import make_engine, open_session
from directory.migrate import current_revision, head_revision, upgrade
from directory.models import Base
from directory.seed import seed_all
from tests.support import set_env


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


PLAIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _raw_secret(engine, column: str = "totp_secret_encrypted") -> str | None:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT {column} FROM app_user WHERE email = 'deux@example.org'")).scalar()


def test_0007_encrypts_stored_totp_secrets_and_needs_the_key(any_database_url, tmp_path, monkeypatch):
    from directory import secret_box
    from directory.models import User

    engine = make_engine(fresh_url(any_database_url, tmp_path))
    reset(engine)
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO app_user (id, email, name, password_hash, role, active, created_at, totp_secret) "
            "VALUES ('u1', 'deux@example.org', 'Deux', 'x', 'admin', true, '2026-11-02 10:00:00', :secret)"),
            {"secret": PLAIN_SECRET})
    set_env(monkeypatch, PHARE_TOTP_KEY=None)
    with pytest.raises(secret_box.SecretKeyError, match="PHARE_TOTP_KEY"):
        upgrade(engine)
    assert _raw_secret(engine, "totp_secret") == PLAIN_SECRET  # nothing half done
    set_env(monkeypatch, PHARE_TOTP_KEY="k" * 40)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    raw = _raw_secret(engine)
    assert PLAIN_SECRET not in raw and not secret_box.is_plain(raw)
    with open_session(engine) as session:
        assert session.get(User, "u1").totp_secret == PLAIN_SECRET  # the code reads it in clear
    assert_matches_models(engine)
    # Back to 0006: the secret in clear again, still usable by the old code.
    from alembic import command

    from directory.migrate import alembic_config
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    assert _raw_secret(engine, "totp_secret") == PLAIN_SECRET
    engine.dispose()


def test_0008_counts_earlier_crises_as_violence(any_database_url, tmp_path):
    engine = make_engine(fresh_url(any_database_url, tmp_path))
    reset(engine)
    upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO need_log (day, category_id, mrc_id, result_count, channel, kind) "
                                "VALUES ('2026-11-02', NULL, 'la-mitis', 0, 'sms', 'crisis'), "
                                "('2026-11-02', 'repas', 'la-mitis', 0, 'sms', 'search')"))
    upgrade(engine)
    with engine.connect() as connection:
        levels = connection.execute(text("SELECT kind, crisis_level FROM need_log ORDER BY kind")).all()
    assert [tuple(r) for r in levels] == [("crisis", "violence"), ("search", None)]
    assert_matches_models(engine)
    engine.dispose()
