"""The hours editor in plain French, and its preview sentence.

Staff choose how often ("toutes les semaines", "une semaine sur deux",
"le 2e mardi du mois"…), tick days, type times, optionally a season and
"fermé les jours fériés"; no rule syntax is shown. Each block becomes the
same Schedule row as before (freq / interval / byday / bymonthday /
dtstart…), through forms.parse_schedule_fields. A rule the editor cannot
show (e.g. "1TU,3TH", or days of the month) is kept as it is, in hidden
fields, with its sentence shown.

`preview_sentence` is pure: "Ouvert les mardis et jeudis de 13 h à 16 h".
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from directory.formatting import MONTHS, WEEKDAYS, format_date, format_time

from .forms import DAY_CODES, clean, parse_schedule_fields, schedule_kind, split_byday

REPEATS = {
    "weekly": "Toutes les semaines",
    "biweekly": "Une semaine sur deux",
    "monthly": "Certaines semaines du mois (ex. le 2e mardi)",
    "daily": "Tous les jours",
    "always": "24 h sur 24, 7 jours sur 7",
    "text": "Sur rendez-vous ou heures à confirmer (texte libre)",
}
MONTH_WEEKS = {"1": "1er", "2": "2e", "3": "3e", "4": "4e", "-1": "dernier"}
DAY_NAMES = dict(zip(DAY_CODES, WEEKDAYS, strict=False))
BLANK_ROWS = 2


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _plural(day: str) -> str:
    return day + "s"


def _days_phrase(days: list[str], plural: bool = True) -> str:
    """["MO".."FR"] -> "du lundi au vendredi"; ["TU","TH"] -> "les mardis et jeudis"."""
    ordered = [d for d in DAY_CODES if d in days]
    indexes = [DAY_CODES.index(d) for d in ordered]
    if len(ordered) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"du {DAY_NAMES[ordered[0]]} au {DAY_NAMES[ordered[-1]]}"
    names = [DAY_NAMES[d] for d in ordered]
    return "les " + _join([_plural(n) for n in names]) if plural else _join(names)


def _time(value: str | None) -> str | None:
    return format_time(dt.time.fromisoformat(value)) if value else None


def _season(valid_from: str | None, valid_to: str | None) -> str:
    start = dt.date.fromisoformat(valid_from) if valid_from else None
    end = dt.date.fromisoformat(valid_to) if valid_to else None
    if start and end:
        first = ("1er" if start.day == 1 else str(start.day)) + f" {MONTHS[start.month - 1]}"
        if start.year != end.year:
            first += f" {start.year}"
        return f"du {first} au {format_date(end)}"
    if start:
        return f"à partir du {format_date(start)}"
    if end:
        return f"jusqu'au {format_date(end)}"
    return ""


def preview_sentence(item: dict) -> str:
    """One schedule (snapshot dict) in one plain French sentence."""
    kind = schedule_kind(item)
    if kind == "text":
        sentence = item.get("description") or "Heures à confirmer"
        extras = []
    else:
        if kind == "always":
            when = "24 h sur 24, 7 jours sur 7"
        elif kind == "daily":
            when = "tous les jours"
        else:
            weeks, days, product = split_byday(item.get("byday"))
            interval = item.get("interval") or 1
            if kind == "monthly" and weeks and product and days:
                ranks = [MONTH_WEEKS.get(w, w) for w in weeks]
                if len(ranks) == 1:
                    when = f"le {ranks[0]} {_join([DAY_NAMES[d] for d in days])} du mois"
                else:
                    when = f"les {_join(ranks)} {_join([_plural(DAY_NAMES[d]) for d in days])} du mois"
            elif kind == "monthly" and item.get("bymonthday"):
                numbers = ["1er" if n.strip() == "1" else n.strip() for n in str(item["bymonthday"]).split(",") if n.strip()]
                when = ("le " + " et le ".join(numbers)) + " du mois"
            elif days and interval == 2 and len(days) == 1:
                when = f"un {DAY_NAMES[days[0]]} sur deux"
            elif days and interval == 2:
                when = f"une semaine sur deux, {_days_phrase(days)}"
            elif days and interval > 2:
                when = f"toutes les {interval} semaines, {_days_phrase(days)}"
            elif days:
                when = _days_phrase(days)
            else:
                when = "certains jours"
        opens, closes = _time(item.get("opens_at")), _time(item.get("closes_at"))
        if kind != "always" and opens and closes:
            # "une semaine sur deux, les mardis et jeudis, de 13 h à 16 h": the comma closes the aside.
            when = f"{when}{',' if ',' in when else ''} de {opens} à {closes}"
        sentence = f"Ouvert {when}"
        extras = [item["description"]] if item.get("description") else []
    season = _season(item.get("valid_from"), item.get("valid_to"))
    if season:
        sentence += f", {season}"
    if item.get("closed_on_holidays"):
        extras.append("fermé les jours fériés")
    if extras:
        sentence += " (" + "; ".join(extras) + ")"
    return sentence + "."


def editor_row(item: dict | None) -> dict:
    """A schedule as the editor shows it (blank when None)."""
    if not item:
        return {"id": "", "repeat": "", "days": [], "weeks": [], "interval": 1, "keep_byday": "", "keep_bymonthday": "",
                "preview": ""}
    kind = schedule_kind(item)
    weeks, days, product = split_byday(item.get("byday"))
    repeat = kind
    if kind == "weekly" and (item.get("interval") or 1) == 2:
        repeat = "biweekly"
    # A rule the checkboxes cannot express is kept as it is (hidden), never shown as syntax.
    keep_byday = item.get("byday") if item.get("byday") and not product else ""
    keep_bymonthday = item.get("bymonthday") or ""
    return {**item, "repeat": repeat, "days": days, "weeks": weeks, "keep_byday": keep_byday,
            "keep_bymonthday": keep_bymonthday, "preview": preview_sentence(item)}


def parse_editor_row(get: Callable[[str], str], getlist: Callable[[str], list[str]], prefix: str,
                     today: dt.date) -> tuple[dict | None, list[str]]:
    """One block of the editor -> (Schedule dict, errors), through the existing schedule parser."""
    repeat = clean(get(prefix + "repeat"))
    if repeat not in REPEATS:
        return (None, []) if not repeat else (None, [f"fréquence inconnue « {repeat} »"])
    kind = {"biweekly": "weekly"}.get(repeat, repeat)
    overrides = {"kind": kind,
                 "interval": "2" if repeat == "biweekly" else ("1" if repeat != "weekly" or not clean(get(prefix + "interval"))
                                                               else clean(get(prefix + "interval"))),
                 "byday_raw": clean(get(prefix + "keep_byday")) if not getlist(prefix + "days") else "",
                 "bymonthday": clean(get(prefix + "keep_bymonthday")) if repeat == "monthly" and not getlist(prefix + "weeks") else ""}
    if repeat == "biweekly" and not clean(get(prefix + "dtstart")):
        # The week of the first opening: this week, unless staff say otherwise.
        overrides["dtstart"] = today.isoformat()

    def patched_get(name: str) -> str:
        key = name[len(prefix):]
        if key in overrides:
            return overrides[key]
        return get(name) or ""

    return parse_schedule_fields(patched_get, getlist, prefix)


def editor_rows(schedules: list[dict]) -> list[dict]:
    """The editor's blocks: one per schedule, then BLANK_ROWS empty ones to add more."""
    return [editor_row(item) for item in schedules] + [editor_row(None) for _ in range(BLANK_ROWS)]


MAX_BLOCKS = 40


def parse_editor_rows(get: Callable[[str], str], getlist: Callable[[str], list[str]], prefix: str,
                      own_ids: set[str], today: dt.date) -> tuple[list[dict], list[str]]:
    """Every block of one editor (its fields start with `prefix`) -> (schedules, errors "Horaire N : …").

    A schedule keeps its id only when it is one of `own_ids` (the service's own
    schedules), so a forged id never reaches another service's rows.
    """
    count_text = clean(get(prefix + "schedule_rows"))
    count = min(int(count_text), MAX_BLOCKS) if count_text.isdigit() else 0
    schedules: list[dict] = []
    errors: list[str] = []
    for i in range(count):
        block = f"{prefix}sched-{i}-"
        item, problems = parse_editor_row(get, getlist, block, today)
        errors.extend(f"Horaire {i + 1} : {p}." for p in problems)
        if item is not None:
            sid = clean(get(block + "id"))
            item["id"] = sid if sid in own_ids else None
            schedules.append(item)
    return schedules, errors
