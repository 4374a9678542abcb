"""The staff admin (Sanic blueprint under /admin, French pages, plain HTML forms).

Every page goes through `admin_page`: it reads the signed session cookie,
loads the user, opens one database session, checks the CSRF token of every
POST, and turns permission and lookup failures into French 403/404 pages
that say nothing about the data. Writes are committed before the response,
so the next answer of Phare (same database, no cache) already sees them.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from .. import geography, seed_sources
from ..areas import services_local_to_mrc, services_region_wide
from ..coverage import CSV_HEADER, coverage_report, csv_rows
from ..db import open_session
from ..formatting import MONTHS, format_date, format_phone, format_time, mrc_display
from ..freshness import parse_date_text
from ..geography import TZ
from ..models import (
    Campaign,
    Category,
    FactSource,
    Mrc,
    Municipality,
    Organization,
    Service,
    ServiceAtLocation,
    User,
    service_category,
    utcnow,
)
from ..text import fold, fold_place, slugify
from . import auth, freshness, history, permissions, schedule_form
from .csv_io import export_csv, parse_import, write_table
from .forms import (
    DAY_CODES,
    DAY_LABELS,
    PHONE_TYPES,
    SCHEDULE_KINDS,
    STATUS_LABELS,
    WEEK_RANKS,
    Reference,
    area_key,
    clean,
    describe_schedule,
    normalize_email,
    normalize_url,
    parse_date,
    parse_service_form,
)
from .permissions import Actor
from .stats import NO_CATEGORY, NO_MRC, NeedFilters, channels, crisis_counts, totals, weekly_needs

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
LIST_STATUSES = {
    "": "Tous sauf archivés",
    "active": "Actifs",
    "temporarily closed": "Fermés temporairement",
    "inactive": "Inactifs",
    "archived": "Archivés",
    "all": "Tous",
}

blueprint = Blueprint("phare_admin", url_prefix="/admin")
blueprint.static("/static", str(HERE / "static"), name="static")



# --- Templates ----------------------------------------------------------------------


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = value.replace(tzinfo=dt.timezone.utc).astimezone(TZ)
    return f"{format_date(local.date())} à {format_time(local)}"


def _date_fr(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value)


env = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    date_fr=_date_fr,
    datetime_fr=_local,
    phone=lambda p: format_phone(p.get("number") if isinstance(p, dict) else p.number,
                                 p.get("extension") if isinstance(p, dict) else p.extension),
    status_label=lambda s: STATUS_LABELS.get(s, s),
    schedule_text=describe_schedule,
    mrc_display=mrc_display,
)
env.globals.update(
    ROLE_LABELS=permissions.ROLE_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    DAY_CODES=DAY_CODES,
    DAY_LABELS=DAY_LABELS,
    WEEK_RANKS=WEEK_RANKS,
    PHONE_TYPES=PHONE_TYPES,
    SCHEDULE_KINDS=SCHEDULE_KINDS,
    REPEATS=schedule_form.REPEATS,
    MONTH_WEEKS=schedule_form.MONTH_WEEKS,
)


# --- Request context -------------------------------------------------------------------


class Forbidden(Exception):
    pass


class NotFound(Exception):
    pass


@dataclass
class Ctx:
    request: object
    db: Session
    session: dict
    user: User | None = None
    actor: Actor | None = None
    session_changed: bool = False
    _ref: Reference | None = field(default=None, repr=False)

    @property
    def csrf(self) -> str:
        return self.session["csrf"]

    def flash(self, message: str) -> None:
        self.session["flash"] = message
        self.session_changed = True

    def pop_flash(self) -> str | None:
        message = self.session.pop("flash", None)
        if message:
            self.session_changed = True
        return message

    def ref(self) -> Reference:
        if self._ref is None:
            self._ref = load_reference(self.db)
        return self._ref

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise Forbidden()


def load_reference(db: Session) -> Reference:
    from ..gazetteer import default_gazetteer

    def resolve(text: str) -> str | None:
        try:
            resolution = default_gazetteer().resolve(text)
        except Exception:  # the gazetteer is only a fallback for odd spellings
            logger.exception("gazetteer failed on %r", text)
            return None
        if resolution.status == "found" and resolution.place and resolution.place.kind == "municipality":
            return resolution.place.municipality_id
        return None

    return Reference(
        categories=dict(db.execute(select(Category.id, Category.label).order_by(Category.position, Category.label)).all()),
        mrcs=dict(db.execute(select(Mrc.id, Mrc.name).order_by(Mrc.name)).all()),
        municipalities={mid: (name, mrc) for mid, name, mrc in
                        db.execute(select(Municipality.id, Municipality.name, Municipality.mrc_id).order_by(Municipality.name))},
        organizations=dict(db.execute(select(Organization.id, Organization.name).order_by(Organization.name)).all()),
        mrc_aliases={fold_place(alias): mid for mid, aliases in db.execute(select(Mrc.id, Mrc.aliases))
                     for alias in (aliases or "").split("|") if alias.strip()},
        resolve_place=resolve,
    )


def render(ctx: Ctx, template: str, status: int = 200, **values) -> response.HTTPResponse:
    body = env.get_template(template).render(
        user=ctx.user, actor=ctx.actor, csrf_token=ctx.csrf, flash=ctx.pop_flash(), path=ctx.request.path, **values
    )
    return response.html(body, status=status)


def redirect(url: str) -> response.HTTPResponse:
    return response.redirect(url, status=303)


def error_page(ctx: Ctx, status: int, title: str, message: str) -> response.HTTPResponse:
    return render(ctx, "error.html", status=status, title=title, message=message)


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def client_ip(request) -> str:
    # remote_addr: the client's address as given by the trusted proxy (PHARE_PROXIES_COUNT, bot.web), else empty.
    return request.remote_addr or request.ip or "?"


def admin_page(login: bool = True):
    """Decorator: session, user, database, CSRF on POST, French error pages."""

    def decorate(handler):
        @wraps(handler)
        async def wrapper(request, **kwargs):
            stored = auth.load_session(request.cookies.get(auth.SESSION_COOKIE))
            data = stored or auth.new_session()
            with open_session() as db:
                ctx = Ctx(request=request, db=db, session=data, session_changed=stored is None)
                uid = data.get("uid")
                if uid:
                    user = db.get(User, uid)
                    if user is not None and user.active and data.get("pw") == auth.password_tag(user.password_hash):
                        ctx.user, ctx.actor = user, Actor.from_user(user)
                    else:
                        ctx.session = auth.new_session()
                        ctx.session_changed = True
                try:
                    if login and ctx.user is None:
                        target = request.path + (f"?{request.query_string}" if request.query_string else "")
                        resp = redirect("/admin/login?" + urlencode({"next": target}))
                    elif request.method == "POST" and not auth.csrf_ok(ctx.session, request.form.get("csrf_token")):
                        resp = error_page(ctx, 403, "Formulaire expiré",
                                          "Ce formulaire a expiré ou ne vient pas de Phare. Rechargez la page et recommencez.")
                    else:
                        resp = handler(request, ctx, **kwargs)
                except Forbidden:
                    db.rollback()
                    resp = error_page(ctx, 403, "Accès refusé",
                                      "Votre compte ne donne pas accès à cette page. Au besoin, écrivez à l'administration régionale.")
                except NotFound:
                    db.rollback()
                    resp = error_page(ctx, 404, "Page introuvable", "Cette page n'existe pas (ou plus).")
                except Exception:
                    logger.exception("admin page failed: %s %s", request.method, request.path)
                    db.rollback()
                    resp = error_page(ctx, 500, "Oups, une erreur",
                                      "Quelque chose n'a pas fonctionné de notre côté; rien n'a été enregistré. "
                                      "Réessayez dans un instant ou écrivez à l'administration régionale.")
            if ctx.session_changed:
                auth.set_session_cookie(resp, ctx.session)
            for key, value in SECURITY_HEADERS.items():
                resp.headers.setdefault(key, value)
            return resp

        return wrapper

    return decorate


# --- Scope helpers ----------------------------------------------------------------------------


def services_in_mrc(mrc_id: str):
    """Ids of the services offered in this MRC or one of its municipalities (the shared "who serves where")."""
    return services_local_to_mrc(mrc_id)


def scope_clause(actor: Actor):
    """SQL condition on Service: what this actor may read and change (None: all)."""
    if actor.role == "admin":
        return None
    if actor.role == "organization":
        return Service.organization_id == actor.organization_id
    if actor.role == "mrc" and actor.mrc_id:
        return Service.id.in_(services_in_mrc(actor.mrc_id))
    return Service.id.is_(None)


def area_tuples(areas) -> list[tuple]:
    return [(a["scope"], a.get("mrc_id"), a.get("municipality_id")) if isinstance(a, dict)
            else (a.scope, a.mrc_id, a.municipality_id) for a in areas]


def can_edit(ctx: Ctx, service: Service) -> bool:
    return permissions.can_edit_service(ctx.actor, service.organization_id, area_tuples(service.service_areas),
                                        ctx.ref().municipality_mrc)


def load_service(ctx: Ctx, service_id: str) -> Service:
    service = ctx.db.execute(
        select(Service).where(Service.id == service_id).options(
            selectinload(Service.organization), selectinload(Service.phones), selectinload(Service.schedules),
            selectinload(Service.categories), selectinload(Service.service_areas),
            selectinload(Service.locations).selectinload(ServiceAtLocation.location),
        )
    ).scalar_one_or_none()
    if service is None:
        raise NotFound()
    ctx.require(can_edit(ctx, service))
    return service


def names_for_history(ref: Reference) -> dict:
    names = dict(ref.mrcs)
    names.update({k: v[0] for k, v in ref.municipalities.items()})
    names.update(ref.categories)
    names.update(ref.organizations)
    return names


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


# --- Login ---------------------------------------------------------------------------------------


@blueprint.get("/")
@admin_page(login=False)
def home(request, ctx: Ctx):
    return redirect("/admin/services" if ctx.user else "/admin/login")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/services"


@blueprint.route("/login", methods=["GET", "POST"])
@admin_page(login=False)
def login(request, ctx: Ctx):
    next_url = _safe_next(request.args.get("next") or request.form.get("next"))
    if request.method == "GET":
        if ctx.user:
            return redirect(next_url)
        return render(ctx, "login.html", next_url=next_url, email="")
    email = clean(request.form.get("email")).lower()
    password = request.form.get("password") or ""
    ip = client_ip(request)
    throttle = auth.login_throttle()
    wait = throttle.wait(email, ip)
    if wait > 0:
        logger.warning("login slowed down for one account from one address")
        return render(ctx, "login.html", status=429, next_url=next_url, email=email,
                      error=f"Trop de tentatives de connexion pour ce compte. Pour votre sécurité, "
                            f"attendez {auth.wait_text(wait)} avant de réessayer.")
    user = ctx.db.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none() if email else None
    if user is None or not user.active:
        auth.verify_password(_DUMMY_HASH, password)  # same time as a real check
        ok = False
    else:
        ok = auth.verify_password(user.password_hash, password)
    if not ok:
        throttle.failure(email, ip)
        return render(ctx, "login.html", status=401, next_url=next_url, email=email,
                      error="Courriel ou mot de passe incorrect.")
    throttle.success(email, ip)
    if auth.needs_rehash(user.password_hash):
        user.password_hash = auth.hash_password(password)
        ctx.db.commit()
    if user.totp_secret:
        return invitations.start_second_factor(ctx, user, next_url)
    ctx.session = auth.new_session(user.id, user.password_hash)
    ctx.session_changed = True
    ctx.flash(f"Bonjour {user.name or user.email}!")
    return redirect(next_url)


_DUMMY_HASH = auth.hash_password("phare-dummy-password-for-timing")


@blueprint.post("/logout")
@admin_page(login=False)
def logout(request, ctx: Ctx):
    auth.REVOKED.revoke(ctx.session.get("sid"))
    ctx.session = auth.new_session()
    ctx.session_changed = True
    ctx.flash("Vous êtes déconnecté. À bientôt!")
    return redirect("/admin/login")


@blueprint.route("/compte", methods=["GET", "POST"])
@admin_page()
def account(request, ctx: Ctx):
    errors = []
    if request.method == "POST":
        current = request.form.get("current_password") or ""
        new = request.form.get("new_password") or ""
        if not auth.verify_password(ctx.user.password_hash, current):
            errors.append("Le mot de passe actuel n'est pas le bon.")
        elif new != (request.form.get("confirm_password") or ""):
            errors.append("Les deux nouveaux mots de passe ne sont pas pareils.")
        else:
            problem = auth.password_problem(new)
            if problem:
                errors.append(problem)
        if not errors:
            ctx.user.password_hash = auth.hash_password(new)
            history.record_simple(ctx.db, "user", ctx.user.id, {"password": "…"}, {"password": "(changé)"}, "update",
                                  ctx.actor.email)
            ctx.db.commit()
            ctx.session = auth.new_session(ctx.user.id, ctx.user.password_hash)
            ctx.session_changed = True
            ctx.flash("Votre mot de passe est changé.")
            return redirect("/admin/compte")
    return render(ctx, "account.html", errors=errors, status=400 if errors else 200)


# --- Services: list ------------------------------------------------------------------------------


def _service_query(ctx: Ctx, args) -> tuple[list[Service], dict]:
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
    clause = scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters["mrc"] == "region":
        stmt = stmt.where(Service.id.in_(services_region_wide()))
    elif filters["mrc"]:
        stmt = stmt.where(Service.id.in_(services_in_mrc(filters["mrc"])))
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
    services, filters = _service_query(ctx, request.args)
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
    mrc_choices = ref.mrcs if ctx.actor.role != "mrc" else {ctx.actor.mrc_id: ref.mrcs.get(ctx.actor.mrc_id, "")}
    return render(ctx, "services_list.html", rows=rows, filters=filters, total=len(services), page=page,
                  total_pages=total_pages, query=query, urlencode=urlencode, mrcs=mrc_choices,
                  categories=ref.categories, statuses=LIST_STATUSES,
                  export_url="/admin/export.csv" + (f"?{urlencode(query)}" if query else ""))


@blueprint.get("/a-verifier")
@admin_page()
def stale_list(request, ctx: Ctx):
    return redirect("/admin/services?stale=1")


# --- Services: view, verify, status, restore ----------------------------------------------------------


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
    """Role rules on a proposed change (edit, restore or import row)."""
    actor, ref = ctx.actor, ctx.ref()
    before_areas = area_tuples((before or {}).get("service_areas", []))
    after_areas = area_tuples(after.get("service_areas", []))
    # A service residents are not offered (inactive, archived: a one-off action kept in
    # the history) may keep having no area; any change of areas is still checked.
    offered = after.get("status") in ("active", "temporarily closed")
    if offered or before_areas != after_areas:
        problem = permissions.area_change_problem(actor, before_areas, after_areas, ref.municipality_mrc)
        if problem:
            return problem
    org_id = after.get("organization_id")
    if org_id and (before is None or org_id != before.get("organization_id")) and not permissions.can_use_organization(actor, org_id):
        return "Vous ne pouvez pas rattacher ce service à un autre organisme."
    if after.get("new_organization_name") and not permissions.can_create_organization(actor):
        return "Vous ne pouvez pas créer d'organisme."
    if (before or {}).get("priority", 0) != after.get("priority", 0) and not permissions.can_set_priority(actor):
        return "Seule l'administration régionale change la priorité."
    return None


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


# --- Services: create and edit ---------------------------------------------------------------------------


def _organization_choices(ctx: Ctx) -> dict[str, str]:
    ref = ctx.ref()
    if ctx.actor.role == "organization":
        return {k: v for k, v in ref.organizations.items() if k == ctx.actor.organization_id}
    return ref.organizations


def _area_choices(ctx: Ctx) -> dict:
    """MRCs and municipalities this person may choose, grouped by MRC."""
    ref = ctx.ref()
    mrcs = ref.mrcs if ctx.actor.role != "mrc" else {ctx.actor.mrc_id: ref.mrcs.get(ctx.actor.mrc_id, ctx.actor.mrc_id)}
    groups = []
    for mrc_id, name in mrcs.items():
        municipalities = [(mid, m[0]) for mid, m in ref.municipalities.items() if m[1] == mrc_id]
        groups.append({"id": mrc_id, "name": name, "municipalities": municipalities})
    return {"groups": groups, "region": ctx.actor.role != "mrc"}


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


SOURCE_KIND_LABELS = {
    "organisme": "Site de l'organisme",
    "journal": "Article",
    "repertoire": "Répertoire",
    "municipal": "Site municipal",
    "gouvernement": "Site gouvernemental",
}


def field_sources(db: Session, service: Service | None) -> dict[str, list[dict]]:
    """field -> the public sources behind it (the service's own, then its organisation's), for display beside the field."""
    if service is None:
        return {}
    rows = db.execute(
        select(FactSource).where(or_(
            (FactSource.resource_type == "service") & (FactSource.resource_id == service.id),
            (FactSource.resource_type == "organization") & (FactSource.resource_id == service.organization_id),
        )).order_by(FactSource.resource_type.desc(), FactSource.position, FactSource.id)
    ).scalars()
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        if not _still_supports(row, service):
            continue
        grouped.setdefault(row.field, []).append({
            "url": row.url if row.url.startswith(("http://", "https://")) else "",
            "title": row.title,
            "quote": row.quote,
            "date": _source_date(row.source_date),
            "kind_label": SOURCE_KIND_LABELS.get(row.kind, row.kind),
            "of_organization": row.resource_type == "organization",
        })
    return grouped


def _still_supports(row: FactSource, service: Service) -> bool:
    """A source of a phone, website, email or address is shown only while its quote still holds the current value.

    Staff may have corrected a number since the seed; the old page would then
    vouch for a number it never gave.
    """
    if row.field == "phone":
        return any(seed_sources.phone_in_quote(p.number, row.quote) for p in service.phones)
    if row.field == "email":
        email = service.email or service.organization.email
        return bool(email) and seed_sources.email_in_quote(email, row.quote)
    if row.field == "website":
        url = service.url or service.organization.website
        wanted = seed_sources.host(url or "")
        return bool(wanted) and (wanted in row.quote.lower() or seed_sources.host(row.url) == wanted)
    if row.field == "address":
        return any(seed_sources.address_in_quote(link.location.address_1 or "", row.quote)
                   for link in service.locations if link.location is not None)
    return True


def _source_date(text: str) -> str:
    parsed = parse_date_text(text)
    if not parsed:
        return "date inconnue"
    year, month, day = parsed
    if day:
        return format_date(dt.date(year, month, day))
    return f"{MONTHS[month - 1]} {year}" if month else str(year)


def _create_organization(ctx: Ctx, name: str) -> Organization:
    organization = Organization(name=name, source=f"admin:{ctx.actor.email}")
    ctx.db.add(organization)
    ctx.db.flush()
    history.record_simple(ctx.db, "organization", organization.id, None, organization_dict(organization), "create",
                          ctx.actor.email)
    ctx.ref().organizations[organization.id] = name
    return organization


@blueprint.route("/services/new", methods=["GET", "POST"])
@admin_page()
def service_new(request, ctx: Ctx):
    if request.method == "GET":
        snap = {"status": "active", "categories": [], "phones": [], "schedules": [], "service_areas": [], "locations": [],
                "organization_id": ctx.actor.organization_id or clean(request.args.get("organization")), "priority": 0}
        if ctx.actor.role == "mrc":
            snap["service_areas"] = [{"id": None, "scope": "mrc", "mrc_id": ctx.actor.mrc_id, "municipality_id": None}]
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
        snap["organization_id"] = _create_organization(ctx, snap["new_organization_name"]).id
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
        snap["organization_id"] = _create_organization(ctx, snap["new_organization_name"]).id
    history.apply_snapshot(ctx.db, service, snap)
    rows = history.record_change(ctx.db, service, before, "update", ctx.actor.email, names_for_history(ctx.ref()))
    ctx.db.commit()
    ctx.flash("Modifications enregistrées. Phare les utilise dès maintenant." if rows else "Aucun changement.")
    return redirect(f"/admin/services/{service.id}")


# --- Organisations -------------------------------------------------------------------------------------


def organization_dict(org: Organization) -> dict:
    return {k: getattr(org, k) for k in ("name", "alternate_name", "description", "email", "website")}


def _org_service_areas(ctx: Ctx, organization_id: str) -> list[list[tuple]]:
    services = ctx.db.execute(
        select(Service).where(Service.organization_id == organization_id).options(selectinload(Service.service_areas))
    ).scalars()
    return [area_tuples(s.service_areas) for s in services]


def load_organization(ctx: Ctx, organization_id: str) -> tuple[Organization, bool]:
    """(organisation, may edit); Forbidden when the person may not even see it."""
    org = ctx.db.get(Organization, organization_id)
    if org is None:
        raise NotFound()
    groups = _org_service_areas(ctx, org.id)
    editable = permissions.can_edit_organization(ctx.actor, org.id, groups, ctx.ref().municipality_mrc)
    visible = editable or any(
        permissions.can_edit_service(ctx.actor, org.id, g, ctx.ref().municipality_mrc) for g in groups
    )
    ctx.require(visible)
    return org, editable


@blueprint.get("/organisations")
@admin_page()
def organizations_list(request, ctx: Ctx):
    stmt = select(Organization).order_by(Organization.name)
    if ctx.actor.role == "organization":
        stmt = stmt.where(Organization.id == ctx.actor.organization_id)
    elif ctx.actor.role == "mrc":
        stmt = stmt.where(Organization.id.in_(select(Service.organization_id).where(scope_clause(ctx.actor))))
    q = fold(clean(request.args.get("q")))
    orgs = [o for o in ctx.db.execute(stmt).scalars() if not q or q in fold(o.name)]
    counts = dict(ctx.db.execute(select(Service.organization_id, func.count(Service.id)).group_by(Service.organization_id)).all())
    return render(ctx, "organizations_list.html", organizations=orgs, counts=counts, q=clean(request.args.get("q")),
                  can_create=permissions.can_create_organization(ctx.actor))


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
    ctx.require(permissions.can_create_organization(ctx.actor))
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
    clause = scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    services = list(ctx.db.execute(stmt).scalars())
    return render(ctx, "organization_form.html", status=400 if errors else 200, org=org, values=values, errors=errors,
                  editable=editable, services=services, versions=history.versions(ctx.db, org.id, "organization"))


# --- Categories (regional administrators) ------------------------------------------------------------------


def category_dict(category: Category) -> dict:
    return {k: getattr(category, k) for k in ("label", "description", "synonyms", "position", "resident_facing")}


def _parse_category_form(form, new: bool) -> tuple[dict, list[str]]:
    errors = []
    synonyms = [s.strip() for s in re.split(r"[|\n]", form.get("synonyms") or "") if s.strip()]
    values = {
        "label": clean(form.get("label")),
        "description": clean(form.get("description")),
        "synonyms": "|".join(dict.fromkeys(synonyms)),
        "resident_facing": bool(form.get("resident_facing")),
    }
    position = clean(form.get("position")) or "0"
    if not re.fullmatch(r"\d{1,4}", position):
        errors.append("L'ordre doit être un nombre entier.")
        position = "0"
    values["position"] = int(position)
    if not values["label"]:
        errors.append("Le libellé est obligatoire.")
    if new:
        values["id"] = slugify(clean(form.get("id")) or values["label"])[:40]
        if not values["id"]:
            errors.append("L'identifiant est obligatoire.")
    return values, errors


@blueprint.get("/categories")
@admin_page()
def categories_list(request, ctx: Ctx):
    ctx.require(permissions.can_manage_categories(ctx.actor))
    categories = ctx.db.execute(select(Category).order_by(Category.position, Category.label)).scalars().all()
    counts = dict(ctx.db.execute(select(service_category.c.category_id, func.count()).group_by(service_category.c.category_id)).all())
    return render(ctx, "categories_list.html", categories=categories, counts=counts)


@blueprint.route("/categories/new", methods=["GET", "POST"])
@admin_page()
def category_new(request, ctx: Ctx):
    ctx.require(permissions.can_manage_categories(ctx.actor))
    if request.method == "GET":
        return render(ctx, "category_form.html", category=None, values={"resident_facing": True, "position": 0}, errors=[])
    values, errors = _parse_category_form(request.form, new=True)
    if not errors and ctx.db.get(Category, values["id"]) is not None:
        errors.append(f"L'identifiant « {values['id']} » existe déjà.")
    if errors:
        return render(ctx, "category_form.html", status=400, category=None, values=values, errors=errors)
    category = Category(**values)
    ctx.db.add(category)
    history.record_simple(ctx.db, "category", category.id, None, category_dict(category), "create", ctx.actor.email)
    ctx.db.commit()
    ctx.flash(f"Catégorie « {category.label} » créée.")
    return redirect("/admin/categories")


@blueprint.route("/categories/<category_id>", methods=["GET", "POST"])
@admin_page()
def category_edit(request, ctx: Ctx, category_id: str):
    ctx.require(permissions.can_manage_categories(ctx.actor))
    category = ctx.db.get(Category, category_id)
    if category is None:
        raise NotFound()
    if request.method == "GET":
        values = category_dict(category)
        values["synonyms"] = "\n".join(s for s in (category.synonyms or "").split("|") if s)
        return render(ctx, "category_form.html", category=category, values=values, errors=[],
                      versions=history.versions(ctx.db, category.id, "category"))
    values, errors = _parse_category_form(request.form, new=False)
    if errors:
        return render(ctx, "category_form.html", status=400, category=category, values=values, errors=errors,
                      versions=history.versions(ctx.db, category.id, "category"))
    before = category_dict(category)
    for key, value in values.items():
        setattr(category, key, value)
    rows = history.record_simple(ctx.db, "category", category.id, before, category_dict(category), "update", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Catégorie enregistrée." if rows else "Aucun changement.")
    return redirect("/admin/categories")


# --- Campaigns -------------------------------------------------------------------------------------------------


def campaign_dict(campaign: Campaign) -> dict:
    return {"mrc_id": campaign.mrc_id, "title": campaign.title, "text": campaign.text,
            "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
            "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None}


def _campaign_mrcs(ctx: Ctx) -> dict[str, str]:
    ref = ctx.ref()
    if ctx.actor.role == "mrc":
        return {ctx.actor.mrc_id: ref.mrcs.get(ctx.actor.mrc_id, ctx.actor.mrc_id)}
    return ref.mrcs


def _parse_campaign_form(ctx: Ctx, form) -> tuple[dict, list[str]]:
    errors = []
    mrc_id = clean(form.get("mrc_id")) or None
    if ctx.actor.role == "mrc":
        mrc_id = mrc_id or ctx.actor.mrc_id
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
    ctx.require(ctx.actor.role in ("admin", "mrc"))
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.title)
    if ctx.actor.role == "mrc":
        stmt = stmt.where(Campaign.mrc_id == ctx.actor.mrc_id)
    return render(ctx, "campaigns_list.html", campaigns=ctx.db.execute(stmt).scalars().all(), mrcs=ctx.ref().mrcs,
                  today=today())


def _load_campaign(ctx: Ctx, campaign_id: str) -> Campaign:
    campaign = ctx.db.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound()
    ctx.require(permissions.can_manage_campaign(ctx.actor, campaign.mrc_id))
    return campaign


@blueprint.route("/campagnes/new", methods=["GET", "POST"])
@admin_page()
def campaign_new(request, ctx: Ctx):
    ctx.require(ctx.actor.role in ("admin", "mrc"))
    if request.method == "GET":
        return render(ctx, "campaign_form.html", campaign=None, values={"mrc_id": ctx.actor.mrc_id}, errors=[],
                      mrcs=_campaign_mrcs(ctx), versions=[])
    values, errors = _parse_campaign_form(ctx, request.form)
    if not errors:
        ctx.require(permissions.can_manage_campaign(ctx.actor, values["mrc_id"]))
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
        ctx.require(permissions.can_manage_campaign(ctx.actor, values["mrc_id"]))
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


# --- Accounts (regional administrators) -------------------------------------------------------------------------


def user_dict(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "mrc_id": user.mrc_id,
            "organization_id": user.organization_id, "active": bool(user.active)}


def _parse_user_form(ctx: Ctx, form, user: User | None) -> tuple[dict, str | None, list[str]]:
    errors = []
    values = {
        "email": clean(form.get("email")).lower() if user is None else user.email,
        "name": clean(form.get("name")),
        "role": clean(form.get("role")),
        "mrc_id": clean(form.get("mrc_id")) or None,
        "organization_id": clean(form.get("organization_id")) or None,
        "active": bool(form.get("active")) if user is not None else True,
    }
    email, e = normalize_email(values["email"])
    if e or not email or not auth.plain_email(email):
        errors.append("Courriel invalide : lettres, chiffres, point, tiret et un seul @ (ex. nom@mrc.qc.ca).")
    if values["role"] not in permissions.ROLES:
        errors.append("Choisissez un rôle.")
    if values["role"] == "mrc":
        values["organization_id"] = None
        if values["mrc_id"] not in ctx.ref().mrcs:
            errors.append("Choisissez la MRC de cette personne.")
    elif values["role"] == "organization":
        values["mrc_id"] = None
        if values["organization_id"] not in ctx.ref().organizations:
            errors.append("Choisissez l'organisme de cette personne.")
    else:
        values["mrc_id"] = values["organization_id"] = None
    if values["role"] == "admin" and (user is None or user.role != "admin") and not form.get("confirm_admin"):
        errors.append("Cochez la case qui confirme que cette personne aura tous les droits d'administration régionale.")
    password = form.get("password") or ""
    if password:
        if password != (form.get("confirm_password") or ""):
            errors.append("Les deux mots de passe ne sont pas pareils.")
        else:
            problem = auth.password_problem(password)
            if problem:
                errors.append(problem)
    if user is not None and user.id == ctx.actor.id and (values["role"] != "admin" or not values["active"]):
        errors.append("Vous ne pouvez pas retirer vos propres droits d'administration.")
    return values, password or None, errors


@blueprint.get("/utilisateurs")
@admin_page()
def users_list(request, ctx: Ctx):
    ctx.require(permissions.can_manage_users(ctx.actor))
    users = ctx.db.execute(select(User).order_by(User.role, User.email)).scalars().all()
    return render(ctx, "users_list.html", users=users, ref=ctx.ref())


@blueprint.route("/utilisateurs/new", methods=["GET", "POST"])
@admin_page()
def user_new(request, ctx: Ctx):
    ctx.require(permissions.can_manage_users(ctx.actor))
    form_values = {"ref": ctx.ref(), "account": None}
    if request.method == "GET":
        return render(ctx, "user_form.html", values={"active": True}, errors=[], **form_values)
    values, password, errors = _parse_user_form(ctx, request.form, None)
    if not errors and ctx.db.execute(select(User.id).where(func.lower(User.email) == values["email"])).first():
        errors.append("Un compte existe déjà pour ce courriel.")
    if errors:
        return render(ctx, "user_form.html", status=400, values=values, errors=errors, **form_values)
    # No password chosen by someone else: the person chooses it from the invitation link.
    user = User(**values, password_hash=auth.hash_password(password) if password else tokens.NO_PASSWORD)
    ctx.db.add(user)
    ctx.db.flush()
    history.record_simple(ctx.db, "user", user.id, None, user_dict(user), "create", ctx.actor.email)
    by_smtp = invitations.send_account_link(ctx, user, "invite") if not password else None
    ctx.db.commit()
    if by_smtp is None:
        ctx.flash(f"Compte créé pour {user.email}.")
    else:
        invitations.after_commit_deliver()
        ctx.flash(f"Compte créé. {invitations.sent_note(by_smtp, user.email)}")
    return redirect("/admin/utilisateurs")


@blueprint.route("/utilisateurs/<user_id>", methods=["GET", "POST"])
@admin_page()
def user_edit(request, ctx: Ctx, user_id: str):
    ctx.require(permissions.can_manage_users(ctx.actor))
    account = ctx.db.get(User, user_id)
    if account is None:
        raise NotFound()
    form_values = {"ref": ctx.ref(), "account": account, "versions": history.versions(ctx.db, account.id, "user")}
    if request.method == "GET":
        return render(ctx, "user_form.html", values=user_dict(account), errors=[], **form_values)
    values, password, errors = _parse_user_form(ctx, request.form, account)
    if errors:
        return render(ctx, "user_form.html", status=400, values=values, errors=errors, **form_values)
    before = user_dict(account)
    for key, value in values.items():
        setattr(account, key, value)
    after = user_dict(account)
    if password:
        account.password_hash = auth.hash_password(password)
        before["password"], after["password"] = "…", "(changé)"
    rows = history.record_simple(ctx.db, "user", account.id, before, after, "update", ctx.actor.email)
    ctx.db.commit()
    ctx.flash("Compte enregistré." if rows else "Aucun changement.")
    return redirect("/admin/utilisateurs")


# --- CSV import / export ------------------------------------------------------------------------------------------


def _full_snapshots(ctx: Ctx, services: list[Service]) -> list[dict]:
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


@blueprint.get("/export.csv")
@admin_page()
def export(request, ctx: Ctx):
    services, _ = _service_query(ctx, request.args)
    data = export_csv(_full_snapshots(ctx, services), ctx.ref())
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
    clause = scope_clause(ctx.actor)
    if clause is not None:
        stmt = stmt.where(clause)
    current = {s["id"]: s for s in _full_snapshots(ctx, list(ctx.db.execute(stmt).scalars()))}

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
                    new_orgs[key] = _create_organization(ctx, row.new_organization_name).id
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


# --- Unmet needs -------------------------------------------------------------------------------------------------


def _need_filters(ctx: Ctx, args) -> NeedFilters:
    start, _ = parse_date(args.get("start") or "")
    end, _ = parse_date(args.get("end") or "")
    if start is None and end is None and not args.get("all"):
        start = today() - dt.timedelta(weeks=12)
    mrc = permissions.needs_mrc_scope(ctx.actor)
    if mrc is None:
        mrc = clean(args.get("mrc")) or None
        if mrc == "none":
            mrc = ""
    return NeedFilters(start=start, end=end, mrc_id=mrc, category_id=clean(args.get("category")) or None,
                       channel=clean(args.get("channel")) or None)


@blueprint.get("/besoins")
@admin_page()
def needs(request, ctx: Ctx):
    ctx.require(permissions.can_see_needs(ctx.actor))
    filters = _need_filters(ctx, request.args)
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
    ctx.require(permissions.can_see_needs(ctx.actor))
    rows = weekly_needs(ctx.db, _need_filters(ctx, request.args))
    ref = ctx.ref()
    data = write_table(
        ["semaine", "début de la semaine", "mrc", "catégorie", "demandes", "sans résultat", "part sans résultat (%)"],
        [[f"semaine du {format_date(r.week_start)}", r.week_start.isoformat(), ref.mrcs.get(r.mrc_id, r.mrc_id) if r.mrc_id else NO_MRC,
          ref.categories.get(r.category_id, r.category_id) if r.category_id else NO_CATEGORY,
          r.searches, r.no_result, f"{100 * r.no_result_share:.0f}"] for r in rows],
    )
    return response.raw(data, content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="phare-besoins-{today().isoformat()}.csv"'})


# --- Coverage ------------------------------------------------------------------------------------------------------


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

__all__ = ["blueprint"]
