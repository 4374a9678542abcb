"""Organisations: list, create, edit (their own fields, shared by all their services)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory.models import Organization, Service
from directory.text import fold

from . import history, policy
from .forms import clean, normalize_email, normalize_url
from .pages import Ctx, admin_page, blueprint, redirect, render


def organization_dict(org: Organization) -> dict:
    return {k: getattr(org, k) for k in ("name", "alternate_name", "description", "email", "website")}


def create_organization(ctx: Ctx, name: str) -> Organization:
    organization = Organization(name=name, source=f"admin:{ctx.actor.email}")
    ctx.db.add(organization)
    ctx.db.flush()
    history.record_simple(ctx.db, "organization", organization.id, None, organization_dict(organization), "create",
                          ctx.actor.email)
    ctx.ref().organizations[organization.id] = name
    return organization


def _org_service_areas(ctx: Ctx, organization_id: str) -> list[list[tuple]]:
    services = ctx.db.execute(
        select(Service).where(Service.organization_id == organization_id).options(selectinload(Service.service_areas))
    ).scalars()
    return [policy.area_tuples(s.service_areas) for s in services]


def load_organization(ctx: Ctx, organization_id: str) -> tuple[Organization, bool]:
    """(organisation, may edit); Forbidden when the person may not even see it."""
    org = ctx.get_or_404(Organization, organization_id)
    groups = _org_service_areas(ctx, org.id)
    editable = policy.can_edit_organization(ctx.actor, org.id, groups, ctx.ref().municipality_mrc)
    visible = editable or any(
        policy.can_edit_service(ctx.actor, org.id, g, ctx.ref().municipality_mrc) for g in groups
    )
    ctx.require(visible)
    return org, editable


@blueprint.get("/organisations")
@admin_page()
def organizations_list(request, ctx: Ctx):
    stmt = select(Organization).order_by(Organization.name)
    visible = policy.organization_scope_clause(ctx.actor)
    if visible is not None:
        stmt = stmt.where(visible)
    q = fold(clean(request.args.get("q")))
    orgs = [o for o in ctx.db.execute(stmt).scalars() if not q or q in fold(o.name)]
    counts = dict(ctx.db.execute(select(Service.organization_id, func.count(Service.id)).group_by(Service.organization_id)).all())
    return render(ctx, "organizations_list.html", organizations=orgs, counts=counts, q=clean(request.args.get("q")),
                  can_create=policy.can_create_organization(ctx.actor))


def _parse_org_form(form) -> tuple[dict, list[str]]:
    values = {k: clean(form.get(k)) or None for k in ("name", "alternate_name", "description", "email", "website")}
    values["description"] = values["description"] or ""
    errors = []
    if not values["name"]:
        errors.append("Le nom de l'organisme est obligatoire.")
    values["email"], e = normalize_email(values["email"] or "")
    errors.extend([e[0].upper() + e[1:] + "."] if e else [])
    values["website"], e = normalize_url(values["website"] or "")
    errors.extend([e[0].upper() + e[1:] + "."] if e else [])
    return values, errors


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@admin_page()
def organization_new(request, ctx: Ctx):
    ctx.require(policy.can_create_organization(ctx.actor))
    if request.method == "GET":
        return render(ctx, "organization_form.html", org=None, values={}, errors=[], editable=True, services=[], versions=[])
    values, errors = _parse_org_form(request.form)
    if errors:
        return render(ctx, "organization_form.html", status=400, org=None, values=values, errors=errors, editable=True,
                      services=[], versions=[])
    org = Organization(**values, source=f"admin:{ctx.actor.email}")
    ctx.db.add(org)
    ctx.db.flush()
    history.record_simple(ctx.db, "organization", org.id, None, organization_dict(org), "create", ctx.actor.email)
    ctx.db.commit()
    ctx.flash(f"Organisme « {org.name} » créé. Ajoutez-lui maintenant un service.")
    return redirect(f"/admin/services/new?organization={org.id}")


@blueprint.route("/organisations/<organization_id>", methods=["GET", "POST"])
@admin_page()
def organization_edit(request, ctx: Ctx, organization_id: str):
    org, editable = load_organization(ctx, organization_id)
    errors: list[str] = []
    values = organization_dict(org)
    if request.method == "POST":
        ctx.require(editable)
        values, errors = _parse_org_form(request.form)
        if not errors:
            before = organization_dict(org)
            for key, value in values.items():
                setattr(org, key, value)
            rows = history.record_simple(ctx.db, "organization", org.id, before, organization_dict(org), "update",
                                         ctx.actor.email)
            ctx.db.commit()
            ctx.flash("Organisme enregistré." if rows else "Aucun changement.")
            return redirect(f"/admin/organisations/{org.id}")
    stmt = select(Service).where(Service.organization_id == org.id).order_by(Service.name)
    clause = policy.scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    services = list(ctx.db.execute(stmt).scalars())
    return render(ctx, "organization_form.html", status=400 if errors else 200, org=org, values=values, errors=errors,
                  editable=editable, services=services, versions=history.versions(ctx.db, org.id, "organization"))
