"""The "Fraîcheur" page: per MRC, how many services are à jour / à vérifier / nouveaux,
which organisations to call (no email), and which ones did not answer their reminders."""
from __future__ import annotations

from sqlalchemy import select

from directory.models import ListingRequest, Organization

from . import freshness, policy, reminders
from .pages import Ctx, admin_page, blueprint, render, today


@blueprint.get("/fraicheur")
@admin_page()
def freshness_page(request, ctx: Ctx):
    ctx.require(policy.can_see_needs(ctx.actor))
    only = policy.needs_mrc_scope(ctx.actor)
    rows = reminders.freshness_by_mrc(ctx.db, today(), only_mrc=only)
    to_call, silent = [], []
    for state in reminders.organization_states(ctx.db, today(), freshness.DEFAULT_MONTHS):
        if not state.stale or (only and only not in state.mrc_ids):
            continue
        if not state.organization.email:
            to_call.append(state)
        else:
            pending = reminders.unanswered_reminders(ctx.db, state.organization.id)
            if any(r.escalated_at for r in pending):
                silent.append((state, len(pending)))
    answered = ctx.db.execute(
        select(ListingRequest, Organization.name).join(Organization, Organization.id == ListingRequest.organization_id)
        .where(ListingRequest.used_at.is_not(None)).order_by(ListingRequest.used_at.desc()).limit(20)).all()
    return render(ctx, "freshness.html", rows=rows, to_call=to_call, silent=silent, answered=answered,
                  LABELS=freshness.LABELS, mrcs=ctx.ref().mrcs)
