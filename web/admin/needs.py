"""Unmet needs: weekly searches and searches without a local answer, by MRC and category (page and CSV)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from sanic import response

from directory.formatting import format_date

from . import policy
from .csv_io import write_table
from .forms import clean, parse_date
from .pages import Ctx, admin_page, blueprint, render, today
from .stats import NO_CATEGORY, NO_MRC, NeedFilters, channels, crisis_counts, totals, weekly_needs


def need_filters(ctx: Ctx, args) -> NeedFilters:
    start, _ = parse_date(args.get("start") or "")
    end, _ = parse_date(args.get("end") or "")
    if start is None and end is None and not args.get("all"):
        start = today() - dt.timedelta(weeks=12)
    mrc = policy.needs_mrc_scope(ctx.actor)
    if mrc is None:
        mrc = clean(args.get("mrc")) or None
        if mrc == "none":
            mrc = ""
    return NeedFilters(start=start, end=end, mrc_id=mrc, category_id=clean(args.get("category")) or None,
                       channel=clean(args.get("channel")) or None)


@blueprint.get("/besoins")
@admin_page()
def needs(request, ctx: Ctx):
    ctx.require(policy.can_see_needs(ctx.actor))
    filters = need_filters(ctx, request.args)
    rows = weekly_needs(ctx.db, filters)
    searches, no_result = totals(rows)
    query = {k: v for k, v in request.args.items()}
    query = {k: (v[0] if isinstance(v, list) else v) for k, v in query.items()}
    return render(ctx, "needs.html", rows=rows, filters=filters, searches=searches, no_result=no_result,
                  mrcs=ctx.ref().mrcs, categories=ctx.ref().categories, channels=channels(ctx.db),
                  csv_url="/admin/besoins.csv" + (f"?{urlencode(query)}" if query else ""),
                  NO_MRC=NO_MRC, NO_CATEGORY=NO_CATEGORY, crisis=crisis_counts(ctx.db, filters))


@blueprint.get("/besoins.csv")
@admin_page()
def needs_csv(request, ctx: Ctx):
    ctx.require(policy.can_see_needs(ctx.actor))
    rows = weekly_needs(ctx.db, need_filters(ctx, request.args))
    ref = ctx.ref()
    data = write_table(
        ["semaine", "début de la semaine", "mrc", "catégorie", "demandes", "sans résultat", "part sans résultat (%)"],
        [[f"semaine du {format_date(r.week_start)}", r.week_start.isoformat(), ref.mrcs.get(r.mrc_id, r.mrc_id) if r.mrc_id else NO_MRC,
          ref.categories.get(r.category_id, r.category_id) if r.category_id else NO_CATEGORY,
          r.searches, r.no_result, f"{100 * r.no_result_share:.0f}"] for r in rows],
    )
    return response.raw(data, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="phare-besoins-{today().isoformat()}.csv"'})
