"""`python -m bot purge`: delete conversations older than the retention period (Loi 25).

A conversation is deleted whole once its LAST event is older than
PHARE_RETENTION_DAYS (default 90), so an ongoing conversation is never cut
in half. The anonymous need log holds no identifier and is kept.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from sqlalchemy import MetaData, Table, create_engine, delete, func, inspect, select

from .stores import tracker_url

DEFAULT_RETENTION_DAYS = 90


def purge(url: str, days: int, now: float | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Delete old conversations; returns (conversations, events) removed."""
    cutoff = (now if now is not None else time.time()) - days * 86400
    engine = create_engine(url, future=True)
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
        return len(senders), removed
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot purge", description=__doc__)
    parser.add_argument("--days", type=int, default=int(os.environ.get("PHARE_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    parser.add_argument("--dry-run", action="store_true", help="compte sans rien supprimer")
    args = parser.parse_args(argv)
    if args.days < 1:
        print("La durée de conservation doit être d'au moins 1 jour.", file=sys.stderr)
        return 2
    conversations, events = purge(tracker_url(), args.days, dry_run=args.dry_run)
    verb = "seraient supprimées" if args.dry_run else "supprimées"
    print(f"{conversations} conversation(s) de plus de {args.days} jours {verb} ({events} événements).")
    return 0
