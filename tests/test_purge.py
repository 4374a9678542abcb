"""Retention: old conversations are deleted whole, recent ones stay (SQLite and PostgreSQL)."""
from __future__ import annotations

import time

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
