"""Services: list and search, view with history, verify, status, restore, create and edit."""
from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlencode

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from directory.areas import services_local_to_mrc, services_region_wide
from directory.formatting import format_date, mrc_display
from directory.models import Service, ServiceAtLocation, service_category, utcnow
from directory.text import fold

from . import freshness, history, policy, schedule_form
from .forms import STATUS_LABELS, Reference, area_key, clean, parse_service_form
from .organizations import create_organization
from .pages import Ctx, Forbidden, NotFound, admin_page, blueprint, error_page, load_service, names_for_history, redirect, render, today
from .sources import field_sources

PAGE_SIZE = 50

LIST_STATUSES = {
    "": "Tous sauf archivés",
    "active": "Actifs",
    "temporarily closed": "Fermés temporairement",
    "inactive": "Inactifs",
    "archived": "Archivés",
    "all": "Tous",
}


def service_query(ctx: Ctx, args) -> tuple[list[Service], dict]:
    """The services this person may see, filtered by the list's query string (the list and the CSV export)."""
    filters = {
        "q": clean(args.get("q")),
        "mrc": clean(args.get("mrc")),
        "category": clean(args.get("category")),
        "status": clean(args.get("status")),
        "stale": clean(args.get("stale")),
        "organization": clean(args.get("organization")),
    }
    stmt = select(Service).options(selectinload(Service.organization), selectinload(Service.categories),
                                   selectinload(Service.service_areas), selectinload(Service.phones))
    clause = policy.scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters["mrc"] == "region":
        stmt = stmt.where(Service.id.in_(services_region_wide()))
    elif filters["mrc"]:
        stmt = stmt.where(Service.id.in_(services_local_to_mrc(filters["mrc"])))
    if filters["category"]:
        stmt = stmt.where(Service.id.in_(select(service_category.c.service_id).where(
            service_category.c.category_id == filters["category"])))
    if filters["organization"]:
        stmt = stmt.where(Service.organization_id == filters["organization"])
    status = filters["status"]
    if status == "all":
        pass
    elif status in STATUS_LABELS:
        stmt = stmt.where(Service.status == status)
    else:
        stmt = stmt.where(Service.status != "archived")
    if filters["stale"]:
        limit = freshness.cutoff(today())
        # New services (created within the period, never verified) are not due yet.
        stmt = stmt.where(or_(and_(Service.assured_date.is_(None),
                                   or_(Service.created_at.is_(None), Service.created_at < limit)),
                              Service.assured_date < limit))
    services = list(ctx.db.execute(stmt).scalars())
    if filters["q"]:
        words = fold(filters["q"]).split()
        services = [
            s for s in services
            if all(w in fold(f"{s.name} {s.alternate_name or ''} {s.organization.name} {s.description}") for w in words)
        ]
    if filters["stale"]:
        services.sort(key=lambda s: (s.assured_date or dt.date.min, fold(s.name)))
    else:
        services.sort(key=lambda s: (fold(s.organization.name), fold(s.name)))
    return services, filters


def _area_summary(service: Service, ref: Reference) -> str:
    labels = []
    for area in service.service_areas:
        if area.scope == "region":
            labels.append("Tout le Bas-Saint-Laurent")
        elif area.scope == "mrc":
            labels.append(mrc_display(ref.mrcs.get(area.mrc_id, area.mrc_id or "")))
        else:
            labels.append(ref.municipalities.get(area.municipality_id, (area.municipality_id, ""))[0])
    return ", ".join(labels)


@blueprint.get("/services")
@admin_page()
def services_list(request, ctx: Ctx):
    services, filters = service_query(ctx, request.args)
    page_text = clean(request.args.get("page"))
    total_pages = max(1, math.ceil(len(services) / PAGE_SIZE))
    page = min(max(int(page_text), 1), total_pages) if page_text.isdigit() else 1
    shown = services[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    ref = ctx.ref()
    rows = []
    for s in shown:
        state = freshness.freshness(s.assured_date, s.created_at, today())
        rows.append({"service": s, "areas": _area_summary(s, ref), "stale": state == freshness.STALE,
                     "new": state == freshness.NEW})
    query = {k: v for k, v in filters.items() if v}
    mrc_choices = policy.choosable_mrcs(ctx.actor, ref.mrcs)
    return render(ctx, "services_list.html", rows=rows, filters=filters, total=len(services), page=page,
                  total_pages=total_pages, query=query, urlencode=urlencode, mrcs=mrc_choices,
                  categories=ref.categories, statuses=LIST_STATUSES,
                  export_url="/admin/export.csv" + (f"?{urlencode(query)}" if query else ""))


@blueprint.get("/a-verifier")
@admin_page()
def stale_list(request, ctx: Ctx):
    return redirect("/admin/services?stale=1")


@blueprint.get("/services/<service_id>")
@admin_page()
def service_view(request, ctx: Ctx, service_id: str):
    service = load_service(ctx, service_id)
    ref = ctx.ref()
    snap = history.snapshot(service)
    state = freshness.freshness(service.assured_date, service.created_at, today())
    return render(
        ctx, "service_view.html", service=service, snap=snap, ref=ref, areas=_area_summary(service, ref),
        versions=history.versions(ctx.db, service.id), stale=state == freshness.STALE, new=state == freshness.NEW,
    )


@blueprint.post("/services/<service_id>/verify")
@admin_page()
def service_verify(request, ctx: Ctx, service_id: str):
    service = load_service(ctx, service_id)
    before = history.snapshot(service)
    service.assured_date = today()
    history.record_change(ctx.db, service, before, "verify", ctx.actor.email, names_for_history(ctx.ref()), force=True)
    ctx.db.commit()
    ctx.flash(f"Merci! « {service.name} » est confirmé à jour en date du {format_date(service.assured_date)}.")
    return redirect(f"/admin/services/{service.id}")


STATUS_MESSAGES = {
    "temporarily closed": "fermé temporairement",
    "archived": "archivé (il n'apparaît plus dans les réponses de Phare)",
    "active": "réactivé",
    "inactive": "rendu inactif",
}


@blueprint.post("/services/<service_id>/status")
@admin_page()
def service_status(request, ctx: Ctx, service_id: str):
    service = load_service(ctx, service_id)
    status = clean(request.form.get("status"))
    if status not in STATUS_MESSAGES:
        return error_page(ctx, 400, "Statut inconnu", "Ce statut n'existe pas.")
    before = history.snapshot(service)
    service.status = status
    history.record_change(ctx.db, service, before, "status", ctx.actor.email, names_for_history(ctx.ref()))
    ctx.db.commit()
    ctx.flash(f"« {service.name} » est {STATUS_MESSAGES[status]}.")
    return redirect(f"/admin/services/{service.id}")


def snapshot_problem(ctx: Ctx, before: dict | None, after: dict) -> str | None:
    """Role rules on a proposed change (edit, restore or import row): see policy.change_problem."""
    return policy.change_problem(ctx.actor, before, after, ctx.ref().municipality_mrc)


@blueprint.post("/services/<service_id>/restore")
@admin_page()
def service_restore(request, ctx: Ctx, service_id: str):
    service = load_service(ctx, service_id)
    snap = history.stored_snapshot(ctx.db, service.id, clean(request.form.get("version_id")))
    if snap is None:
        raise NotFound()
    before = history.snapshot(service)
    ref = ctx.ref()
    snap = dict(snap)
    snap["categories"] = [c for c in snap.get("categories", []) if c in ref.categories]
    if snap.get("organization_id") not in ref.organizations:
        snap["organization_id"] = before["organization_id"]
    problem = snapshot_problem(ctx, before, snap)
    if problem:
        ctx.flash(f"Cette version ne peut pas être restaurée : {problem}")
        return redirect(f"/admin/services/{service.id}")
    history.apply_snapshot(ctx.db, service, snap)
    rows = history.record_change(ctx.db, service, before, "restore", ctx.actor.email, names_for_history(ref))
    ctx.db.commit()
    ctx.flash("Version restaurée." if rows else "Cette version est identique à la version actuelle : rien à changer.")
    return redirect(f"/admin/services/{service.id}")


def _organization_choices(ctx: Ctx) -> dict[str, str]:
    return policy.choosable_organizations(ctx.actor, ctx.ref().organizations)


def _area_choices(ctx: Ctx) -> dict:
    """MRCs and municipalities this person may choose, grouped by MRC."""
    ref = ctx.ref()
    mrcs = policy.choosable_mrcs(ctx.actor, ref.mrcs)
    groups = []
    for mrc_id, name in mrcs.items():
        municipalities = [(mid, m[0]) for mid, m in ref.municipalities.items() if m[1] == mrc_id]
        groups.append({"id": mrc_id, "name": name, "municipalities": municipalities})
    return {"groups": groups, "region": policy.can_choose_region(ctx.actor)}


def _schedule_rows(snap: dict) -> list[dict]:
    return schedule_form.editor_rows(snap.get("schedules", []))


def _form_page(ctx: Ctx, snap: dict, service: Service | None, errors: list[str]):
    selected_areas = {area_key(a) for a in snap.get("service_areas", [])}
    phones = list(snap.get("phones", [])) + [{"id": "", "number": "", "extension": "", "type": "voice", "description": ""}] * 2
    location = (snap.get("locations") or [{}])[0]
    return render(
        ctx, "service_form.html", status=400 if errors else 200, snap=snap, service=service, errors=errors,
        organizations=_organization_choices(ctx), categories=ctx.ref().categories, areas=_area_choices(ctx),
        selected_mrcs={k[1] for k in selected_areas if k[0] == "mrc"},
        selected_municipalities={k[2] for k in selected_areas if k[0] == "municipality"},
        region_selected=("region", None, None) in selected_areas, phones=phones, schedules=_schedule_rows(snap),
        location=location, municipalities=ctx.ref().municipalities, statuses=STATUS_LABELS,
        sources=field_sources(ctx.db, service),
    )


@blueprint.route("/services/new", methods=["GET", "POST"])
@admin_page()
def service_new(request, ctx: Ctx):
    if request.method == "GET":
        snap = {"status": "active", "categories": [], "phones": [], "schedules": [], "service_areas": [], "locations": [],
                "organization_id": ctx.actor.organization_id or clean(request.args.get("organization")), "priority": 0}
        if policy.own_mrc(ctx.actor):
            snap["service_areas"] = [{"id": None, "scope": "mrc", "mrc_id": policy.own_mrc(ctx.actor), "municipality_id": None}]
        return _form_page(ctx, snap, None, [])
    snap, errors = parse_service_form(request.form, None, ctx.ref(), ctx.actor)
    if request.form.get("preview"):
        return _form_page(ctx, snap, None, errors)
    if not errors:
        problem = snapshot_problem(ctx, None, snap)
        if problem:
            raise Forbidden()
    if errors:
        return _form_page(ctx, snap, None, errors)
    if snap.get("new_organization_name"):
        snap["organization_id"] = create_organization(ctx, snap["new_organization_name"]).id
    service = Service(organization_id=snap["organization_id"], name=snap["name"], source=f"admin:{ctx.actor.email}",
                      created_at=utcnow())
    ctx.db.add(service)
    ctx.db.flush()
    history.apply_snapshot(ctx.db, service, snap)
    history.record_change(ctx.db, service, None, "create", ctx.actor.email, names_for_history(ctx.ref()))
    ctx.db.commit()
    ctx.flash(f"Service « {service.name} » créé.")
    return redirect(f"/admin/services/{service.id}")


@blueprint.route("/services/<service_id>/edit", methods=["GET", "POST"])
@admin_page()
def service_edit(request, ctx: Ctx, service_id: str):
    service = load_service(ctx, service_id)
    before = history.snapshot(service)
    if request.method == "GET":
        return _form_page(ctx, before, service, [])
    snap, errors = parse_service_form(request.form, before, ctx.ref(), ctx.actor)
    if request.form.get("preview"):
        snap["id"] = service.id
        return _form_page(ctx, snap, service, errors)
    if not errors:
        problem = snapshot_problem(ctx, before, snap)
        if problem:
            raise Forbidden()
    if errors:
        snap["id"] = service.id
        return _form_page(ctx, snap, service, errors)
    if snap.get("new_organization_name"):
        snap["organization_id"] = create_organization(ctx, snap["new_organization_name"]).id
    history.apply_snapshot(ctx.db, service, snap)
    rows = history.record_change(ctx.db, service, before, "update", ctx.actor.email, names_for_history(ctx.ref()))
    ctx.db.commit()
    ctx.flash("Modifications enregistrées. Phare les utilise dès maintenant." if rows else "Aucun changement.")
    return redirect(f"/admin/services/{service.id}")


def full_snapshots(ctx: Ctx, services: list[Service]) -> list[dict]:
    ids = [s.id for s in services]
    loaded = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for s in ctx.db.execute(select(Service).where(Service.id.in_(chunk)).options(
                selectinload(Service.categories), selectinload(Service.phones), selectinload(Service.schedules),
                selectinload(Service.service_areas),
                selectinload(Service.locations).selectinload(ServiceAtLocation.location))).scalars():
            loaded[s.id] = history.snapshot(s)
    return [loaded[i] for i in ids if i in loaded]
