"""Organisations keep their own listing true: reminders by email (real SMTP), the confirmation link, escalation."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from directory.db import open_session
from directory.models import ListingRequest, Metadata, Organization, Phone, Schedule, Service, ServiceArea, User, utcnow
from web.admin.auth import hash_password

from ..admin.conftest import form_fields, set_field
from .conftest import PASSWORD, ROOT, csrf_of, link_in, login

pytestmark = [pytest.mark.e2e]


def _org_with_services(engine, mrc_id: str, name: str) -> str:
    """An organisation with two services in `mrc_id` (the tests do not depend on the seed's contents)."""
    with open_session(engine) as s:
        org = Organization(name=name, description="Organisme d'essai")
        s.add(org)
        s.flush()
        for label in ("Comptoir alimentaire", "Aide aux impôts"):
            service = Service(organization_id=org.id, name=f"{label} ({name})", description=f"{label} d'essai",
                              status="active", created_at=dt.datetime(2025, 1, 1))
            service.service_areas = [ServiceArea(scope="mrc", mrc_id=mrc_id)]
            service.phones = [Phone(number="418 555-0100", type="voice", organization_id=org.id)]
            service.schedules = [Schedule(freq="WEEKLY", byday="TU,TH", opens_at=dt.time(13), closes_at=dt.time(16))]
            s.add(service)
        s.commit()
        return org.id


def _age(engine, org_id: str, email: str | None):
    with open_session(engine) as s:
        s.execute(update(Organization).where(Organization.id == org_id).values(email=email))
        s.execute(update(Service).where(Service.organization_id == org_id).values(assured_date=dt.date(2025, 1, 15)))
        s.commit()


def remind(web, *args) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "web.admin", "remind", *args], cwd=ROOT, env=web["env"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_reminder_then_still_correct_in_one_click(web, staff_engine, smtp):
    org_id = _org_with_services(staff_engine, "les-basques", "Entraide des Basques (essai)")
    _age(staff_engine, org_id, "basques.org@example.org")
    done = remind(web)
    assert "basques.org@example.org" in done.stdout
    message = smtp["mailbox"].wait_for("basques.org@example.org", "toujours exactes")
    link = link_in(message["body"], "/admin/fiche/")
    assert "30 jours" in message["body"]
    # Run again the same day: nobody is emailed twice.
    again = remind(web)
    assert "basques.org@example.org" not in again.stdout
    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        assert page.status_code == 200 and "Toujours exact" in page.text
        assert 'name="org_email"' in page.text and 'name="name"' not in page.text  # only the listing's own fields
        done = browser.post(link + "/exact", data={"csrf_token": csrf_of(page.text)})
        assert done.status_code == 200 and "Merci" in done.text
        assert browser.get(link).status_code == 410
    today = dt.datetime.now(dt.timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto")).date()
    with open_session(staff_engine) as s:
        dates = set(s.execute(select(Service.assured_date).where(Service.organization_id == org_id,
                                                                 Service.status != "archived")).scalars())
        assert dates == {today}
        who = s.execute(select(Metadata.updated_by).where(Metadata.last_action_type == "verify",
                        Metadata.resource_id.in_(select(Service.id).where(Service.organization_id == org_id)))).scalars().all()
        assert who and all(w.endswith("(lien de confirmation)") for w in who)


def test_correction_form_changes_only_the_listing(web, staff_engine, smtp, admin_account):
    org_id = _org_with_services(staff_engine, "la-matanie", "Solidarité Matanie (essai)")
    _age(staff_engine, org_id, "matanie.org@example.org")
    admin = login(web["base"], admin_account)
    page = admin.get(f"/admin/organisations/{org_id}")
    sent = admin.post(f"/admin/organisations/{org_id}/lien-confirmation", data={"csrf_token": csrf_of(page.text)})
    assert sent.status_code == 303
    link = link_in(smtp["mailbox"].wait_for("matanie.org@example.org")["body"], "/admin/fiche/")
    with open_session(staff_engine) as s:
        services = s.execute(select(Service).where(Service.organization_id == org_id, Service.status != "archived")
                             .order_by(Service.name).options(selectinload(Service.phones),
                                                             selectinload(Service.schedules))).scalars().all()
        sid, name, schedule_id = services[0].id, services[0].name, services[0].schedules[0].id
        other_id, other_schedule = services[1].id, _schedule_of(services[1])
    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        assert f'name="{sid}-hours"' not in page.text and "BYDAY" not in page.text  # no free text, no rule syntax
        assert "Ouvert les mardis et jeudis de 13 h à 16 h." in page.text  # the editor's preview sentence
        fields = form_fields(page.text, "/admin/fiche/" + link.rsplit("/", 1)[1])
        set_field(fields, f"{sid}-phone-0", "pas un numéro")
        # The plain-French editor of this service's first schedule: Monday to Thursday, 9 h to 16 h.
        block = f"{sid}-sched-0-"
        fields = [f for f in fields if f[0] != block + "days"] + [[block + "days", d] for d in ("MO", "TU", "WE", "TH")]
        set_field(fields, block + "opens_at", "09:00")
        bad = browser.post(link, data=_grouped(fields))
        assert bad.status_code == 400 and "numéro de téléphone invalide" in bad.text
        assert "pas un numéro" in bad.text  # nothing typed is lost
        assert "Ouvert du lundi au jeudi de 9 h à 16 h." in bad.text
        set_field(fields, f"{sid}-phone-0", "418 555-0199")
        set_field(fields, "csrf_token", csrf_of(bad.text))
        # "Voir la phrase": the sentence Phare will say, nothing saved, the link still valid.
        preview = browser.post(link, data=_grouped(fields + [["preview", "1"]]))
        assert preview.status_code == 200 and "Rien n'est encore enregistré" in preview.text
        assert "Ouvert du lundi au jeudi de 9 h à 16 h." in preview.text
        assert browser.get(link).status_code == 200
        ok = browser.post(link, data=_grouped(fields))
        assert ok.status_code == 200 and "corrections sont enregistrées" in ok.text
    with open_session(staff_engine) as s:
        service = s.execute(select(Service).where(Service.id == sid).options(
            selectinload(Service.phones), selectinload(Service.schedules))).scalar_one()
        assert service.phones[0].number == "418 555-0199"
        # A real schedule (an rrule), the same row corrected, not a sentence for staff to retype.
        [schedule] = service.schedules
        assert (schedule.id, schedule.freq, schedule.byday) == (schedule_id, "WEEKLY", "MO,TU,WE,TH")
        assert (schedule.opens_at, schedule.closes_at, schedule.description) == (dt.time(9), dt.time(16), None)
        assert service.assured_date is not None and service.name == name
        assert s.execute(select(Metadata.id).where(Metadata.resource_id == sid, Metadata.field_name == "phones")).first()
        assert s.execute(select(Metadata.id).where(Metadata.resource_id == sid, Metadata.field_name == "schedules")).first()
        # The other service, left as it was in the form, keeps its schedule exactly.
        other = s.execute(select(Service).where(Service.id == other_id).options(selectinload(Service.schedules))).scalar_one()
        assert _schedule_of(other) == other_schedule
        assert not s.execute(select(Metadata.id).where(Metadata.resource_id == other_id,
                                                       Metadata.field_name == "schedules")).first()


def _schedule_of(service) -> list[tuple]:
    return [(sc.id, sc.freq, sc.interval, sc.byday, sc.opens_at, sc.closes_at, sc.description, sc.closed_on_holidays)
            for sc in service.schedules]


def _grouped(fields):
    grouped: dict[str, list[str]] = {}
    for key, value in fields:
        grouped.setdefault(key, []).append(value)
    return grouped


def test_escalation_after_two_unanswered_reminders_and_orgs_to_call(web, staff_engine, smtp, admin_account):
    org_id = _org_with_services(staff_engine, "la-mitis", "Silence de la Mitis (essai)")
    _age(staff_engine, org_id, "mitis.silencieux@example.org")
    no_email = _org_with_services(staff_engine, "kamouraska", "Sans courriel du Kamouraska (essai)")
    _age(staff_engine, no_email, None)
    now = utcnow()
    with open_session(staff_engine) as s:
        s.add(User(email="personnel.mitis@example.org", name="Mitis", role="mrc", mrc_id="la-mitis",
                   password_hash=hash_password(PASSWORD)))
        for days in (40, 20):
            s.add(ListingRequest(organization_id=org_id, kind="reminder", created_at=now - dt.timedelta(days=days),
                                 expires_at=now + dt.timedelta(days=30 - days)))
        org_name = s.get(Organization, org_id).name
        no_email_name = s.get(Organization, no_email).name
        s.commit()
    done = remind(web)
    assert org_name in done.stdout.split("Signalés")[1].split("Sans courriel")[0]
    assert no_email_name in done.stdout.split("à appeler")[1]
    message = smtp["mailbox"].wait_for("personnel.mitis@example.org", "n'a pas confirmé")
    assert org_name in message["body"] and "2 derniers rappels" in message["body"]
    # Escalated once only.
    assert org_name not in remind(web).stdout.split("Signalés")[1].split("Sans courriel")[0]
    page = login(web["base"], admin_account).get("/admin/fraicheur")
    assert page.status_code == 200
    assert no_email_name.replace("'", "&#39;") in page.text and org_name.replace("'", "&#39;") in page.text
    assert "À jour" in page.text and "Nouveaux" in page.text
