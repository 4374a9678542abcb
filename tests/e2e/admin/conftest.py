"""Fixtures of the admin tests: accounts in the stack's shared database, logged-in clients.

The whole real stack runs (fixture `phare` of tests/e2e/conftest.py); the
accounts are written straight into its directory database, and one account
goes through `python -m web.admin user add` to test the command line.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy import select

from directory.db import make_engine, open_session
from directory.models import Base, Service, ServiceArea, User
from tests.support import ROOT

PASSWORD = "un-mot-de-passe-solide"


class FormParser(HTMLParser):
    """The fields a browser would submit for each form of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if "name" not in a or "disabled" in a or kind in ("submit", "button", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append([a["name"], a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "select":
            self._select = {"name": a.get("name"), "disabled": "disabled" in a, "options": [], "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"] = value
        elif tag == "textarea" and "name" in a:
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            s = self._select
            if s["name"] and not s["disabled"] and self._form is not None:
                value = s["selected"] if s["selected"] is not None else (s["options"][0] if s["options"] else "")
                self._form["fields"].append([s["name"], value or ""])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append([self._textarea[0], self._textarea[1].lstrip("\n")])
            self._textarea = None


def form_fields(html: str, action: str) -> list[list[str]]:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] == action:
            return [list(f) for f in form["fields"]]
    raise AssertionError(f"no form with action {action!r} in the page")


def set_field(fields: list[list[str]], name: str, value: str) -> list[list[str]]:
    for f in fields:
        if f[0] == name:
            f[1] = value
            return fields
    fields.append([name, value])
    return fields


def field(fields, name: str):
    return next((v for k, v in fields if k == name), None)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Staff:
    """An httpx client logged in to the admin."""

    def __init__(self, base: str, email: str, password: str = PASSWORD):
        self.email = email
        self.client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
        page = self.client.get("/admin/login")
        response = self.client.post("/admin/login", data={
            "email": email, "password": password, "csrf_token": csrf_of(page.text)})
        assert response.status_code == 303, f"login failed for {email}: {response.status_code}"
        self.csrf = None

    def get(self, path: str, **kw) -> httpx.Response:
        return self.client.get(path, **kw)

    def token(self) -> str:
        if self.csrf is None:
            self.csrf = csrf_of(self.client.get("/admin/compte").text)
        return self.csrf

    def post(self, path: str, data=None, files=None, csrf: bool = True) -> httpx.Response:
        data = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            data.append(("csrf_token", self.token()))
        grouped: dict[str, list[str]] = {}
        for key, value in data:
            grouped.setdefault(key, []).append(value)
        return self.client.post(path, data=grouped, files=files)

    def form(self, page_path: str, action: str | None = None) -> list[list[str]]:
        return form_fields(self.get(page_path).text, action or page_path)

    def close(self):
        self.client.close()


@pytest.fixture(scope="session")
def web(phare) -> str:
    return phare["web"]


@pytest.fixture(scope="session")
def db_url(phare) -> str:
    return phare["env"]["PHARE_DATABASE_URL"]


@pytest.fixture(scope="session")
def db(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="package", autouse=True)
def leave_directory_as_found(db):
    """These tests edit the stack's shared directory; put every row back afterwards.

    Other e2e tests run on the same servers and database after this package,
    and they expect the seeded directory.
    """
    tables = Base.metadata.sorted_tables
    with db.connect() as connection:
        saved = {t.name: [dict(r._mapping) for r in connection.execute(t.select())] for t in tables}
    yield
    with db.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if saved[table.name]:
                connection.execute(table.insert(), saved[table.name])


def _service_in(engine, mrc_id: str) -> Service:
    with open_session(engine) as s:
        return s.execute(
            select(Service).join(ServiceArea).where(ServiceArea.scope == "mrc", ServiceArea.mrc_id == mrc_id,
                                                    Service.status == "active").order_by(Service.name)
        ).scalars().first()


@pytest.fixture(scope="package")
def accounts(phare, db, db_url):
    """admin (made with the command line), MRC staff of two MRCs, an organisation editor."""
    env = dict(os.environ, PHARE_DATABASE_URL=db_url, PHARE_NEW_USER_PASSWORD=PASSWORD)
    done = subprocess.run(
        [sys.executable, "-m", "web.admin", "user", "add", "--email", "Admin.Test@Example.org", "--name", "Admin Test",
         "--role", "admin"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Compte créé" in done.stdout
    from web.admin.auth import hash_password

    password_hash = hash_password(PASSWORD)
    mitis_service = _service_in(db, "la-mitis")
    assert mitis_service is not None, "the seed needs an active service covering the whole MRC of La Mitis"
    with open_session(db) as s:
        org_id = mitis_service.organization_id
        s.add_all([
            User(email="mitis@example.org", name="Personnel Mitis", role="mrc", mrc_id="la-mitis", password_hash=password_hash),
            User(email="matanie@example.org", name="Personnel Matanie", role="mrc", mrc_id="la-matanie", password_hash=password_hash),
            User(email="organisme@example.org", name="Éditrice", role="organization", organization_id=org_id,
                 password_hash=password_hash),
            User(email="throttle@example.org", name="Essais", role="admin", password_hash=password_hash),
        ])
        s.commit()
    return {"admin": "admin.test@example.org", "mitis": "mitis@example.org", "matanie": "matanie@example.org",
            "organization": "organisme@example.org", "organization_id": org_id, "throttle": "throttle@example.org"}


@pytest.fixture(scope="package")
def staff(web, accounts):
    """Logged-in clients, one per role, made on first use."""
    clients: dict[str, Staff] = {}

    def get(role: str) -> Staff:
        if role not in clients:
            clients[role] = Staff(web, accounts[role])
        return clients[role]

    yield get
    for client in clients.values():
        client.close()


@pytest.fixture()
def session_db(db):
    with open_session(db) as s:
        yield s
