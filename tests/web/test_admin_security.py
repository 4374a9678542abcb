"""The admin's login, behind the shipped proxy, on the real web server (no model needed).

nginx (deploy/nginx/phare.conf) connects from 127.0.0.1 and sets
X-Forwarded-For to the client's address and X-Forwarded-Proto; the server
runs with PHARE_PROXIES_COUNT=1 as in deploy/systemd/phare.env.example. Each
request here plays nginx: it comes from 127.0.0.1 with those two headers.

- A guesser hammering an account slows down only their own address for
  that account; the right password from another address gets in at once,
  and from the same address after a bounded wait (memory, and Redis).
- Logging out holds after the web server restarts.
- HSTS on answers that came over HTTPS, not over HTTP.
- An admin page waiting on the database (or hashing a password) runs in a
  worker thread: the other requests of the web server keep being answered.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from directory.db import make_engine, open_session
from directory.models import User
from tests.support import ROOT, free_port, wait_for_server, wait_until
from web.admin import auth

PASSWORD = "le-bon-mot-de-passe-123"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
MAX_DELAY = 8  # seconds; room for a loaded 2-core machine between two logins



class Web:
    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> Web:
        self.process = subprocess.Popen([sys.executable, "-m", "web", "--port", str(self.port)], cwd=ROOT,
                                        env={**os.environ, **self.env}, stdout=open(self.log, "ab"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_server(f"{self.base}/health", self.process, self.log, timeout=60)
        return self

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def via_nginx(client_ip: str, https: bool = True) -> dict:
    return {"X-Forwarded-For": client_ip, "X-Forwarded-Proto": "https" if https else "http"}


def login(web: Web, email: str, password: str, client_ip: str, cookies=None) -> httpx.Response:
    with httpx.Client(base_url=web.base, timeout=15, headers=via_nginx(client_ip), cookies=cookies) as client:
        page = client.get("/admin/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post("/admin/login", data={"csrf_token": token, "email": email, "password": password,
                                                     "next": "/admin/services"})
        response.cookies_jar = client.cookies  # what the browser would keep
        return response


@pytest.fixture(params=["memory", "redis"])
def web(request, tmp_path, seeded_engine, test_database):
    env = {"PHARE_PROXIES_COUNT": "1", "PHARE_SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
           "PHARE_LOGIN_MAX_FAILURES": "5", "PHARE_LOGIN_MAX_DELAY": str(MAX_DELAY), "PHARE_VAR_DIR": str(tmp_path),
           "PHARE_TRACKER_URL": f"sqlite:///{tmp_path / 'tracker.db'}", "RASA_TELEMETRY_ENABLED": "false"}
    if test_database == "postgresql":
        env["PHARE_DATABASE_URL"] = request.getfixturevalue("postgres_copy")(seeded_engine)
    else:
        shutil.copy(seeded_engine.url.database, tmp_path / "phare.db")
        env["PHARE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'phare.db'}"
    if request.param == "redis":
        env["PHARE_REDIS_URL"] = request.getfixturevalue("redis_url")
    engine = make_engine(env["PHARE_DATABASE_URL"])
    emails = [f"staff-{uuid.uuid4().hex[:6]}@mrc.qc.ca" for _ in range(2)]
    with open_session(engine) as session:
        for email in emails:
            session.add(User(email=email, name="Test", role="admin", password_hash=auth.hash_password(PASSWORD)))
        session.commit()
    engine.dispose()
    server = Web(env, tmp_path / "web.log").start()
    server.emails = emails
    yield server
    server.stop()


def test_guessing_slows_the_guesser_only_never_the_right_person(web):
    staff, colleague = web.emails
    for _ in range(25):
        login(web, staff, "mauvais-mot-de-passe", ATTACKER)
    # From the guesser's address: slowed down, in French, even with the right password…
    slowed = login(web, staff, PASSWORD, ATTACKER)
    assert slowed.status_code == 429
    assert "Trop de tentatives" in slowed.text and "seconde" in slowed.text
    # …but from the office the right password gets in at once, and a colleague is not slowed.
    assert login(web, staff, PASSWORD, OFFICE).status_code == 303
    assert login(web, colleague, PASSWORD, ATTACKER).status_code == 303
    # The guesser's address is slowed, not locked: after PHARE_LOGIN_MAX_DELAY it may try again.
    # (A refused attempt does not count as a failure: asking again while slowed is harmless.)
    wait_until(lambda: login(web, staff, PASSWORD, ATTACKER).status_code == 303, MAX_DELAY + 10,
               "the guesser's address to be let in again", interval=0.5)


def test_logout_holds_across_a_restart(web):
    staff = web.emails[0]
    logged_in = login(web, staff, PASSWORD, OFFICE)
    assert logged_in.status_code == 303
    cookie = logged_in.cookies_jar.get(auth.SESSION_COOKIE)
    assert cookie
    with httpx.Client(base_url=web.base, timeout=15, headers=via_nginx(OFFICE)) as client:
        client.cookies.set(auth.SESSION_COOKIE, cookie, path="/admin")
        assert client.get("/admin/services").status_code == 200
        page = client.get("/admin/services").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 303
    web.stop()
    web.start()
    with httpx.Client(base_url=web.base, timeout=15, headers=via_nginx(OFFICE)) as copy:
        copy.cookies.set(auth.SESSION_COOKIE, cookie, path="/admin")  # a copy of the old cookie
        response = copy.get("/admin/services")
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")


def test_hsts_over_https_only(web):
    secure = httpx.get(f"{web.base}/admin/login", headers=via_nginx(OFFICE, https=True))
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in httpx.get(f"{web.base}/admin/login", headers=via_nginx(OFFICE, False)).headers
    assert "strict-transport-security" not in httpx.get(f"{web.base}/admin/login").headers


def hold_write_lock(connection, test_database: str) -> None:
    """Take the database's write lock (SQLite) or the sessions table's (PostgreSQL) until the transaction ends."""
    if test_database == "postgresql":
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql("LOCK TABLE revoked_session IN EXCLUSIVE MODE")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@pytest.mark.parametrize("web", ["memory"], indirect=True)
def test_a_page_waiting_on_the_database_never_holds_up_the_server(web, test_database):
    # Logging out writes to the database (revoked_session). While another connection holds
    # the write lock, the logout waits; other requests must still be answered meanwhile,
    # which they were not when admin pages ran on the server's event loop.
    logged_in = login(web, web.emails[0], PASSWORD, OFFICE)
    assert logged_in.status_code == 303
    engine = make_engine(web.env["PHARE_DATABASE_URL"])
    outcome: dict = {}
    with httpx.Client(base_url=web.base, timeout=60, headers=via_nginx(OFFICE)) as client:
        client.cookies.set(auth.SESSION_COOKIE, logged_in.cookies_jar.get(auth.SESSION_COOKIE), path="/admin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/services").text).group(1)

        def log_out():
            outcome["logout"] = client.post("/admin/logout", data={"csrf_token": token})

        meanwhile = []
        with engine.connect() as holder:
            hold_write_lock(holder, test_database)
            thread = threading.Thread(target=log_out)
            thread.start()
            for _ in range(3):
                time.sleep(0.1)  # lets the logout reach the lock first; the assertion is on order, not time
                answer = httpx.get(f"{web.base}/admin/static/admin.css", timeout=4)
                meanwhile.append((answer.status_code, "logout" in outcome))
            holder.exec_driver_sql("ROLLBACK")
        thread.join(60)
    engine.dispose()
    # Each request was answered while the logout was still waiting; then the logout went through.
    assert meanwhile == [(200, False)] * 3
    assert outcome["logout"].status_code == 303
