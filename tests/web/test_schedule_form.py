"""The plain-French hours editor: preview sentences, and blocks turned into the same Schedule rows as before."""
from __future__ import annotations

import datetime as dt

import pytest

from web.admin.forms import MultiDict
from web.admin.schedule_form import editor_row, parse_editor_row, preview_sentence

TODAY = dt.date(2026, 11, 29)


def week(byday, opens="13:00", closes="16:00", **extra):
    return {"freq": "WEEKLY", "interval": 1, "byday": byday, "opens_at": opens, "closes_at": closes, **extra}


@pytest.mark.parametrize("item, sentence", [
    (week("TU,TH"), "Ouvert les mardis et jeudis de 13 h à 16 h."),
    (week("MO,TU,WE,TH,FR", "08:30", "16:30"), "Ouvert du lundi au vendredi de 8 h 30 à 16 h 30."),
    (week("WE", interval=2), "Ouvert un mercredi sur deux de 13 h à 16 h."),
    (week("TU,TH", interval=2), "Ouvert une semaine sur deux, les mardis et jeudis, de 13 h à 16 h."),
    ({"freq": "MONTHLY", "byday": "2TU", "opens_at": "09:00", "closes_at": "12:00"},
     "Ouvert le 2e mardi du mois de 9 h à 12 h."),
    ({"freq": "MONTHLY", "byday": "1TU,3TU", "opens_at": "09:00", "closes_at": "12:00"},
     "Ouvert les 1er et 3e mardis du mois de 9 h à 12 h."),
    ({"freq": "MONTHLY", "byday": "-1FR", "opens_at": "18:00", "closes_at": "20:00"},
     "Ouvert le dernier vendredi du mois de 18 h à 20 h."),
    ({"freq": "MONTHLY", "bymonthday": "1,15", "opens_at": "09:00", "closes_at": "11:00"},
     "Ouvert le 1er et le 15 du mois de 9 h à 11 h."),
    ({"freq": "DAILY", "opens_at": "07:00", "closes_at": "22:00"}, "Ouvert tous les jours de 7 h à 22 h."),
    ({"open_24_7": True}, "Ouvert 24 h sur 24, 7 jours sur 7."),
    ({"freq": None, "description": "Sur rendez-vous seulement"}, "Sur rendez-vous seulement."),
    (week("SA", "09:00", "12:00", valid_from="2026-06-01", valid_to="2026-08-31", closed_on_holidays=True),
     "Ouvert les samedis de 9 h à 12 h, du 1er juin au 31 août 2026 (fermé les jours fériés)."),
])
def test_preview_sentence(item, sentence):
    assert preview_sentence(item) == sentence


def parse(fields, prefix="sched-0-"):
    form = MultiDict([(prefix + k, v) for k, v in fields])
    return parse_editor_row(form.get, form.getlist, prefix, TODAY)


def test_weekly_block_gives_the_usual_rule():
    item, errors = parse([("repeat", "weekly"), ("days", "TU"), ("days", "TH"), ("opens_at", "13:00"),
                          ("closes_at", "16:00"), ("closed_on_holidays", "1")])
    assert errors == []
    assert (item["freq"], item["interval"], item["byday"], item["opens_at"], item["closes_at"],
            item["closed_on_holidays"]) == ("WEEKLY", 1, "TU,TH", "13:00", "16:00", True)


def test_every_other_week_anchors_on_this_week_unless_told():
    item, errors = parse([("repeat", "biweekly"), ("days", "WE"), ("opens_at", "9:00"), ("closes_at", "11:00")])
    assert errors == [] and (item["interval"], item["dtstart"]) == (2, "2026-11-29")
    item, _ = parse([("repeat", "biweekly"), ("days", "WE"), ("opens_at", "9:00"), ("closes_at", "11:00"),
                     ("dtstart", "2026-12-02")])
    assert item["dtstart"] == "2026-12-02"


def test_monthly_block_and_season():
    item, errors = parse([("repeat", "monthly"), ("weeks", "2"), ("weeks", "4"), ("days", "TU"), ("opens_at", "9:00"),
                          ("closes_at", "12:00"), ("valid_from", "2026-06-01"), ("valid_to", "2026-08-31")])
    assert errors == []
    assert (item["freq"], item["byday"], item["valid_from"], item["valid_to"]) == (
        "MONTHLY", "2TU,4TU", "2026-06-01", "2026-08-31")


def test_errors_are_plain_french():
    _, errors = parse([("repeat", "weekly"), ("opens_at", "13:00"), ("closes_at", "16:00")])
    assert errors == ["choisissez au moins un jour de la semaine"]
    _, errors = parse([("repeat", "monthly"), ("days", "TU"), ("opens_at", "13:00"), ("closes_at", "16:00")])
    assert any("semaine du mois" in e for e in errors)
    _, errors = parse([("repeat", "weekly"), ("days", "TU")])
    assert errors == ["il faut une heure d'ouverture et une heure de fermeture"]
    assert parse([]) == (None, [])


def test_a_rule_the_editor_cannot_show_is_kept_unchanged():
    stored = {"freq": "MONTHLY", "interval": 1, "byday": "1TU,3TH", "opens_at": "09:00", "closes_at": "12:00"}
    row = editor_row(stored)
    assert row["repeat"] == "monthly" and row["keep_byday"] == "1TU,3TH"
    item, errors = parse([("repeat", "monthly"), ("keep_byday", "1TU,3TH"), ("opens_at", "09:00"),
                          ("closes_at", "12:00")])
    assert errors == [] and item["byday"] == "1TU,3TH"


def test_round_trip_through_the_editor():
    stored = {"freq": "WEEKLY", "interval": 2, "byday": "MO,WE", "opens_at": "10:00", "closes_at": "12:00",
              "dtstart": "2026-11-02"}
    row = editor_row(stored)
    assert row["repeat"] == "biweekly" and row["days"] == ["MO", "WE"]
    fields = [("repeat", row["repeat"]), ("opens_at", row["opens_at"]), ("closes_at", row["closes_at"]),
              ("dtstart", row["dtstart"])] + [("days", d) for d in row["days"]]
    item, errors = parse(fields)
    assert errors == []
    assert {k: item[k] for k in stored} == stored


def test_one_editor_among_several_in_a_form():
    """The organisation's confirmation page has one editor per service, told apart by a prefix."""
    from web.admin.schedule_form import editor_rows, parse_editor_rows

    assert [r["preview"] for r in editor_rows([week("TU,TH")])] == ["Ouvert les mardis et jeudis de 13 h à 16 h.", "", ""]
    form = MultiDict([
        ("s1-schedule_rows", "3"),
        ("s1-sched-0-id", "own"), ("s1-sched-0-repeat", "weekly"), ("s1-sched-0-days", "MO"), ("s1-sched-0-days", "WE"),
        ("s1-sched-0-opens_at", "09:00"), ("s1-sched-0-closes_at", "12:00"),
        ("s1-sched-1-id", "someone-elses"), ("s1-sched-1-repeat", "monthly"), ("s1-sched-1-weeks", "2"),
        ("s1-sched-1-days", "TU"), ("s1-sched-1-opens_at", "13:00"), ("s1-sched-1-closes_at", "15:00"),
        ("s1-sched-2-repeat", ""),
        # Another service's editor in the same form is not read.
        ("s2-schedule_rows", "1"), ("s2-sched-0-repeat", "daily"),
    ])
    schedules, errors = parse_editor_rows(lambda k: form.get(k) or "", form.getlist, "s1-", {"own"}, TODAY)
    assert errors == []
    assert [(s["id"], s["freq"], s["byday"]) for s in schedules] == [("own", "WEEKLY", "MO,WE"), (None, "MONTHLY", "2TU")]
    assert [preview_sentence(s) for s in schedules] == ["Ouvert les lundis et mercredis de 9 h à 12 h.",
                                                        "Ouvert le 2e mardi du mois de 13 h à 15 h."]
    bad = MultiDict([("s1-schedule_rows", "1"), ("s1-sched-0-repeat", "weekly"), ("s1-sched-0-days", "MO")])
    _, errors = parse_editor_rows(lambda k: bad.get(k) or "", bad.getlist, "s1-", set(), TODAY)
    assert errors == ["Horaire 1 : il faut une heure d'ouverture et une heure de fermeture."]
