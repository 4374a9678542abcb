"""Opening hours: HSDS schedules turned into "open now?" and "next opening".

A schedule is a recurrence (python-dateutil rrule) in local wall time with an
IANA time zone. Occurrences are computed as local dates and times and only
then given their zone, so a 9 h opening stays 9 h across a DST change.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.easter import easter

from .geography import TIMEZONE

DEFAULT_TZ = TIMEZONE
HORIZON_DAYS = 400  # seasonal services may reopen next spring

_WEEKDAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH, "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU}
_FREQS: dict[str, Any] = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}


@dataclass(frozen=True)
class ScheduleRule:
    freq: str | None = None
    interval: int = 1
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = None
    timezone: str = DEFAULT_TZ
    open_24_7: bool = False
    closed_on_holidays: bool = False
    description: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> ScheduleRule:
        return cls(
            freq=row.freq,
            interval=row.interval or 1,
            byday=row.byday,
            bymonthday=row.bymonthday,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            dtstart=row.dtstart,
            timezone=row.timezone or DEFAULT_TZ,
            open_24_7=bool(row.open_24_7),
            closed_on_holidays=bool(row.closed_on_holidays),
            description=row.description,
        )

    @property
    def computable(self) -> bool:
        return self.open_24_7 or bool(self.freq and self.opens_at and self.closes_at)


class ScheduleError(ValueError):
    """A schedule that cannot be understood (bad BYDAY, unknown zone…)."""


def parse_byday(value: str | None) -> list[rrule.weekday] | None:
    """"MO,TU" -> [MO, TU]; "2TU" -> [TU(+2)]; "-1FR" -> [FR(-1)]."""
    if not value:
        return None
    days = []
    for part in value.replace(" ", "").upper().split(","):
        if not part:
            continue
        code, nth = part[-2:], part[:-2]
        if code not in _WEEKDAYS:
            raise ScheduleError(f"Jour inconnu : {part!r}")
        day = _WEEKDAYS[code]
        if nth:
            try:
                n = int(nth)
            except ValueError as exc:
                raise ScheduleError(f"Jour inconnu : {part!r}") from exc
            if n == 0 or not -5 <= n <= 5:
                raise ScheduleError(f"Rang invalide : {part!r}")
            day = day(n)
        days.append(day)
    return days or None


def parse_bymonthday(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        days = [int(p) for p in value.replace(" ", "").split(",") if p]
    except ValueError as exc:
        raise ScheduleError(f"Jour du mois invalide : {value!r}") from exc
    if any(d == 0 or not -31 <= d <= 31 for d in days):
        raise ScheduleError(f"Jour du mois invalide : {value!r}")
    return days or None


def validate(rule: ScheduleRule) -> None:
    """Raise ScheduleError with a French message when the rule is unusable."""
    try:
        ZoneInfo(rule.timezone)
    except Exception as exc:  # zoneinfo raises several types
        raise ScheduleError(f"Fuseau horaire inconnu : {rule.timezone!r}") from exc
    if rule.freq and rule.freq.upper() not in _FREQS:
        raise ScheduleError(f"Fréquence inconnue : {rule.freq!r}")
    parse_byday(rule.byday)
    parse_bymonthday(rule.bymonthday)
    if rule.freq and not rule.open_24_7 and (rule.opens_at is None or rule.closes_at is None):
        raise ScheduleError("Il faut une heure d'ouverture et une heure de fermeture.")
    if rule.valid_from and rule.valid_to and rule.valid_to < rule.valid_from:
        raise ScheduleError("La date de fin précède la date de début.")


@lru_cache(maxsize=64)
def quebec_holidays(year: int) -> frozenset[dt.date]:
    """Québec statutory holidays (Loi sur les normes du travail)."""
    def nth_weekday(month: int, weekday: rrule.weekday) -> dt.date:
        return rrule.rrule(rrule.MONTHLY, count=1, bymonth=month, byweekday=weekday, dtstart=dt.datetime(year, 1, 1))[0].date()

    easter_day = easter(year)
    # Journée nationale des patriotes: the Monday before May 25.
    may_24 = dt.date(year, 5, 24)
    patriots = may_24 - dt.timedelta(days=may_24.weekday())
    return frozenset(
        {
            dt.date(year, 1, 1),
            easter_day - dt.timedelta(days=2),  # Vendredi saint
            easter_day + dt.timedelta(days=1),  # Lundi de Pâques
            patriots,
            dt.date(year, 6, 24),
            dt.date(year, 7, 1),
            nth_weekday(9, rrule.MO(1)),  # Fête du Travail
            nth_weekday(10, rrule.MO(2)),  # Action de grâce
            dt.date(year, 12, 25),
        }
    )


def _occurrence_days(rule: ScheduleRule, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    freq = _FREQS[(rule.freq or "").upper()]
    anchor = rule.dtstart or rule.valid_from
    if anchor is None:
        # Without an anchor, an interval > 1 has no phase; start far enough back
        # that MONTHLY/WEEKLY rules are aligned the same way on every call.
        anchor = dt.date(2020, 1, 6) if rule.interval > 1 else first
    start = max(anchor, first) if rule.interval == 1 else anchor
    recurrence = rrule.rrule(
        freq,
        interval=rule.interval,
        dtstart=dt.datetime.combine(start, dt.time()),
        until=dt.datetime.combine(last, dt.time()),
        byweekday=parse_byday(rule.byday),
        bymonthday=parse_bymonthday(rule.bymonthday),
        cache=False,
    )
    for occurrence in recurrence:
        day = occurrence.date()
        if day < first:
            continue
        yield day


def openings(rule: ScheduleRule, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Opening intervals (aware datetimes) that overlap [start, end)."""
    if not rule.computable or rule.open_24_7:
        return
    tz = ZoneInfo(rule.timezone)
    first = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    if rule.valid_from:
        first = max(first, rule.valid_from)
    if rule.valid_to:
        last = min(last, rule.valid_to)
    if last < first:
        return
    opens_at, closes_at = rule.opens_at, rule.closes_at
    if opens_at is None or closes_at is None:  # `computable` said so; this tells the type checker
        return
    for day in _occurrence_days(rule, first, last):
        if rule.closed_on_holidays and day in quebec_holidays(day.year):
            continue
        opens = dt.datetime.combine(day, opens_at, tzinfo=tz)
        close_day = day if closes_at > opens_at else day + dt.timedelta(days=1)
        closes = dt.datetime.combine(close_day, closes_at, tzinfo=tz)
        if closes <= start or opens >= end:
            continue
        yield opens, closes


@dataclass(frozen=True)
class OpeningStatus:
    known: bool  # False when no schedule can be computed ("call to check")
    open_now: bool = False
    always_open: bool = False
    closes_at: dt.datetime | None = None
    next_opening: dt.datetime | None = None


def opening_status(rules: Iterable[ScheduleRule], now: dt.datetime) -> OpeningStatus:
    """Whether a service is open at `now` (aware) and when it next opens."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rules = [r for r in rules if r.computable]
    if not rules:
        return OpeningStatus(known=False)
    today = now.date()
    if any(
        r.open_24_7 and (r.valid_from is None or r.valid_from <= today) and (r.valid_to is None or today <= r.valid_to)
        for r in rules
    ):
        return OpeningStatus(known=True, open_now=True, always_open=True)
    current_close = None
    upcoming = None
    horizon = now + dt.timedelta(days=HORIZON_DAYS)
    for rule in rules:
        # Look a few weeks ahead first; seasonal rules fall back to the long horizon.
        for window_end in (now + dt.timedelta(days=45), horizon):
            found = False
            for opens, closes in openings(rule, now, window_end):
                if opens <= now < closes:
                    if current_close is None or closes > current_close:
                        current_close = closes
                elif opens > now:
                    if upcoming is None or opens < upcoming:
                        upcoming = opens
                    found = True
                    break
            if found:
                break
    return OpeningStatus(known=True, open_now=current_close is not None, closes_at=current_close, next_opening=upcoming)
