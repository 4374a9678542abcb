"""Reminders to organisations whose listing is due for a check, escalation to MRC staff, freshness per MRC.

`python -m web.admin remind` (daily systemd timer) calls `run()`:
- an organisation with at least one listed service "à vérifier" (see
  freshness) gets an email with its confirmation link, at most once every
  `every_days` days;
- after `max_reminders` unanswered reminders, the staff of the MRCs it
  serves (or, for region-wide services, the regional administrators) are
  emailed once, and the organisation is no longer emailed;
- an organisation without an email is listed for staff to call.
An answer (a used link) starts the count over.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from directory import mail
from directory.formatting import format_phone
from directory.models import ListingRequest, Mrc, Municipality, Organization, Service, User, utcnow

from . import freshness, messages

DEFAULT_EVERY_DAYS = 14
DEFAULT_MAX_REMINDERS = 2


@dataclass
class OrgState:
    organization: Organization
    services: list[Service]
    stale: list[Service]
    mrc_ids: set[str]
    phones: list[str]


@dataclass
class Report:
    reminded: list[tuple[str, str]] = field(default_factory=list)  # (organisation, email)
    escalated: list[tuple[str, list[str]]] = field(default_factory=list)  # (organisation, staff emails)
    to_call: list[tuple[str, list[str]]] = field(default_factory=list)  # (organisation, phones)
    waiting: int = 0  # reminded recently: nothing to do yet
    delivery: dict = field(default_factory=dict)


def _service_mrcs(service: Service, municipality_mrc: dict[str, str]) -> set[str]:
    found = set()
    for area in service.service_areas:
        if area.scope == "mrc" and area.mrc_id:
            found.add(area.mrc_id)
        elif area.scope == "municipality":
            mrc = municipality_mrc.get(area.municipality_id) or area.mrc_id
            if mrc:
                found.add(mrc)
    return found


def organization_states(db: Session, today: dt.date, months: int) -> list[OrgState]:
    municipality_mrc = dict(db.execute(select(Municipality.id, Municipality.mrc_id)).all())
    services = db.execute(select(Service).where(Service.status.in_(("active", "temporarily closed")))
                          .options(selectinload(Service.service_areas), selectinload(Service.phones),
                                   selectinload(Service.organization))).scalars().all()
    grouped: dict[str, list[Service]] = defaultdict(list)
    for s in services:
        grouped[s.organization_id].append(s)
    states = []
    for services_of_org in grouped.values():
        org = services_of_org[0].organization
        stale = [s for s in services_of_org
                 if freshness.freshness(s.assured_date, s.created_at, today, months) == freshness.STALE]
        mrcs = set().union(*(_service_mrcs(s, municipality_mrc) for s in services_of_org))
        phones = list(dict.fromkeys(format_phone(p.number, p.extension) for s in services_of_org for p in s.phones
                                    if p.type != "text"))
        states.append(OrgState(org, services_of_org, stale, mrcs, phones))
    return sorted(states, key=lambda st: st.organization.name)


def unanswered_reminders(db: Session, organization_id: str) -> list[ListingRequest]:
    """Reminders sent since the organisation last answered a link (oldest first)."""
    rows = db.execute(select(ListingRequest).where(ListingRequest.organization_id == organization_id)
                      .order_by(ListingRequest.created_at)).scalars().all()
    answered = [r.used_at for r in rows if r.used_at is not None]
    since = max(answered) if answered else dt.datetime.min
    return [r for r in rows if r.kind == "reminder" and r.used_at is None and r.created_at > since]


def _escalation_recipients(db: Session, mrc_ids: set[str]) -> list[str]:
    if mrc_ids:
        emails = db.execute(select(User.email).where(User.role == "mrc", User.active.is_(True),
                                                     User.mrc_id.in_(sorted(mrc_ids)))).scalars().all()
        if emails:
            return sorted(emails)
    return sorted(db.execute(select(User.email).where(User.role == "admin", User.active.is_(True))).scalars().all())


def run(db: Session, base_url: str, today: dt.date, months: int = freshness.DEFAULT_MONTHS,
        every_days: int = DEFAULT_EVERY_DAYS, max_reminders: int = DEFAULT_MAX_REMINDERS,
        now: dt.datetime | None = None) -> Report:
    """Queue the reminders and escalations due today (committed); the caller delivers them."""
    from .confirm import queue_listing_email

    now = now or utcnow()
    report = Report()
    mrc_names = dict(db.execute(select(Mrc.id, Mrc.name)).all())
    for state in organization_states(db, today, months):
        if not state.stale:
            continue
        org = state.organization
        pending = unanswered_reminders(db, org.id)
        if pending and now - pending[-1].created_at < dt.timedelta(days=every_days):
            report.waiting += 1
            continue
        if len(pending) >= max_reminders:
            if not any(r.escalated_at for r in pending):
                recipients = _escalation_recipients(db, state.mrc_ids)
                mrc = ", ".join(sorted(mrc_names.get(m, m) for m in state.mrc_ids)) or "(tout le Bas-Saint-Laurent)"
                for address in recipients:
                    subject, body = messages.escalation(mrc, org.name, len(pending), state.phones,
                                                        f"{base_url}/admin/organisations/{org.id}")
                    mail.queue(db, address, subject, body, kind="escalation")
                pending[-1].escalated_at = now
                report.escalated.append((org.name, recipients))
            continue
        if not org.email:
            report.to_call.append((org.name, state.phones))
            continue
        queue_listing_email(db, org, base_url, kind="reminder", number=len(pending) + 1)
        report.reminded.append((org.name, org.email))
    db.commit()
    return report


def freshness_by_mrc(db: Session, today: dt.date, months: int = freshness.DEFAULT_MONTHS,
                     only_mrc: str | None = None) -> list[dict]:
    """Counts of services "à jour / à vérifier / nouveau" per MRC (a service counts in each MRC it serves)."""
    municipality_mrc = dict(db.execute(select(Municipality.id, Municipality.mrc_id)).all())
    names = dict(db.execute(select(Mrc.id, Mrc.name).order_by(Mrc.name)).all())
    counts = {m: {freshness.FRESH: 0, freshness.STALE: 0, freshness.NEW: 0} for m in names}
    region = {freshness.FRESH: 0, freshness.STALE: 0, freshness.NEW: 0}
    services = db.execute(select(Service).where(Service.status.in_(("active", "temporarily closed")))
                          .options(selectinload(Service.service_areas))).scalars().all()
    for s in services:
        state = freshness.freshness(s.assured_date, s.created_at, today, months)
        mrcs = _service_mrcs(s, municipality_mrc)
        if any(a.scope == "region" for a in s.service_areas):
            region[state] += 1
        for m in mrcs:
            if m in counts:
                counts[m][state] += 1
    rows = [{"mrc_id": m, "name": names[m], **{k: v for k, v in c.items()}} for m, c in counts.items()
            if only_mrc is None or m == only_mrc]
    if only_mrc is None:
        rows.append({"mrc_id": "", "name": "Tout le Bas-Saint-Laurent (services régionaux)", **region})
    for r in rows:
        r["total"] = r[freshness.FRESH] + r[freshness.STALE] + r[freshness.NEW]
    return rows
