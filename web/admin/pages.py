"""The admin's page machinery: request context, templates and the `admin_page` decorator.

Every page goes through `admin_page`: it reads the signed session cookie,
loads the user, opens one database session, checks the CSRF token of every
POST, and turns permission and lookup failures into French 403/404 pages
that say nothing about the data. Writes are committed before the response,
so the next answer of Phare (same database, no cache) already sees them.

The handler body runs in a worker thread, never in the server's event loop:
a page does synchronous SQL and password hashing (argon2, tens of
milliseconds by design), and neither may hold up the other requests of the
web server (the widget's demo pages, the API, /health).

Each resource has its own controller module (services.py, organizations.py...),
registered on the one `blueprint` defined here; routes.py gathers them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory.db import open_session
from directory.formatting import format_date, format_phone, format_time, mrc_display
from directory.geography import TZ
from directory.models import Category, Mrc, Municipality, Organization, Service, ServiceAtLocation, User
from directory.text import fold_place

from . import auth, policy, schedule_form
from .forms import DAY_CODES, DAY_LABELS, PHONE_TYPES, SCHEDULE_KINDS, STATUS_LABELS, WEEK_RANKS, Reference, describe_schedule
from .policy import Actor

logger = logging.getLogger(__name__)


HERE = Path(__file__).resolve().parent


blueprint = Blueprint("phare_admin", url_prefix="/admin")
blueprint.static("/static", str(HERE / "static"), name="static")


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
    ROLE_LABELS=policy.ROLE_LABELS,
    STATUS_LABELS=STATUS_LABELS,
    DAY_CODES=DAY_CODES,
    DAY_LABELS=DAY_LABELS,
    WEEK_RANKS=WEEK_RANKS,
    PHONE_TYPES=PHONE_TYPES,
    SCHEDULE_KINDS=SCHEDULE_KINDS,
    REPEATS=schedule_form.REPEATS,
    MONTH_WEEKS=schedule_form.MONTH_WEEKS,
)


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

    def get_or_404(self, model, key):
        """The row of `model` with this primary key; the French 404 page when there is none."""
        row = self.db.get(model, key)
        if row is None:
            raise NotFound()
        return row


def load_reference(db: Session) -> Reference:
    from directory.gazetteer import default_gazetteer

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
    # remote_addr: the client's address as given by the trusted proxy (PHARE_PROXIES_COUNT, web.app), else empty.
    return request.remote_addr or request.ip or "?"


def admin_page(login: bool = True):
    """Decorator: session, user, database, CSRF on POST, French error pages; the body runs in a worker thread."""

    def decorate(handler):
        @wraps(handler)
        async def wrapper(request, **kwargs):
            # Sanic has read the whole body before calling us: the form and files are plain data by now.
            return await asyncio.to_thread(_serve, handler, login, request, kwargs)

        return wrapper

    return decorate


def _serve(handler, login: bool, request, kwargs: dict) -> response.HTTPResponse:
    """One admin page, synchronously (in a worker thread, see the module docstring)."""
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


def can_edit(ctx: Ctx, service: Service) -> bool:
    return policy.can_edit_service(ctx.actor, service.organization_id, policy.area_tuples(service.service_areas),
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
