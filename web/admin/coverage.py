"""Coverage: MRC by need matrix of local, reachable and verified services (page and CSV), for every staff role."""
from __future__ import annotations

from sanic import response

from directory import geography
from directory.coverage import CSV_HEADER, coverage_report, csv_rows

from .csv_io import write_table
from .pages import Ctx, admin_page, blueprint, render, today


@blueprint.get("/couverture")
@admin_page()
def coverage_page(request, ctx: Ctx):
    # Read-only and public-interest: every staff role sees every MRC.
    coverage = coverage_report(ctx.db, today())
    ref = ctx.ref()
    return render(ctx, "coverage.html", coverage=coverage, mrcs=ref.mrcs, categories=ref.categories,
                  mrc_short={m.id: m.short for m in geography.mrcs()})


@blueprint.get("/couverture.csv")
@admin_page()
def coverage_csv(request, ctx: Ctx):
    coverage = coverage_report(ctx.db, today())
    ref = ctx.ref()
    data = write_table(CSV_HEADER, csv_rows(coverage, ref.mrcs, ref.categories))
    return response.raw(data, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="phare-couverture-{today().isoformat()}.csv"'})


# Controllers of their own modules, registered on this blueprint.
from . import confirm, dashboard, followup, invitations, tokens  # noqa: E402, F401
