"""`python -m bot purge`: delete conversations older than the retention period (Loi 25).

A conversation is deleted whole once its LAST event is older than
PHARE_RETENTION_DAYS (default 90), so an ongoing conversation is never cut
in half. The anonymous need log holds no identifier and is kept.

On PostgreSQL a DELETE only marks rows dead, and a plain VACUUM frees their
space without erasing it: the text stays in the table's files, beside the
rows that are kept, until that space is reused. After a purge that removed
something, `VACUUM FULL events` rewrites the table with the kept rows only,
so what was deleted is no longer in its files (it holds an exclusive lock on
the table for the rewrite: about a second for a regional assistant's
conversations; Rasa's writes wait, none is lost; the nightly timer runs it
at 03:15). On SQLite, `PRAGMA secure_delete` (set for the purge's connection)
overwrites deleted content with zeros, and VACUUM rewrites the file.
"""
from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import MetaData, Table, create_engine, delete, event, func, inspect, select, text

from phare.settings import SettingError, settings

from .stores import tracker_url


def purge(url: str, days: int, now: float | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Delete old conversations; returns (conversations, events) removed."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _secure_delete)
    try:
        if not inspect(engine).has_table("events"):
            return 0, 0
        events = Table("events", MetaData(), autoload_with=engine)
        last_event = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff)
        )
        with engine.begin() as connection:
            senders = [row[0] for row in connection.execute(last_event)]
            removed = 0
            for start in range(0, len(senders), 500):
                chunk = senders[start:start + 500]
                if dry_run:
                    removed += connection.execute(
                        select(func.count()).select_from(events).where(events.c.sender_id.in_(chunk))
                    ).scalar()
                else:
                    removed += connection.execute(delete(events).where(events.c.sender_id.in_(chunk))).rowcount
        if removed and not dry_run:
            vacuum(engine)
        return len(senders), removed
    finally:
        engine.dispose()


def _secure_delete(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def vacuum(engine) -> None:
    """Rewrite the table so that deleted rows' text is gone from its files (VACUUM needs autocommit)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM FULL events" if engine.dialect.name == "postgresql" else "VACUUM"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot purge", description=__doc__)
    try:
        default_days = settings().retention_days
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    parser.add_argument("--days", type=int, default=default_days)
    parser.add_argument("--dry-run", action="store_true", help="compte sans rien supprimer")
    args = parser.parse_args(argv)
    if args.days < 1:
        print("La durée de conservation doit être d'au moins 1 jour.", file=sys.stderr)
        return 2
    conversations, events = purge(tracker_url(), args.days, dry_run=args.dry_run)
    verb = "seraient supprimées" if args.dry_run else "supprimées"
    print(f"{conversations} conversation(s) de plus de {args.days} jours {verb} ({events} événements).")
    return 0
