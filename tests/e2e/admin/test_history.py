"""History of every change, restore, "Confirmer que c'est à jour", statuses, and live answers."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from directory.db import open_session
from directory.formatting import format_date, format_phone
from directory.models import Metadata, Service, ServiceArea

from .conftest import field, set_field

pytestmark = pytest.mark.e2e


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("America/Toronto")).date()


def pick_service(db, mrc_id: str = "la-matanie") -> Service:
    with open_session(db) as s:
        return s.execute(
            select(Service).join(ServiceArea).where(ServiceArea.scope == "mrc", ServiceArea.mrc_id == mrc_id,
                                                    Service.status == "active").order_by(Service.name.desc())
        ).scalars().first()


def edit(client, service_id: str, changes: dict) -> httpx.Response:
    fields = [f for f in client.form(f"/admin/services/{service_id}/edit") if f[0] != "csrf_token"]
    for name, value in changes.items():
        set_field(fields, name, value)
    return client.post(f"/admin/services/{service_id}/edit", fields)


def test_edit_records_who_when_what_and_restore_brings_it_back(staff, db, accounts):
    admin = staff("admin")
    service = pick_service(db)
    fields = admin.form(f"/admin/services/{service.id}/edit")
    old_description = field(fields, "description")
    old_phone = field(fields, "phone-0-number") or ""
    response = edit(admin, service.id, {"description": "Nouvelle description, vérifiée au téléphone.",
                                        "phone-0-number": "418 555-0142"})
    assert response.status_code == 303, response.text[:2000]
    page = admin.get(f"/admin/services/{service.id}").text
    assert "Nouvelle description, vérifiée au téléphone." in page
    assert "Historique" in page and accounts["admin"] in page and "Version d&#39;origine" in page
    with open_session(db) as s:
        rows = s.execute(select(Metadata).where(Metadata.resource_id == service.id, Metadata.last_action_type == "update")).scalars().all()
        by_field = {r.field_name: r for r in rows}
        assert set(by_field) == {"description", "phones"}
        assert by_field["description"].previous_value == old_description.strip()
        assert by_field["description"].updated_by == accounts["admin"]
        assert "418 555-0142" in by_field["phones"].replacement_value
        assert sum(1 for r in rows if r.snapshot) == 1
        baseline = s.execute(select(Metadata).where(Metadata.resource_id == service.id,
                                                    Metadata.last_action_type == "baseline")).scalar_one()
        assert json.loads(baseline.snapshot)["description"] == old_description.strip()
    # Restore the original version: the old values come back, and the restore is itself history.
    response = admin.post(f"/admin/services/{service.id}/restore", {"version_id": baseline.id})
    assert response.status_code == 303
    with open_session(db) as s:
        restored = s.get(Service, service.id)
        assert restored.description == old_description.strip()
        assert [p.number for p in restored.phones][:1] == ([old_phone] if old_phone else [])
        actions = [r.last_action_type for r in s.execute(select(Metadata).where(Metadata.resource_id == service.id)).scalars()]
        assert actions.count("restore") >= 1 and actions.count("baseline") == 1
    assert "Restauration" in admin.get(f"/admin/services/{service.id}").text


def test_restore_of_a_version_of_another_service_is_refused(staff, db):
    admin = staff("admin")
    first, second = pick_service(db, "la-matanie"), pick_service(db, "rimouski-neigette")
    assert edit(admin, second.id, {"fees_description": "Gratuit"}).status_code == 303
    with open_session(db) as s:
        version = s.execute(select(Metadata.id).where(Metadata.resource_id == second.id,
                                                      Metadata.snapshot.isnot(None))).scalars().first()
    assert admin.post(f"/admin/services/{first.id}/restore", {"version_id": version}).status_code == 404


def test_confirm_up_to_date_and_stale_list(staff, db, accounts):
    admin = staff("admin")
    service = pick_service(db, "kamouraska")
    # Filtered by name: the list has 50 lines a page, and the seed has more never-verified services than that.
    stale = admin.get("/admin/services", params={"stale": "1", "status": "all", "q": service.name}).text
    with open_session(db) as s:
        never = s.get(Service, service.id).assured_date is None
    if never:
        assert f"/admin/services/{service.id}" in stale
    assert admin.post(f"/admin/services/{service.id}/verify").status_code == 303
    with open_session(db) as s:
        assert s.get(Service, service.id).assured_date == today()
        verify = s.execute(select(Metadata).where(Metadata.resource_id == service.id,
                                                  Metadata.last_action_type == "verify")).scalars().first()
        assert verify.updated_by == accounts["admin"]
    page = admin.get(f"/admin/services/{service.id}").text
    assert f"Vérifié le <strong>{format_date(today())}</strong>" in page
    assert f"/admin/services/{service.id}\"" not in admin.get("/admin/services?stale=1&status=all").text
    # The open-data API shows the date too.
    assert httpx.get(f"{admin.client.base_url}/api/services/{service.id}").json()["assured_date"] == today().isoformat()


def test_close_temporarily_archive_and_reactivate(staff, db, web):
    admin = staff("admin")
    service = pick_service(db, "temiscouata")
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "temporarily closed"}).status_code == 303
    assert httpx.get(f"{web}/api/services/{service.id}").json()["status"] == "temporarily closed"
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "archived"}).status_code == 303
    assert httpx.get(f"{web}/api/services/{service.id}").status_code == 404
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "active"}).status_code == 303
    assert httpx.get(f"{web}/api/services/{service.id}").json()["status"] == "active"
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "n'importe quoi"}).status_code == 400
    with open_session(db) as s:
        statuses = [r.replacement_value for r in s.execute(
            select(Metadata).where(Metadata.resource_id == service.id, Metadata.field_name == "status")
            .order_by(Metadata.last_action_date)).scalars()]
    assert statuses[-3:] == ["Fermé temporairement", "Archivé", "Actif"]


def test_schedule_second_tuesday_seasonal_and_holidays(staff, db):
    admin = staff("admin")
    service = pick_service(db, "riviere-du-loup")
    fields = [f for f in admin.form(f"/admin/services/{service.id}/edit") if f[0] != "csrf_token"]
    rows = int(field(fields, "schedule_rows"))
    blank = f"sched-{rows - 1}-"
    fields += [[blank + "weeks", "2"], [blank + "days", "TU"]]
    for name, value in {"repeat": "monthly", "opens_at": "13:00", "closes_at": "16:00", "valid_from": "2026-05-01",
                        "valid_to": "2026-10-31", "closed_on_holidays": "1"}.items():
        set_field(fields, blank + name, value)
    response = admin.post(f"/admin/services/{service.id}/edit", fields)
    assert response.status_code == 303, response.text[:3000]
    page = admin.get(f"/admin/services/{service.id}").text
    assert "2e mardi du mois, de 13 h à 16 h" in page and "fermé les jours fériés" in page
    with open_session(db) as s:
        schedule = [x for x in s.get(Service, service.id).schedules if x.byday == "2TU"][0]
        assert schedule.freq == "MONTHLY" and schedule.closed_on_holidays and schedule.valid_to == dt.date(2026, 10, 31)
    # A bad schedule is explained in French and nothing is saved.
    set_field(fields, blank + "closes_at", "")
    response = admin.post(f"/admin/services/{service.id}/edit", fields)
    assert response.status_code == 400 and "il faut une heure d&#39;ouverture et une heure de fermeture" in response.text


def test_a_change_is_in_the_next_answer_of_phare(staff, db, phare):
    """Same database, no cache: the campaign and the phone show in Phare's very next answer."""
    admin = staff("admin")
    from directory.search import search

    with open_session(db) as s:
        first = search(s, "aide-alimentaire", "trois-pistoles", limit=3).results[0]
    phone = "418 555-0163"
    response = edit(admin, first.id, {"phone-0-number": phone, "phone-0-extension": ""})
    assert response.status_code == 303, response.text[:2000]
    marker = f"Campagne test {uuid.uuid4().hex[:6]} : le dépliant des Basques est arrivé."
    response = admin.post("/admin/campagnes/new", {"mrc_id": "les-basques", "title": "Dépliant", "text": marker,
                                                   "starts_on": today().isoformat(), "ends_on": ""})
    assert response.status_code == 303
    reply = httpx.post(f"{phare['rasa']}/webhooks/rest/webhook",
                       json={"sender": str(uuid.uuid4()), "message": "bouffe a trois-pistoles"}, timeout=60).json()
    text = "\n".join(m.get("text", "") for m in reply)
    assert format_phone(phone) in text, text
    assert marker in text, text
