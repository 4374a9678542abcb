"""The admin's Couverture page and CSV, and the sources beside the fields of the service form.

A real web server (python -m web) on a seeded directory (SQLite, or
PostgreSQL with PHARE_TEST_DATABASE=postgresql); no model, no browser.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import subprocess
import sys

import httpx
import pytest
from sqlalchemy import select

from directory.db import open_session
from directory.models import Service, User
from directory.seed import prepare_database
from tests.support import ROOT, TEST_DATABASE, free_port, fresh_postgres_database, wait_for_server
from web.admin.auth import hash_password

PASSWORD = "un-mot-de-passe-solide"
# Its database is chosen by TEST_DATABASE in the fixture below.
pytestmark = pytest.mark.engine



@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    with contextlib.ExitStack() as stack:
        if TEST_DATABASE == "postgresql":
            url = stack.enter_context(fresh_postgres_database())
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('coverage') / 'phare.db'}"
        prepare_database(url)
        from directory.db import make_engine

        engine = make_engine(url)
        with open_session(engine) as s:
            s.add_all([
                User(email="admin@example.org", name="Admin", role="admin", password_hash=hash_password(PASSWORD)),
                User(email="mitis@example.org", name="Mitis", role="mrc", mrc_id="la-mitis", password_hash=hash_password(PASSWORD)),
            ])
            s.commit()
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def web(database_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    port = free_port()
    env = dict(os.environ, PHARE_VAR_DIR=str(tmp), PHARE_DATABASE_URL=database_url,
               PHARE_TRACKER_URL=f"sqlite:///{tmp / 'tracker.db'}", PHARE_SECRET_KEY="x" * 40,
               RASA_TELEMETRY_ENABLED="false")
    log = open(tmp / "web.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "web", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/health", process, tmp / "web.log")
    except BaseException:
        process.kill()
        raise
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def login(base: str, email: str):
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    try:
        yield client
    finally:
        client.close()


@pytest.mark.parametrize("email", ["admin@example.org", "mitis@example.org"])
def test_every_staff_role_sees_the_whole_region(web, email):
    with login(web, email) as client:
        page = client.get("/admin/couverture")
        assert page.status_code == 200
        assert 'href="/admin/couverture"' in page.text  # in the menu
        for name in ("La Matanie", "Kamouraska", "Témiscouata"):
            assert name in page.text
        assert "<strong>Aide alimentaire (dépannage, paniers)</strong>" in page.text
        assert re.search(r"\d+ cases sur 48 joignables", page.text)
        data = client.get("/admin/couverture.csv")
        assert data.status_code == 200 and data.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(data.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
        assert rows[0][:3] == ["mrc", "catégorie", "besoin de base"]
        assert {r[0] for r in rows[1:]} >= {"La Mitis", "Kamouraska"}
        food = [r for r in rows[1:] if r[1].startswith("Aide alimentaire")]
        assert len(food) == 8 and all(r[2] == "oui" for r in food)


def test_the_page_needs_a_login(web):
    response = httpx.get(f"{web}/admin/couverture", follow_redirects=False)
    assert response.status_code in (302, 303)


def test_sources_are_shown_beside_the_fields(web, database_url):
    from directory.db import make_engine

    engine = make_engine(database_url)
    with open_session(engine) as s:
        line = s.execute(select(Service).where(Service.seed_key == "ligne-1-866-appelle-intervention")).scalar_one()
        service_id = line.id
    engine.dispose()
    with login(web, "admin@example.org") as client:
        page = client.get(f"/admin/services/{service_id}/edit")
        assert page.status_code == 200
        html = page.text
        phones = html.index("<legend>Téléphones</legend>")
        between = html[phones:html.index("<legend>", phones + 1)]  # the phones' own fieldset
        assert 'class="sources"' in between and "1 866 APPELLE [277-3553]" in between
        assert "https://www.infodimanche.com/actualites/actualite/473288" in between
        assert "octobre 2022" in between
        assert "Site de l&#39;organisme" not in between  # an article, said as such
        assert "Article" in between


def test_a_source_that_no_longer_holds_the_number_is_not_shown(web, database_url):
    """Staff corrected the number: the old page never gave the new one, so it is not shown as its source."""
    from directory.db import make_engine
    from directory.models import Phone

    engine = make_engine(database_url)
    with open_session(engine) as s:
        service = s.execute(select(Service).where(Service.seed_key == "sos-violence-conjugale-ligne")).scalar_one()
        service_id = service.id
        phone = s.execute(select(Phone).where(Phone.service_id == service_id)).scalars().first()
        original = phone.number
        phone.number = "418 555-0199"
        s.commit()
    try:
        with login(web, "admin@example.org") as client:
            html = client.get(f"/admin/services/{service_id}/edit").text
            phones = html.index("<legend>Téléphones</legend>")
            between = html[phones:html.index("<legend>", phones + 1)]
            assert 'class="sources"' not in between
            assert "1-800-363-9010" not in between
    finally:
        with open_session(engine) as s:
            s.execute(select(Phone).where(Phone.service_id == service_id)).scalars().first().number = original
            s.commit()
        engine.dispose()
