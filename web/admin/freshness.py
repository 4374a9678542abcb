"""How fresh a directory entry is (pure): "à jour", "à vérifier" or "nouveau".

- "à jour": confirmed (assured_date) within the last N months (default 6);
- "nouveau": never confirmed, but created within the last N months — not
  yet due for a check, and not "never verified for 6 months";
- "à vérifier": everything else (confirmed long ago, or never confirmed
  and older than N months, including rows from before creation dates were
  kept).
"""
from __future__ import annotations

import datetime as dt

from directory.freshness import STALE_MONTHS as DEFAULT_MONTHS
from directory.freshness import stale_cutoff as cutoff

FRESH, STALE, NEW = "fresh", "stale", "new"
LABELS = {FRESH: "à jour", STALE: "à vérifier", NEW: "nouveau"}


def freshness(assured_date: dt.date | None, created_at: dt.datetime | dt.date | None, today: dt.date,
              months: int = DEFAULT_MONTHS) -> str:
    limit = cutoff(today, months)
    if assured_date is not None:
        return FRESH if assured_date >= limit else STALE
    if created_at is not None:
        created = created_at.date() if isinstance(created_at, dt.datetime) else created_at
        if created >= limit:
            return NEW
    return STALE


def verified_text(assured_date: dt.date | None, state: str, format_date) -> str:
    """What the admin lists show in the "vérifié" column."""
    if assured_date is not None:
        return format_date(assured_date)
    return "nouveau, pas encore vérifié" if state == NEW else "jamais"
