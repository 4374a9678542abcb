"""Retention: old conversations are deleted whole, recent ones stay (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import time

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text

from bot.purge import purge
from bot.stores import PhareTrackerStore


def _turn(when: float) -> list:
    return [
        ActionExecuted("action_session_start", timestamp=when),
        SessionStarted(timestamp=when),
        UserUttered("bonjour", {"name": "greet"}, timestamp=when + 1),
    ]


async def _save(store, sender: str, *times: float) -> None:
    events = [event for when in times for event in _turn(when)]
    await store.save(DialogueStateTracker.from_events(sender, events))


def test_purge_old_conversations(any_database_url):
    import asyncio

    now = time.time()
    store = PhareTrackerStore(url=any_database_url)
    old, recent, mixed = f"old-{now}", f"recent-{now}", f"mixed-{now}"
    asyncio.run(_save(store, old, now - 100 * 86400))
    asyncio.run(_save(store, recent, now - 2 * 86400))
    asyncio.run(_save(store, mixed, now - 120 * 86400, now - 86400))  # still talking: kept whole

    conversations, events = purge(any_database_url, days=90, now=now)
    assert conversations >= 1 and events >= 3
    engine = create_engine(any_database_url, future=True)
    with engine.connect() as connection:
        senders = {row[0] for row in connection.execute(text("SELECT DISTINCT sender_id FROM events"))}
    engine.dispose()
    assert old not in senders
    assert recent in senders and mixed in senders


def test_purge_leaves_no_deleted_text_on_disk(any_database_url):
    """The deleted text is in none of the table's files, beside the conversations that are kept."""
    import asyncio

    now = time.time()
    marker = f"Effaceounette{int(now)}"
    store = PhareTrackerStore(url=any_database_url)
    old, kept = f"gone-{now}", f"kept-{now}"
    asyncio.run(_save(store, kept, now - 86400))  # a live row on the same page

    async def save():
        events = _turn(now - 200 * 86400) + [UserUttered(f"j'ai faim {marker}", {"name": "greet"},
                                                         timestamp=now - 200 * 86400 + 2)]
        await store.save(DialogueStateTracker.from_events(old, events))

    asyncio.run(save())
    store.engine.dispose()
    conversations, events = purge(any_database_url, days=90, now=now)
    assert conversations >= 1 and events >= 4
    engine = create_engine(any_database_url, future=True)
    try:
        if engine.dialect.name == "postgresql":
            # n_dead_tup is no proof here: the DELETE's statistics reach pg_stat up to a second late,
            # after VACUUM has reset them. The table's own files are: the text must not be in them.
            with engine.connect() as connection:
                path = connection.execute(text("SELECT pg_relation_filepath('events')")).scalar()
                data_dir = connection.execute(text("SHOW data_directory")).scalar()
                connection.execute(text("CHECKPOINT"))  # the pages on disk, not only in shared buffers
            from pathlib import Path

            table_file = Path(data_dir) / path
            if not os.access(table_file, os.R_OK):
                pytest.skip(f"{table_file} is not readable here (run as root or postgres on the database's machine)")
            assert marker.encode() not in table_file.read_bytes()
        else:
            from pathlib import Path

            assert marker.encode() not in Path(engine.url.database).read_bytes()
    finally:
        engine.dispose()


def test_retention_days_must_be_a_number(monkeypatch, capsys):
    from bot.purge import main

    monkeypatch.setenv("PHARE_RETENTION_DAYS", "abc")
    assert main([]) == 2
    assert "PHARE_RETENTION_DAYS='abc' n'est pas valide : indiquez un nombre entier" in capsys.readouterr().err
