"""Unmet needs: searches per ISO week × MRC × category, and how many found nothing.

Read from the anonymous NeedLog rows written by the search action (day,
category, MRC, number of results, channel — never a message or a number),
and the number of crises by level (counts only) from the crisis actions.
SQL groups by day (portable between SQLite and PostgreSQL); days are folded
into ISO weeks here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from directory import crisis_levels
from directory.models import NeedLog

NO_MRC = "(inconnue)"
NO_CATEGORY = "(aucune)"


@dataclass(frozen=True)
class NeedFilters:
    start: dt.date | None = None
    end: dt.date | None = None
    mrc_id: str | None = None  # "" = searches with no known MRC
    category_id: str | None = None
    channel: str | None = None


@dataclass
class NeedRow:
    week: str  # "2025-S07" (S for semaine)
    week_start: dt.date
    mrc_id: str | None
    category_id: str | None
    searches: int = 0
    no_result: int = 0

    @property
    def no_result_share(self) -> float:
        return self.no_result / self.searches if self.searches else 0.0


def iso_week(day: dt.date) -> tuple[str, dt.date]:
    year, week, weekday = day.isocalendar()
    return f"{year}-S{week:02d}", day - dt.timedelta(days=weekday - 1)


NO_RESULT = func.sum(case((NeedLog.result_count == 0, 1), else_=0))


def filtered(stmt: Select, filters: NeedFilters, channels: list[str] | None = None) -> Select:
    """`stmt` on NeedLog narrowed by the page's filters (shared by this page and the dashboard).

    `channels`: the stored channel values the chosen channel stands for (the
    dashboard shows "texto" for "sms"); by default the filter's value itself.
    """
    if filters.start:
        stmt = stmt.where(NeedLog.day >= filters.start)
    if filters.end:
        stmt = stmt.where(NeedLog.day <= filters.end)
    if filters.mrc_id == "":
        stmt = stmt.where(NeedLog.mrc_id.is_(None))
    elif filters.mrc_id:
        stmt = stmt.where(NeedLog.mrc_id == filters.mrc_id)
    if filters.category_id:
        stmt = stmt.where(NeedLog.category_id == filters.category_id)
    if filters.channel:
        stmt = stmt.where(NeedLog.channel.in_(channels or [filters.channel]))
    return stmt


def weekly_needs(session: Session, filters: NeedFilters) -> list[NeedRow]:
    """Rows sorted by week (newest first), MRC, then category."""
    stmt = filtered(select(NeedLog.day, NeedLog.mrc_id, NeedLog.category_id, func.count(NeedLog.id), NO_RESULT).where(
        NeedLog.kind == "search"  # fallback, crisis… rows are counted on the dashboard
    ).group_by(NeedLog.day, NeedLog.mrc_id, NeedLog.category_id), filters)
    rows: dict[tuple, NeedRow] = {}
    for day, mrc_id, category_id, count, no_result in session.execute(stmt):
        week, start = iso_week(day)
        key = (week, mrc_id, category_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = NeedRow(week, start, mrc_id, category_id)
        row.searches += count
        row.no_result += int(no_result or 0)
    return sorted(rows.values(), key=lambda r: (-r.week_start.toordinal(), r.mrc_id or "~", r.category_id or "~"))


def crisis_counts(session: Session, filters: NeedFilters) -> list[tuple[str, int]]:
    """Crises by level under the page's filters, most urgent first: (French name, count). Counts only."""
    stmt = filtered(select(NeedLog.crisis_level, func.count(NeedLog.id)).where(NeedLog.kind == "crisis")
                    .group_by(NeedLog.crisis_level), filters)
    return crisis_levels.ordered({level: count for level, count in session.execute(stmt)})


def channels(session: Session) -> list[str]:
    return [c for c in session.execute(select(NeedLog.channel).distinct().order_by(NeedLog.channel)).scalars() if c]


def totals(rows: list[NeedRow]) -> tuple[int, int]:
    return sum(r.searches for r in rows), sum(r.no_result for r in rows)
