"""Opening hours: recurrence, DST changes, holidays, seasonal dates."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from directory.formatting import format_date, format_moment, format_opening, format_phone, mrc_display, tel_uri
from directory.schedules import ScheduleError, ScheduleRule, opening_status, parse_byday, quebec_holidays, validate

TZ = ZoneInfo("America/Toronto")
UTC = dt.timezone.utc


def weekly(byday, opens="09:00", closes="12:00", **kw):
    h1, m1 = map(int, opens.split(":"))
    h2, m2 = map(int, closes.split(":"))
    return ScheduleRule(freq="WEEKLY", byday=byday, opens_at=dt.time(h1, m1), closes_at=dt.time(h2, m2), **kw)


def test_open_and_closed_on_a_plain_weekday():
    rule = weekly("MO,TU,WE,TH,FR", "08:30", "16:00")
    tuesday_10h = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
    status = opening_status([rule], tuesday_10h)
    assert status.open_now and status.closes_at == dt.datetime(2026, 12, 1, 16, 0, tzinfo=TZ)
    saturday = dt.datetime(2026, 12, 5, 10, 0, tzinfo=TZ)
    status = opening_status([rule], saturday)
    assert not status.open_now
    assert status.next_opening == dt.datetime(2026, 12, 7, 8, 30, tzinfo=TZ)


def test_spring_forward_keeps_local_opening_time():
    # DST starts Sunday 8 March 2026 in Québec: 9 h local is 13 h UTC that day, 14 h UTC a week before.
    rule = weekly("SU", "09:00", "12:00")
    assert opening_status([rule], dt.datetime(2026, 3, 8, 13, 30, tzinfo=UTC)).open_now
    assert not opening_status([rule], dt.datetime(2026, 3, 1, 13, 30, tzinfo=UTC)).open_now
    assert opening_status([rule], dt.datetime(2026, 3, 1, 14, 30, tzinfo=UTC)).open_now
    status = opening_status([rule], dt.datetime(2026, 3, 7, 17, 0, tzinfo=UTC))
    assert status.next_opening.astimezone(UTC) == dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


def test_fall_back_keeps_local_opening_time():
    # DST ends Sunday 1 November 2026: 9 h local is 14 h UTC that day.
    rule = weekly("SU", "09:00", "12:00")
    status = opening_status([rule], dt.datetime(2026, 10, 31, 20, 0, tzinfo=UTC))
    assert status.next_opening.astimezone(UTC) == dt.datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    assert not opening_status([rule], dt.datetime(2026, 11, 1, 13, 30, tzinfo=UTC)).open_now


def test_second_tuesday_of_the_month():
    rule = ScheduleRule(freq="MONTHLY", byday="2TU", opens_at=dt.time(13), closes_at=dt.time(15))
    status = opening_status([rule], dt.datetime(2026, 11, 28, 12, 0, tzinfo=TZ))
    assert status.next_opening == dt.datetime(2026, 12, 8, 13, 0, tzinfo=TZ)
    assert opening_status([rule], dt.datetime(2026, 12, 8, 14, 0, tzinfo=TZ)).open_now


def test_every_other_week_is_anchored():
    rule = weekly("WE", "10:00", "11:00", interval=2, dtstart=dt.date(2026, 11, 4))
    assert opening_status([rule], dt.datetime(2026, 11, 18, 10, 30, tzinfo=TZ)).open_now
    assert not opening_status([rule], dt.datetime(2026, 11, 25, 10, 30, tzinfo=TZ)).open_now


def test_closed_on_holidays():
    rule = weekly("MO,TU,WE,TH,FR", "09:00", "16:00", closed_on_holidays=True)
    christmas = dt.datetime(2026, 12, 25, 10, 0, tzinfo=TZ)  # a Friday
    status = opening_status([rule], christmas)
    assert not status.open_now
    assert status.next_opening == dt.datetime(2026, 12, 28, 9, 0, tzinfo=TZ)
    assert dt.date(2026, 6, 24) in quebec_holidays(2026)
    assert dt.date(2026, 5, 18) in quebec_holidays(2026)  # Journée nationale des patriotes
    assert dt.date(2026, 4, 3) in quebec_holidays(2026)  # Vendredi saint


def test_seasonal_service_reopens_next_season():
    rule = weekly("SA", "09:00", "12:00", valid_from=dt.date(2027, 5, 1), valid_to=dt.date(2027, 10, 31))
    status = opening_status([rule], dt.datetime(2026, 11, 28, 10, 0, tzinfo=TZ))
    assert not status.open_now
    assert status.next_opening == dt.datetime(2027, 5, 1, 9, 0, tzinfo=TZ)


def test_always_open_and_unknown():
    assert opening_status([ScheduleRule(open_24_7=True)], dt.datetime(2026, 1, 1, 3, tzinfo=TZ)).always_open
    assert not opening_status([], dt.datetime(2026, 1, 1, 3, tzinfo=TZ)).known
    with pytest.raises(ValueError):
        opening_status([], dt.datetime(2026, 1, 1, 3))


def test_overnight_opening():
    rule = weekly("FR", "22:00", "02:00")
    assert opening_status([rule], dt.datetime(2026, 12, 5, 1, 0, tzinfo=TZ)).open_now  # Saturday 1 h


@pytest.mark.parametrize("bad", ["XX", "0MO", "9TU", "2", "MO;TU"])
def test_bad_byday_is_refused_in_french(bad):
    with pytest.raises(ScheduleError):
        validate(ScheduleRule(freq="WEEKLY", byday=bad, opens_at=dt.time(9), closes_at=dt.time(10)))


def test_bad_zone_and_dates():
    with pytest.raises(ScheduleError, match="Fuseau"):
        validate(ScheduleRule(timezone="UTC-5"))
    with pytest.raises(ScheduleError, match="fin"):
        validate(ScheduleRule(valid_from=dt.date(2026, 5, 1), valid_to=dt.date(2026, 4, 1)))
    assert [str(d) for d in parse_byday("2TU,-1FR")] == ["TU(+2)", "FR(-1)"]


def test_french_formatting():
    assert format_phone("4185550123") == "418 555-0123"
    assert format_phone("1-866-277-3553") == "1 866 277-3553"
    assert format_phone("211") == "211"
    assert format_phone("418 555 0123", "12") == "418 555-0123, poste 12"
    assert tel_uri("418 555-0123") == "tel:+14185550123"
    assert tel_uri("911") == "tel:911"
    assert format_date(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert mrc_display("Les Basques") == "MRC des Basques"
    assert mrc_display("La Mitis") == "MRC de La Mitis"
    now = dt.datetime(2026, 11, 28, 10, 0, tzinfo=TZ)
    assert format_moment(dt.datetime(2026, 11, 28, 13, 30, tzinfo=TZ), now) == "aujourd'hui à 13 h 30"
    assert format_moment(dt.datetime(2026, 11, 29, 9, 0, tzinfo=TZ), now) == "demain à 9 h"
    assert format_moment(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), now) == "mardi 1er décembre à 9 h"
    status = opening_status([weekly("SA", "09:00", "12:00")], now)
    assert format_opening(status, now) == "Ouvert maintenant, jusqu'à 12 h."
