"""Organisations confirm or correct their own listing from a link, without an account.

The link (sent by `python -m web.admin remind`, or made by staff from the
organisation page) holds a signed ListingRequest id: valid 30 days, once.
"Toujours exact" confirms every service of the organisation in one click;
the form changes only the listing's own fields (description, phones,
hours, address, website, email). Hours use the admin's plain-French editor
(web.admin.schedule_form), one per service, so a correction becomes a
real schedule with its preview sentence; "Voir la phrase" shows it without
saving (the link stays valid). Both write the history (Metadata rows, by
"<organisation> (lien de confirmation)") and set the verified date.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import wraps

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory import mail
from directory.models import Organization, Service, ServiceAtLocation, utcnow

from . import history, messages, policy, tokens
from .forms import clean, normalize_email, normalize_extension, normalize_phone, normalize_url
from .organizations import load_organization
from .pages import Ctx, admin_page, blueprint, names_for_history, redirect, render, today
from .schedule_form import editor_rows, parse_editor_rows, preview_sentence

MAX_PHONES = 3
_POSTAL = re.compile(r"^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$")


def by_label(org: Organization) -> str:
    return f"{org.name} (lien de confirmation)"[:120]


def listed_services(db, organization_id: str) -> list[Service]:
    return list(db.execute(
        select(Service).where(Service.organization_id == organization_id, Service.status != "archived")
        .order_by(Service.name).options(
            selectinload(Service.phones), selectinload(Service.schedules), selectinload(Service.categories),
            selectinload(Service.service_areas), selectinload(Service.locations).selectinload(ServiceAtLocation.location))
    ).scalars())


def hours_text(snap: dict) -> str:
    return "\n".join(preview_sentence(s) for s in snap.get("schedules", []))


def schedule_prefix(service_id: str) -> str:
    """The field names of one service's hours editor start with this."""
    return f"{service_id}-"


def parse_listing_form(form, org: Organization, snaps: list[dict],
                       day: dt.date) -> tuple[dict, dict[str, dict], list[str]]:
    """The submitted listing -> (organisation values, service snapshots by id, French errors); `day`: today."""
    errors: list[str] = []
    get = lambda k: form.get(k) or ""  # noqa: E731
    getlist = lambda k: form.getlist(k) or []  # noqa: E731 (Sanic gives None for a missing key)
    org_values = {"description": clean(form.get("org_description")) or (org.description or "")}
    org_values["email"], e = normalize_email(form.get("org_email") or "")
    if e:
        errors.append(f"Organisme : {e}.")
    org_values["website"], e = normalize_url(form.get("org_website") or "")
    if e:
        errors.append(f"Organisme : {e}.")
    proposed: dict[str, dict] = {}
    for snap in snaps:
        sid, name = snap["id"], snap["name"]
        after = dict(snap)
        after["description"] = clean(form.get(f"{sid}-description")) or snap.get("description") or ""
        phones = []
        for i in range(MAX_PHONES):
            raw = clean(form.get(f"{sid}-phone-{i}"))
            if not raw:
                continue
            old = snap["phones"][i] if i < len(snap["phones"]) else {}
            number, e = normalize_phone(raw, old.get("type") or "voice")
            extension, e2 = normalize_extension(form.get(f"{sid}-ext-{i}") or "")
            for problem in (e, e2):
                if problem:
                    errors.append(f"« {name} » : {problem}.")
            phones.append({"id": old.get("id"), "number": number or raw, "extension": extension,
                           "type": old.get("type") or "voice", "description": old.get("description")})
        after["phones"] = phones
        schedules, problems = parse_editor_rows(get, getlist, schedule_prefix(sid),
                                                {s["id"] for s in snap.get("schedules", []) if s.get("id")}, day)
        errors.extend(f"« {name} » : {p}" for p in problems)
        after["schedules"] = schedules
        address = {k: clean(form.get(f"{sid}-{k}")) for k in ("address_1", "city", "postal_code")}
        if address["postal_code"] and not _POSTAL.match(address["postal_code"]):
            errors.append(f"« {name} » : code postal invalide « {address['postal_code']} » (ex. G5L 1A1).")
        elif address["postal_code"]:
            code = address["postal_code"].upper().replace(" ", "")
            address["postal_code"] = f"{code[:3]} {code[3:]}"
        locations = [dict(loc) for loc in snap.get("locations", [])]
        if any(address.values()):
            first = locations[0] if locations else {"name": None, "municipality_id": None}
            first.update({k: v or None for k, v in address.items()})
            locations = [first] + locations[1:]
        after["locations"] = locations
        proposed[sid] = after
    return org_values, proposed, errors


def _page(ctx: Ctx, token: str, row, org, services, errors=(), status=200, values=None, proposed=None):
    """The listing and its form; `values`/`proposed`: what was submitted, shown again (errors, "Voir la phrase")."""
    snaps = [history.snapshot(s) for s in services]
    editors = {s["id"]: editor_rows((proposed or {}).get(s["id"], s).get("schedules", [])) for s in snaps}
    return render(ctx, "confirm_listing.html", status=status, token=token, org=org, snaps=snaps, errors=list(errors),
                  hours={s["id"]: hours_text(s) for s in snaps}, editors=editors, form=values,
                  expires=row.expires_at, max_phones=MAX_PHONES, public=True, previewed=proposed is not None)


def listing_link(handler):
    """Decorator: the link's ListingRequest and organisation for `handler(request, ctx, token, row, org)`,
    or the page that says why the link no longer opens (expired, already used, not Phare's)."""

    @wraps(handler)
    def checked(request, ctx: Ctx, token: str):
        row, reason = tokens.find_listing_request(ctx.db, token)
        if row is None:
            return render(ctx, "confirm_done.html", status=410, reason=reason, org=None, public=True)
        return handler(request, ctx, token, row, ctx.db.get(Organization, row.organization_id))

    return checked


@blueprint.get("/fiche/<token>")
@admin_page(login=False)
@listing_link
def listing(request, ctx: Ctx, token: str, row, org: Organization):
    return _page(ctx, token, row, org, listed_services(ctx.db, org.id))


@blueprint.post("/fiche/<token>/exact")
@admin_page(login=False)
@listing_link
def listing_still_correct(request, ctx: Ctx, token: str, row, org: Organization):
    names = names_for_history(ctx.ref())
    services = listed_services(ctx.db, org.id)
    for service in services:
        before = history.snapshot(service)
        service.assured_date = today()
        history.record_change(ctx.db, service, before, "verify", by_label(org), names, force=True)
    row.used_at, row.answer = utcnow(), "confirmed"
    ctx.db.commit()
    return render(ctx, "confirm_done.html", reason=None, org=org, count=len(services), corrected=False, public=True)


@blueprint.post("/fiche/<token>")
@admin_page(login=False)
@listing_link
def listing_corrected(request, ctx: Ctx, token: str, row, org: Organization):
    services = listed_services(ctx.db, org.id)
    snaps = [history.snapshot(s) for s in services]
    org_values, proposed, errors = parse_listing_form(request.form, org, snaps, today())
    if errors or request.form.get("preview"):
        # Nothing saved: the link stays valid, and nothing typed is lost.
        return _page(ctx, token, row, org, services, errors=errors, status=400 if errors else 200,
                     values=request.form, proposed=proposed)
    who = by_label(org)
    before_org = {k: getattr(org, k) for k in ("description", "email", "website")}
    for key, value in org_values.items():
        setattr(org, key, value)
    history.record_simple(ctx.db, "organization", org.id, before_org,
                          {k: getattr(org, k) for k in ("description", "email", "website")}, "update", who)
    names = names_for_history(ctx.ref())
    for service, before in zip(services, snaps, strict=False):
        after = dict(proposed[service.id], assured_date=today().isoformat())
        history.apply_snapshot(ctx.db, service, after)
        history.record_change(ctx.db, service, before, "update", who, names, force=True)
    row.used_at, row.answer = utcnow(), "corrected"
    ctx.db.commit()
    return render(ctx, "confirm_done.html", reason=None, org=org, count=len(services), corrected=True, public=True)


# --- Staff: send a confirmation link now -------------------------------------------------------


def queue_listing_email(ctx_db, org: Organization, base: str, kind: str, number: int = 1) -> str:
    """Queue the confirmation email of `org` (which has an email); returns the link."""
    row, token = tokens.new_listing_request(ctx_db, org.id, kind=kind)
    link = f"{base}/admin/fiche/{token}"
    services = [s.name for s in listed_services(ctx_db, org.id)]
    subject, body = messages.listing_reminder(org.name, services, link, number)
    mail.queue(ctx_db, org.email, subject, body, kind="reminder")
    return link


@blueprint.post("/organisations/<organization_id>/lien-confirmation")
@admin_page()
def send_listing_link(request, ctx: Ctx, organization_id: str):
    org, editable = load_organization(ctx, organization_id)
    ctx.require(policy.can_send_listing_link(ctx.actor, editable))
    if not org.email:
        ctx.flash("Cet organisme n'a pas de courriel au répertoire : ajoutez-le, ou appelez-le pour confirmer sa fiche.")
        return redirect(f"/admin/organisations/{org.id}")
    queue_listing_email(ctx.db, org, messages.public_base(ctx.request), kind="manual")
    ctx.db.commit()
    mail.deliver_in_background()
    ctx.flash(f"Lien de confirmation envoyé à {org.email}." if mail.smtp_config() else
              f"Le lien de confirmation pour {org.email} attend dans « Courriels à envoyer ».")
    return redirect(f"/admin/organisations/{org.id}")

