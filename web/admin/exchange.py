"""CSV export and import of services (a spreadsheet round trip, checked row by row before anything is written)."""
from __future__ import annotations

import logging

from sanic import response
from sqlalchemy import select

from directory.models import Service, utcnow
from directory.text import fold

from . import history, policy
from .csv_io import export_csv, parse_import
from .organizations import create_organization
from .pages import Ctx, admin_page, blueprint, names_for_history, render, today
from .services import full_snapshots, service_query, snapshot_problem

logger = logging.getLogger(__name__)


@blueprint.get("/export.csv")
@admin_page()
def export(request, ctx: Ctx):
    services, _ = service_query(ctx, request.args)
    data = export_csv(full_snapshots(ctx, services), ctx.ref())
    name = f"phare-services-{today().isoformat()}.csv"
    return response.raw(data, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.route("/import", methods=["GET", "POST"])
@admin_page()
def import_csv(request, ctx: Ctx):
    if request.method == "GET":
        return render(ctx, "import.html", result=None, applied=None)
    upload = request.files.get("file")
    data = upload.body if upload is not None else (request.form.get("csv_text") or "").encode("utf-8")
    if not data.strip():
        return render(ctx, "import.html", status=400, result=None, applied=None,
                      message="Choisissez un fichier CSV à importer.")
    only_check = bool(request.form.get("dry_run"))
    # Every service this person may change, for the rows with an id.
    stmt = select(Service)
    clause = policy.scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    current = {s["id"]: s for s in full_snapshots(ctx, list(ctx.db.execute(stmt).scalars()))}

    def check(before, after, new_org):
        problem = snapshot_problem(ctx, before, dict(after, new_organization_name=new_org))
        if problem:
            return problem
        if after.get("organization_id") is None and not new_org:
            return "organisme manquant"
        return None

    result = parse_import(data, ctx.ref(), current, check=check, today=today())
    if not result.ok:
        return render(ctx, "import.html", status=400, result=result, applied=None)
    changed = [row for row in result.rows if row.changed]
    if only_check:
        return render(ctx, "import.html", result=result, applied=None, checked=True, changed=changed)
    counts = {"created": 0, "updated": 0, "unchanged": len(result.rows) - len(changed)}
    try:
        new_orgs: dict[str, str] = {}
        names = names_for_history(ctx.ref())
        for row in changed:
            snap = dict(row.snapshot)
            if row.new_organization_name:
                key = fold(row.new_organization_name)
                if key not in new_orgs:
                    new_orgs[key] = create_organization(ctx, row.new_organization_name).id
                snap["organization_id"] = new_orgs[key]
                names[new_orgs[key]] = row.new_organization_name
            if row.service_id:
                service = ctx.db.get(Service, row.service_id)
                before = current[row.service_id]
                counts["updated"] += 1
            else:
                service = Service(organization_id=snap["organization_id"], name=snap["name"],
                                  source=f"import:{ctx.actor.email}", created_at=utcnow())
                ctx.db.add(service)
                ctx.db.flush()
                before = None
                counts["created"] += 1
            history.apply_snapshot(ctx.db, service, snap)
            history.record_change(ctx.db, service, before, "import", ctx.actor.email, names)
        ctx.db.commit()
    except Exception:
        ctx.db.rollback()
        logger.exception("CSV import failed; rolled back")
        return render(ctx, "import.html", status=500, result=None, applied=None,
                      message="L'importation a échoué; rien n'a été enregistré. Réessayez ou écrivez à l'administration régionale.")
    return render(ctx, "import.html", result=result, applied=counts)
