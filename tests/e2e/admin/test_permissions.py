"""Roles, by URL and by forged form; CSRF; login throttling; cookies; the command line."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from directory.db import open_session
from directory.models import Campaign, Service, ServiceArea

from .conftest import PASSWORD, ROOT, csrf_of, set_field

pytestmark = pytest.mark.e2e

SERVICE_LINK = re.compile(r'href="/admin/services/([0-9a-f-]{36})"')


def listed(staff_client) -> set[str]:
    ids = set()
    page = 1
    while True:
        html = staff_client.get(f"/admin/services?status=all&page={page}").text
        ids |= set(SERVICE_LINK.findall(html))
        if "Page suivante" not in html:
            return ids
        page += 1


def services_of_mrc(db, mrc_id: str) -> set[str]:
    with open_session(db) as s:
        return set(s.execute(select(ServiceArea.service_id).where(ServiceArea.mrc_id == mrc_id)).scalars())


def service_name(db, service_id: str) -> str:
    with open_session(db) as s:
        return s.get(Service, service_id).name


def test_login_page_and_anonymous_access(web, accounts):
    client = httpx.Client(base_url=web, follow_redirects=False)
    response = client.get("/admin/services")
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    cookie = response.headers["set-cookie"]
    page = client.get("/admin/login")
    assert page.status_code == 200 and "Connexion" in page.text
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    # A POST without a session is never applied.
    assert client.post("/admin/services/new", data={"name": "x"}).status_code == 303
    wrong = client.post("/admin/login", data={"email": accounts["admin"], "password": "pas le bon",
                                               "csrf_token": csrf_of(page.text)})
    assert wrong.status_code == 401 and "Courriel ou mot de passe incorrect." in wrong.text


def test_admin_sees_everything(staff, db):
    admin = staff("admin")
    with open_session(db) as s:
        all_ids = set(s.execute(select(Service.id)).scalars())
    assert listed(admin) == all_ids
    for path in ("/admin/utilisateurs", "/admin/categories", "/admin/besoins", "/admin/campagnes", "/admin/import"):
        assert admin.get(path).status_code == 200, path


def test_mrc_staff_only_their_mrc(staff, db):
    mitis = staff("mitis")
    mine = listed(mitis)
    assert mine and mine <= services_of_mrc(db, "la-mitis") | _municipal_services(db, "la-mitis")
    other = next(iter(services_of_mrc(db, "la-matanie") - mine))
    response = mitis.get(f"/admin/services/{other}")
    assert response.status_code == 403
    assert "Accès refusé" in response.text and service_name(db, other) not in response.text
    assert mitis.get(f"/admin/services/{other}/edit").status_code == 403
    for path in ("/admin/utilisateurs", "/admin/categories", "/admin/utilisateurs/new"):
        assert mitis.get(path).status_code == 403, path
    assert mitis.get("/admin/services/00000000-0000-0000-0000-000000000000").status_code == 404


def _municipal_services(db, mrc_id):
    with open_session(db) as s:
        from directory.models import Municipality
        return set(s.execute(select(ServiceArea.service_id).join(Municipality, Municipality.id == ServiceArea.municipality_id)
                             .where(Municipality.mrc_id == mrc_id)).scalars())


def test_forged_posts_are_refused(staff, db, accounts):
    mitis, matanie = staff("mitis"), staff("matanie")
    # A service of La Mitis only: one that also serves La Matanie (a line for several MRCs) is theirs too.
    target = sorted(listed(mitis) - listed(matanie))[0]
    before = service_name(db, target)
    fields = mitis.form(f"/admin/services/{target}/edit")
    set_field(fields, "name", "Nom forgé")
    # Staff of another MRC posts the form of a service that is not theirs.
    response = matanie.post(f"/admin/services/{target}/edit", [f for f in fields if f[0] != "csrf_token"])
    assert response.status_code == 403, (target, response.headers.get("location"))
    for action in ("verify", "status", "restore"):
        assert matanie.post(f"/admin/services/{target}/{action}", {"status": "archived", "version_id": "x"}).status_code == 403
    assert service_name(db, target) == before
    # MRC staff forge an area of another MRC into their own service.
    forged = [f for f in fields if f[0] != "csrf_token"] + [["area_mrc", "la-matanie"]]
    assert mitis.post(f"/admin/services/{target}/edit", forged).status_code == 403
    assert service_name(db, target) == before
    with open_session(db) as s:
        assert "la-matanie" not in {a.mrc_id for a in s.get(Service, target).service_areas}
    # MRC staff may not create a region-wide service.
    new = mitis.form("/admin/services/new")
    set_field(new, "name", "Service régional forgé")
    set_field(new, "organization_id", accounts["organization_id"])
    new = [f for f in new if f[0] not in ("csrf_token", "area_mrc")] + [["area_region", "1"], ["category", "aide-alimentaire"]]
    assert mitis.post("/admin/services/new", new).status_code == 403
    with open_session(db) as s:
        assert s.execute(select(Service).where(Service.name == "Service régional forgé")).first() is None


def test_organization_editor(staff, db, accounts):
    editor = staff("organization")
    mine = listed(editor)
    with open_session(db) as s:
        theirs = set(s.execute(select(Service.id).where(Service.organization_id == accounts["organization_id"])).scalars())
        other = s.execute(select(Service).where(Service.organization_id != accounts["organization_id"])).scalars().first()
        other_org = other.organization_id
    assert mine == theirs
    assert editor.get(f"/admin/services/{other.id}").status_code == 403
    assert editor.get(f"/admin/organisations/{other_org}").status_code == 403
    for path in ("/admin/besoins", "/admin/campagnes", "/admin/utilisateurs", "/admin/categories", "/admin/besoins.csv"):
        assert editor.get(path).status_code == 403, path
    # Moving their service to another organisation by a forged field.
    target = sorted(mine)[0]
    fields = [f for f in editor.form(f"/admin/services/{target}/edit") if f[0] != "csrf_token"]
    set_field(fields, "organization_id", other_org)
    assert editor.post(f"/admin/services/{target}/edit", fields).status_code == 403
    with open_session(db) as s:
        assert s.get(Service, target).organization_id == accounts["organization_id"]
    # Their own organisation can be edited.
    org_fields = [f for f in editor.form(f"/admin/organisations/{accounts['organization_id']}") if f[0] != "csrf_token"]
    response = editor.post(f"/admin/organisations/{accounts['organization_id']}", org_fields)
    assert response.status_code == 303


def test_campaigns_by_mrc(staff, db):
    mitis = staff("mitis")
    data = {"mrc_id": "la-mitis", "title": "Aimant 2026", "text": "Gardez l'aimant de la MRC sur le frigo!",
            "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    assert mitis.post("/admin/campagnes/new", data).status_code == 303
    assert mitis.post("/admin/campagnes/new", dict(data, mrc_id="la-matanie", title="Forgée")).status_code == 403
    assert mitis.post("/admin/campagnes/new", dict(data, mrc_id="", title="Régionale forgée")).status_code in (303, 403)
    with open_session(db) as s:
        titles = {(c.title, c.mrc_id) for c in s.execute(select(Campaign)).scalars()}
    assert ("Aimant 2026", "la-mitis") in titles
    assert not any(t == "Forgée" for t, _ in titles)
    assert ("Régionale forgée", None) not in titles
    with open_session(db) as s:
        other = s.execute(select(Campaign).where(Campaign.mrc_id != "la-mitis")).scalars().first()
    if other is not None:
        assert mitis.get(f"/admin/campagnes/{other.id}").status_code == 403
        assert mitis.post(f"/admin/campagnes/{other.id}/delete").status_code == 403


def test_csrf_is_checked_on_every_post(staff, db, web, accounts):
    admin = staff("admin")
    target = sorted(listed(admin))[0]
    before = service_name(db, target)
    fields = [f for f in admin.form(f"/admin/services/{target}/edit") if f[0] != "csrf_token"]
    set_field(fields, "name", "Sans jeton")
    response = admin.post(f"/admin/services/{target}/edit", fields, csrf=False)
    assert response.status_code == 403 and "Formulaire expiré" in response.text
    response = admin.post(f"/admin/services/{target}/edit", fields + [["csrf_token", "jeton-forgé"]], csrf=False)
    assert response.status_code == 403
    # A token of another session does not work either.
    other = httpx.Client(base_url=web)
    foreign_token = csrf_of(other.get("/admin/login").text)
    response = admin.post(f"/admin/services/{target}/edit", fields + [["csrf_token", foreign_token]], csrf=False)
    assert response.status_code == 403
    assert admin.post(f"/admin/services/{target}/verify", csrf=False).status_code == 403
    assert admin.post("/admin/logout", csrf=False).status_code == 403
    assert service_name(db, target) == before


def test_login_throttling(web, accounts):
    client = httpx.Client(base_url=web, follow_redirects=False)
    token = csrf_of(client.get("/admin/login").text)
    for _ in range(5):
        response = client.post("/admin/login", data={"email": accounts["throttle"], "password": "mauvais",
                                                       "csrf_token": token})
        assert response.status_code == 401
    response = client.post("/admin/login", data={"email": accounts["throttle"], "password": PASSWORD,
                                                   "csrf_token": token})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text
    assert client.get("/admin/services").status_code == 303  # still not logged in


def test_logout_ends_the_session(web, accounts):
    from .conftest import Staff

    person = Staff(web, accounts["matanie"])
    cookie = person.client.cookies.get("phare_admin")
    assert person.get("/admin/services").status_code == 200
    assert person.post("/admin/logout").status_code == 303
    replay = httpx.Client(base_url=web, follow_redirects=False, cookies={"phare_admin": cookie})
    assert replay.get("/admin/services").status_code == 303  # back to the login page


def test_command_line_lists_accounts(db_url, accounts):
    env = dict(os.environ, PHARE_DATABASE_URL=db_url)
    done = subprocess.run([sys.executable, "-m", "web.admin", "user", "list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert accounts["admin"] in done.stdout and "Personnel de MRC" in done.stdout
    again = subprocess.run([sys.executable, "-m", "web.admin", "user", "add", "--email", accounts["admin"], "--role", "admin"],
                           cwd=ROOT, env=dict(env, PHARE_NEW_USER_PASSWORD=PASSWORD), capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 1 and "existe déjà" in again.stderr
