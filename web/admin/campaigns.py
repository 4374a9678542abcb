"""Campaigns: short seasonal messages Phare adds to its answers, per MRC or region-wide."""
from __future__ import annotations

from sqlalchemy import select

from directory.models import Campaign

from . import history, policy
from .forms import clean, parse_date
from .pages import Ctx, admin_page, blueprint, redirect, render, today


def campaign_dict(campaign: Campaign) -> dict:
    return {"mrc_id": campaign.mrc_id, "title": campaign.title, "text": campaign.text,
            "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
            "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None}


def _campaign_mrcs(ctx: Ctx) -> dict[str, str]:
    return policy.choosable_mrcs(ctx.actor, ctx.ref().mrcs)


def _parse_campaign_form(ctx: Ctx, form) -> tuple[dict, list[str]]:
    errors = []
    mrc_id = clean(form.get("mrc_id")) or None
    mrc_id = mrc_id or policy.own_mrc(ctx.actor)
    values = {"mrc_id": mrc_id, "title": clean(form.get("title")), "text": clean(form.get("text"))}
    if mrc_id is not None and mrc_id not in ctx.ref().mrcs:
        errors.append("MRC inconnue.")
    if not values["title"]:
        errors.append("Le titre est obligatoire.")
    if not values["text"]:
        errors.append("Le texte est obligatoire : c'est ce que Phare dira.")
    elif len(values["text"]) > 600:
        errors.append("Le texte est trop long pour un texto (600 caractères au plus).")
    starts, e1 = parse_date(form.get("starts_on") or "")
    ends, e2 = parse_date(form.get("ends_on") or "")
    errors.extend(e[0].upper() + e[1:] + "." for e in (e1, e2) if e)
    if starts and ends and ends < starts:
        errors.append("La date de fin précède la date de début.")
    values["starts_on"], values["ends_on"] = starts, ends
    return values, errors


@blueprint.get("/campagnes")
@admin_page()
def campaigns_list(request, ctx: Ctx):
    ctx.require(policy.can_see_campaigns(ctx.actor))
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.title)
    mine = policy.own_mrc(ctx.actor)
    if mine is not None:
        stmt = stmt.where(Campaign.mrc_id == mine)
    return render(ctx, "campaigns_list.html", campaigns=ctx.db.execute(stmt).scalars().all(), mrcs=ctx.ref().mrcs,
                  today=today())


def _load_campaign(ctx: Ctx, campaign_id: str) -> Campaign:
    campaign = ctx.get_or_404(Campaign, campaign_id)
    ctx.require(policy.can_manage_campaign(ctx.actor, campaign.mrc_id))
    return campaign


@blueprint.route("/campagnes/new", methods=["GET", "POST"])
@admin_page()
def campaign_new(request, ctx: Ctx):
    ctx.require(policy.can_see_campaigns(ctx.actor))
    if request.method == "GET":
        return render(ctx, "campaign_form.html", campaign=None, values={"mrc_id": ctx.actor.mrc_id}, errors=[],
                      mrcs=_campaign_mrcs(ctx), versions=[])
    values, errors = _parse_campaign_form(ctx, request.form)
    if not errors:
        ctx.require(policy.can_manage_campaign(ctx.actor, values["mrc_id"]))
    if errors:
        return render(ctx, "campaign_form.html", status=400, campaign=None, values=values, errors=errors,
                      mrcs=_campaign_mrcs(ctx), versions=[])
    campaign = Campaign(**values, source=f"admin:{ctx.actor.email}")
    ctx.db.add(campaign)
    ctx.db.flush()
    history.record_simple(ctx.db, "campaign", campaign.id, None, campaign_dict(campaign), "create", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Campagne créée. Phare la mentionnera pendant ses dates.")
    return redirect("/admin/campagnes")


@blueprint.route("/campagnes/<campaign_id>", methods=["GET", "POST"])
@admin_page()
def campaign_edit(request, ctx: Ctx, campaign_id: str):
    campaign = _load_campaign(ctx, campaign_id)
    versions = history.versions(ctx.db, campaign.id, "campaign")
    if request.method == "GET":
        return render(ctx, "campaign_form.html", campaign=campaign, values=campaign_dict(campaign), errors=[],
                      mrcs=_campaign_mrcs(ctx), versions=versions)
    values, errors = _parse_campaign_form(ctx, request.form)
    if not errors:
        ctx.require(policy.can_manage_campaign(ctx.actor, values["mrc_id"]))
    if errors:
        return render(ctx, "campaign_form.html", status=400, campaign=campaign, values=values, errors=errors,
                      mrcs=_campaign_mrcs(ctx), versions=versions)
    before = campaign_dict(campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    rows = history.record_simple(ctx.db, "campaign", campaign.id, before, campaign_dict(campaign), "update", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Campagne enregistrée." if rows else "Aucun changement.")
    return redirect("/admin/campagnes")


@blueprint.post("/campagnes/<campaign_id>/delete")
@admin_page()
def campaign_delete(request, ctx: Ctx, campaign_id: str):
    campaign = _load_campaign(ctx, campaign_id)
    before = campaign_dict(campaign)
    history.record_simple(ctx.db, "campaign", campaign.id, before, {k: None for k in before}, "delete", ctx.actor.email)
    ctx.db.delete(campaign)
    ctx.db.commit()
    ctx.flash(f"Campagne « {before['title']} » retirée (elle reste dans l'historique).")
    return redirect("/admin/campagnes")
