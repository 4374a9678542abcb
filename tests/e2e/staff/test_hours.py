"""The hours editor on the real web server: no rule syntax, a preview sentence, several schedules in one save, "nouveau"."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.db import open_session
from directory.models import Category, Organization, Service, ServiceArea

from ..admin.conftest import field, form_fields, set_field
from .conftest import login

pytestmark = [pytest.mark.e2e]


@pytest.fixture()
def service_id(staff_engine):
    with open_session(staff_engine) as s:
        org = Organization(name="Cuisine collective (essai horaires)")
        s.add(org)
        s.flush()
        service = Service(organization_id=org.id, name="Cuisine collective du mardi", description="Essai", status="active")
        service.service_areas = [ServiceArea(scope="mrc", mrc_id="la-mitis")]
        s.add(service)
        s.commit()
        return service.id


def test_two_schedules_in_one_save_with_preview(web, admin_account, service_id, staff_engine):
    admin = login(web["base"], admin_account)
    page = admin.get(f"/admin/services/{service_id}/edit")
    assert page.status_code == 200
    assert "BYDAY" not in page.text and "Règle avancée" not in page.text
    fields = form_fields(page.text, f"/admin/services/{service_id}/edit")
    assert int(field(fields, "schedule_rows")) == 2  # two blank blocks
    for name, value in (("sched-0-repeat", "weekly"), ("sched-0-opens_at", "13:00"), ("sched-0-closes_at", "16:00"),
                        ("sched-1-repeat", "monthly"), ("sched-1-opens_at", "09:00"), ("sched-1-closes_at", "12:00")):
        set_field(fields, name, value)
    fields += [["sched-0-days", "TU"], ["sched-0-days", "TH"], ["sched-1-weeks", "-1"], ["sched-1-days", "FR"],
               ["category", _a_category(staff_engine)]]
    data = _grouped(fields)
    preview = admin.post(f"/admin/services/{service_id}/edit", data=dict(data, preview=["1"]))
    assert preview.status_code == 200, re.findall(r'class="error".*?</div>', preview.text, re.S)
    assert "Ouvert les mardis et jeudis de 13 h à 16 h." in preview.text
    assert "Ouvert le dernier vendredi du mois de 9 h à 12 h." in preview.text
    with open_session(staff_engine) as s:
        assert s.get(Service, service_id).schedules == []  # a preview saves nothing
    saved = admin.post(f"/admin/services/{service_id}/edit", data=data)
    assert saved.status_code == 303, saved.text[:2000]
    with open_session(staff_engine) as s:
        rows = s.execute(select(Service).where(Service.id == service_id).options(selectinload(Service.schedules))
                         ).scalar_one().schedules
        assert sorted((r.freq, r.byday, r.interval) for r in rows) == [("MONTHLY", "-1FR", 1), ("WEEKLY", "TU,TH", 1)]


def _a_category(engine) -> str:
    with open_session(engine) as s:
        return s.execute(select(Category.id).order_by(Category.position)).scalars().first()


def _grouped(fields):
    grouped: dict[str, list[str]] = {}
    for key, value in fields:
        grouped.setdefault(key, []).append(value)
    return grouped


def test_a_new_service_is_nouveau_not_never_verified(web, admin_account, staff_engine):
    admin = login(web["base"], admin_account)
    page = admin.get("/admin/services/new")
    fields = form_fields(page.text, "/admin/services/new")
    with open_session(staff_engine) as s:
        org_id = s.execute(select(Organization.id).order_by(Organization.name)).scalars().first()
    for name, value in (("name", "Service tout neuf (essai)"), ("organization_id", org_id), ("description", "Essai")):
        set_field(fields, name, value)
    fields += [["area_mrc", "la-mitis"], ["category", _a_category(staff_engine)]]
    created = admin.post("/admin/services/new", data=_grouped(fields))
    assert created.status_code == 303, created.text[:3000]
    view = admin.get(created.headers["location"])
    assert "Nouveau service, pas encore vérifié." in view.text
    listing = admin.get("/admin/services", params={"q": "Service tout neuf"})
    assert listing.status_code == 200
    assert "nouveau" in listing.text and "à vérifier</span>" not in listing.text
    stale = admin.get("/admin/services", params={"stale": "1", "q": "Service tout neuf"})
    assert stale.status_code == 200 and "Services à vérifier" in stale.text
    assert "Service tout neuf (essai)" not in stale.text
