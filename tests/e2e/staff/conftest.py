"""The real web server (`python -m web`) on a copy of the seeded directory, with a real local SMTP server.

No Rasa model is needed: these flows (accounts, confirmation links,
reminders, dashboards) live in the admin. The SMTP server is aiosmtpd; the
messages it receives are what a person would find in their mailbox.
"""
from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from email.policy import default as default_policy

import httpx
import pytest
from aiosmtpd.controller import Controller

from directory.db import make_engine, open_session
from directory.models import User
from tests.support import ROOT, free_port, wait_for_server
from web.admin.auth import hash_password

PASSWORD = "un-mot-de-passe-solide"



class Mailbox:
    """Every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages: list = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "message": message,
                                  "subject": str(message["Subject"]), "body": message.get_content()})
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, subject_part: str = "", timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for m in reversed(self.messages):
                    if to.lower() in [t.lower() for t in m["to"]] and subject_part in m["subject"]:
                        return m
            time.sleep(0.1)
        raise AssertionError(f"no email to {to} ({subject_part!r}) within {timeout}s; got {[m['to'] for m in self.messages]}")


@pytest.fixture(scope="session")
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield {"url": f"smtp://127.0.0.1:{controller.port}", "mailbox": mailbox, "port": controller.port}
    controller.stop()


@pytest.fixture(scope="session")
def staff_db_url(request, tmp_path_factory, seeded_engine, test_database) -> str:
    if test_database == "postgresql":
        return request.getfixturevalue("postgres_copy")(seeded_engine)
    path = tmp_path_factory.mktemp("staff") / "phare.db"
    shutil.copy(seeded_engine.url.database, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def staff_engine(staff_db_url):
    engine = make_engine(staff_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def web(staff_db_url, smtp, tmp_path_factory):
    port = free_port()
    work = tmp_path_factory.mktemp("staffweb")
    env = dict(os.environ, PHARE_DATABASE_URL=staff_db_url, PHARE_VAR_DIR=str(work), PHARE_SMTP_URL=smtp["url"],
               PHARE_MAIL_FROM="Phare <phare@example.org>", PHARE_SECRET_KEY="test-secret-key-staff-0123456789",
               PHARE_TOTP_KEY="test-totp-key-staff-0123456789-abcdef",
               PHARE_PUBLIC_URL=f"http://127.0.0.1:{port}", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    log = open(work / "web.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "web", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/health", process, work / "web.log", timeout=120)
    except BaseException:
        process.kill()
        raise
    yield {"base": base, "env": env, "log": work / "web.log"}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def admin_account(staff_engine) -> str:
    with open_session(staff_engine) as s:
        s.add(User(email="alliance@example.org", name="Alliance Admin", role="admin", password_hash=hash_password(PASSWORD)))
        s.commit()
    return "alliance@example.org"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(base: str, email_address: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    page = client.get("/admin/login")
    response = client.post("/admin/login", data={"email": email_address, "password": password,
                                                 "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text[:500]
    return client


def link_in(body: str, path: str) -> str:
    match = re.search(r"(https?://\S+" + re.escape(path) + r"\S+)", body)
    assert match, f"no link to {path} in:\n{body}"
    return match.group(1)
