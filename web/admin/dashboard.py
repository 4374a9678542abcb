"""The Alliance's dashboard: requests and unmet needs per MRC × category × week, every kind of request, SVG charts, CSV.

Read from the anonymous NeedLog rows (day, MRC, category, number of
results, channel, kind — never a message or a number). Kinds:
search (a search and its results), fallback (Phare did not understand),
outside (a place outside the Bas-Saint-Laurent), crisis (counts only, by
level: 911, 1 866 APPELLE, SOS violence conjugale, Info-Santé 811; no
category is ever shown), language (asked in another language). Weeks are
shown as dates ("semaine du 23 novembre 2026"), channels in French.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from sanic import response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory import crisis_levels
from directory.formatting import format_date
from directory.models import NeedLog

from . import charts, policy
from .csv_io import write_table
from .needs import need_filters
from .pages import Ctx, admin_page, blueprint, env, render, today
from .stats import NO_CATEGORY, NO_MRC, NO_RESULT, NeedFilters, filtered

KIND_LABELS = {
    "search": "recherches",
    "fallback": "messages non compris",
    "outside": "hors région",
    "crisis": "situations de crise",
    "language": "autre langue",
}
TABLE_LIMIT = 300  # lines of detail on the page; the CSV has them all
CHANNEL_LABELS = {"sms": "texto", "socketio": "clavardage", "web": "clavardage", "webchat": "clavardage",
                  "rest": "clavardage (essai)"}


def channel_label(channel: str | None) -> str:
    return CHANNEL_LABELS.get(channel or "", channel or "inconnu")


env.filters["channel_label"] = channel_label


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(start: dt.date) -> str:
    return f"semaine du {format_date(start)}"


SHORT_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def short_week(start: dt.date) -> str:
    """Axis label of a week: "23 nov."."""
    return f"{'1er' if start.day == 1 else start.day} {SHORT_MONTHS[start.month - 1]}"


@dataclass(frozen=True)
class Count:
    week: dt.date
    mrc_id: str | None
    category_id: str | None
    channel: str
    kind: str
    crisis_level: str | None
    requests: int
    no_result: int


def load_counts(session: Session, filters: NeedFilters) -> list[Count]:
    stmt = select(NeedLog.day, NeedLog.mrc_id, NeedLog.category_id, NeedLog.channel, NeedLog.kind,
                  NeedLog.crisis_level, func.count(NeedLog.id), NO_RESULT).group_by(
        NeedLog.day, NeedLog.mrc_id, NeedLog.category_id, NeedLog.channel, NeedLog.kind, NeedLog.crisis_level)
    channels = [c for c, label in CHANNEL_LABELS.items() if label == filters.channel] if filters.channel else None
    stmt = filtered(stmt, filters, channels)
    folded: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for day, mrc_id, category_id, channel, kind, level, count, no_result in session.execute(stmt):
        kind = kind or "search"
        crisis = kind == "crisis"
        # Crisis: counts by level only, never a category next to it.
        key = (week_start(day), mrc_id, None if crisis else category_id, channel or "", kind, level if crisis else None)
        folded[key][0] += count
        folded[key][1] += int(no_result or 0) if kind == "search" else 0
    return [Count(*key, *values) for key, values in folded.items()]


def summary(counts: list[Count]) -> dict[str, int]:
    totals = {kind: 0 for kind in KIND_LABELS}
    totals["no_result"] = 0
    for c in counts:
        totals[c.kind] = totals.get(c.kind, 0) + c.requests
        totals["no_result"] += c.no_result
    return totals


def crisis_by_level(counts: list[Count]) -> list[tuple[str, int]]:
    """(French name of the level, count), most urgent first."""
    by_level: dict[str | None, int] = defaultdict(int)
    for c in counts:
        if c.kind == "crisis":
            by_level[c.crisis_level] += c.requests
    return crisis_levels.ordered(by_level)


def kind_label(kind: str, level: str | None) -> str:
    label = KIND_LABELS.get(kind, kind)
    return f"{label} : {crisis_levels.label(level)}" if kind == "crisis" else label


def weekly_bars(counts: list[Count]) -> list[charts.Bar]:
    weeks: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for c in counts:
        if c.kind == "search":
            weeks[c.week][0] += c.requests
            weeks[c.week][1] += c.no_result
    if not weeks:
        return []
    # Every week between the first and the last, empty ones included: a gap is information.
    first, last = min(weeks), max(weeks)
    bars, day = [], first
    while day <= last:
        total, unmet = weeks.get(day, [0, 0])
        bars.append(charts.Bar(short_week(day), total, unmet))
        day += dt.timedelta(days=7)
    return bars


def grouped_bars(counts: list[Count], key, names: dict, missing: str, limit: int = 12) -> list[charts.Bar]:
    groups: dict = defaultdict(lambda: [0, 0])
    for c in counts:
        if c.kind == "search":
            groups[key(c)][0] += c.requests
            groups[key(c)][1] += c.no_result
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][1], -kv[1][0], str(kv[0])))[:limit]
    return [charts.Bar(names.get(k, k) if k else missing, v[0], v[1]) for k, v in ordered]


def table_rows(counts: list[Count], mrcs: dict, categories: dict) -> list[dict]:
    """Week × MRC × category (searches), newest week first, with the other kinds as their own lines."""
    rows: dict[tuple, dict] = {}
    for c in counts:
        key = (c.week, c.mrc_id, c.category_id, c.kind, c.crisis_level)
        row = rows.setdefault(key, {"week": c.week, "week_label": week_label(c.week),
                                    "mrc": mrcs.get(c.mrc_id, c.mrc_id) if c.mrc_id else NO_MRC,
                                    "category": (categories.get(c.category_id, c.category_id) if c.category_id
                                                 else NO_CATEGORY) if c.kind != "crisis" else "—",
                                    "kind": kind_label(c.kind, c.crisis_level), "requests": 0, "no_result": 0,
                                    "channels": defaultdict(int)})
        row["requests"] += c.requests
        row["no_result"] += c.no_result
        row["channels"][channel_label(c.channel)] += c.requests
    ordered = sorted(rows.values(), key=lambda r: (-r["week"].toordinal(), r["mrc"], r["kind"] != "recherches",
                                                   r["category"], r["kind"]))
    for r in ordered:
        r["channels"] = ", ".join(f"{label} {n}" for label, n in sorted(r["channels"].items()))
    return ordered


@blueprint.get("/tableau-de-bord")
@admin_page()
def dashboard(request, ctx: Ctx):
    ctx.require(policy.can_see_needs(ctx.actor))
    filters = need_filters(ctx, request.args)
    ref = ctx.ref()
    counts = load_counts(ctx.db, filters)
    totals = summary(counts)
    rows = table_rows(counts, ref.mrcs, ref.categories)
    query = {k: (v[0] if isinstance(v, list) else v) for k, v in request.args.items()}
    period = "les 12 dernières semaines" if filters.start and not filters.end and not request.args.get("start") else ""
    return render(
        ctx, "dashboard.html", filters=filters, totals=totals, KIND_LABELS=KIND_LABELS, crisis=crisis_by_level(counts),
        rows=rows[:TABLE_LIMIT], row_total=len(rows), mrcs=ref.mrcs, categories=ref.categories,
        channel_choices=sorted(set(CHANNEL_LABELS.values()) - {"clavardage (essai)"}),
        week_chart=charts.weekly_columns("Demandes par semaine (en orange : sans résultat)", weekly_bars(counts)),
        mrc_chart=charts.horizontal_bars("Demandes par MRC", grouped_bars(counts, lambda c: c.mrc_id, ref.mrcs, NO_MRC)),
        category_chart=charts.horizontal_bars("Besoins les moins comblés, par catégorie",
                                              grouped_bars(counts, lambda c: c.category_id, ref.categories, NO_CATEGORY)),
        csv_url="/admin/tableau-de-bord.csv" + (f"?{urlencode(query)}" if query else ""), period=period,
    )


@blueprint.get("/tableau-de-bord.csv")
@admin_page()
def dashboard_csv(request, ctx: Ctx):
    ctx.require(policy.can_see_needs(ctx.actor))
    ref = ctx.ref()
    rows = table_rows(load_counts(ctx.db, need_filters(ctx, request.args)), ref.mrcs, ref.categories)
    data = write_table(
        ["semaine", "début de la semaine", "mrc", "catégorie", "type", "demandes", "sans résultat", "canaux"],
        [[r["week_label"], r["week"].isoformat(), r["mrc"], r["category"], r["kind"], r["requests"], r["no_result"],
          r["channels"]] for r in rows],
    )
    return response.raw(data, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="phare-tableau-de-bord-{today().isoformat()}.csv"'})
