"""Accounts by email against the real web server and a real SMTP server: invitation, reset, role confirmation, TOTP."""
from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select, text

from directory.db import open_session
from directory.models import User

from .conftest import PASSWORD, csrf_of, link_in, login

pytestmark = [pytest.mark.e2e]


def _new_account(admin, **fields):
    page = admin.get("/admin/utilisateurs/new")
    assert page.status_code == 200
    data = {"csrf_token": csrf_of(page.text), "name": "Nouvelle Personne", "mrc_id": "", "organization_id": ""}
    data.update(fields)
    return page, admin.post("/admin/utilisateurs/new", data=data)


def test_new_account_form_has_no_preselected_role(web, admin_account):
    admin = login(web["base"], admin_account)
    page, response = _new_account(admin, email="sans.role@example.org")
    assert '<option value="" selected>— Choisissez un rôle —</option>' in page.text
    assert 'type="password"' not in page.text  # nobody chooses a password for someone else
    assert response.status_code == 400
    assert "Choisissez un rôle." in response.text


def test_regional_admin_needs_explicit_confirmation(web, admin_account, staff_engine):
    admin = login(web["base"], admin_account)
    _, response = _new_account(admin, email="futur.admin@example.org", role="admin")
    assert response.status_code == 400
    assert "Cochez la case" in response.text
    _, response = _new_account(admin, email="futur.admin@example.org", role="admin", confirm_admin="1")
    assert response.status_code == 303
    with open_session(staff_engine) as s:
        assert s.execute(select(User.role).where(User.email == "futur.admin@example.org")).scalar() == "admin"


def test_invitation_link_sets_a_password_once(web, admin_account, smtp):
    base = web["base"]
    admin = login(base, admin_account)
    _, response = _new_account(admin, email="Invitee@Example.org", role="mrc", mrc_id="la-mitis")
    assert response.status_code == 303
    message = smtp["mailbox"].wait_for("invitee@example.org", "Votre accès")
    assert message["from"] == "phare@example.org"
    link = link_in(message["body"], "/admin/invitation/")
    assert "72 heures" in message["body"]
    # The account exists but no password works until the person chooses one.
    with pytest.raises(AssertionError):
        login(base, "invitee@example.org", "!invitation")
    import httpx
    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        assert page.status_code == 200 and "invitee@example.org" in page.text
        token_url = link
        bad = browser.post(token_url, data={"csrf_token": csrf_of(page.text), "password": "court",
                                            "confirm_password": "court"})
        assert bad.status_code == 400 and "au moins 10 caractères" in bad.text
        done = browser.post(token_url, data={"csrf_token": csrf_of(bad.text), "password": "ma phrase de passe",
                                             "confirm_password": "ma phrase de passe"})
        assert done.status_code == 303 and done.headers["location"] == "/admin/login"
        again = browser.get(link)
        assert again.status_code == 410 and "déjà servi" in again.text
    staff = login(base, "invitee@example.org", "ma phrase de passe")
    assert staff.get("/admin/services").status_code == 200


def test_forgotten_password_of_an_unused_invitation_sends_a_new_invitation(web, staff_engine, smtp):
    from web.admin import tokens
    with open_session(staff_engine) as s:
        s.add(User(email="jamais.venue@example.org", name="", role="mrc", mrc_id="kamouraska",
                   password_hash=tokens.NO_PASSWORD))
        s.commit()
    import httpx
    with httpx.Client(base_url=web["base"], timeout=30) as browser:
        page = browser.get("/admin/mot-de-passe-oublie")
        answer = browser.post("/admin/mot-de-passe-oublie", data={"csrf_token": csrf_of(page.text),
                                                                  "email": "jamais.venue@example.org"})
        assert answer.status_code == 200 and "Si un compte existe" in answer.text
    message = smtp["mailbox"].wait_for("jamais.venue@example.org", "Votre accès")
    assert "/admin/invitation/" in message["body"] and "L'administration régionale de Phare" in message["body"]


def test_password_reset_by_email(web, staff_engine, smtp):
    base = web["base"]
    with open_session(staff_engine) as s:
        from web.admin.auth import hash_password
        s.add(User(email="oubli@example.org", name="Oubli", role="mrc", mrc_id="les-basques",
                   password_hash=hash_password(PASSWORD)))
        s.commit()
    import httpx
    with httpx.Client(base_url=base, timeout=30) as browser:
        page = browser.get("/admin/mot-de-passe-oublie")
        answer = browser.post("/admin/mot-de-passe-oublie", data={"csrf_token": csrf_of(page.text),
                                                                  "email": "OUBLI@example.org"})
        assert "Si un compte existe" in answer.text
        unknown = browser.post("/admin/mot-de-passe-oublie", data={"csrf_token": csrf_of(page.text),
                                                                   "email": "personne@example.org"})
        assert "Si un compte existe" in unknown.text  # same answer: says nothing about who has an account
    message = smtp["mailbox"].wait_for("oubli@example.org", "nouveau mot de passe")
    link = link_in(message["body"], "/admin/reinitialiser/")
    with httpx.Client(timeout=30) as browser:
        page = browser.get(link)
        done = browser.post(link, data={"csrf_token": csrf_of(page.text), "password": "nouvelle phrase 2026",
                                        "confirm_password": "nouvelle phrase 2026"})
        assert done.status_code == 303
    with pytest.raises(AssertionError):
        login(base, "oubli@example.org", PASSWORD)
    assert login(base, "oubli@example.org", "nouvelle phrase 2026").get("/admin/services").status_code == 200


def test_second_factor_for_a_regional_admin(web, staff_engine):
    base = web["base"]
    with open_session(staff_engine) as s:
        from web.admin.auth import hash_password
        s.add(User(email="deux.etapes@example.org", name="Deux", role="admin", password_hash=hash_password(PASSWORD)))
        s.commit()
    client = login(base, "deux.etapes@example.org")
    page = client.get("/admin/compte/deux-etapes")
    secret = page.text.split('<code id="secret">')[1].split("</code>")[0].replace(" ", "")
    wrong = client.post("/admin/compte/deux-etapes", data={"csrf_token": csrf_of(page.text), "action": "enable",
                                                           "code": "000000"})
    assert wrong.status_code == 400
    ok = client.post("/admin/compte/deux-etapes", data={"csrf_token": csrf_of(page.text), "action": "enable",
                                                        "code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 303
    # Encrypted at rest: the column holds a Fernet token, never the secret a database dump would give away.
    with staff_engine.connect() as connection:
        raw = connection.execute(text("SELECT totp_secret_encrypted FROM app_user WHERE email = 'deux.etapes@example.org'")
                                 ).scalar()
    assert raw and secret not in raw and raw.startswith("gAAAAA")
    # The next login asks for the code; the password alone opens nothing.
    import httpx
    with httpx.Client(base_url=base, timeout=30) as browser:
        page = browser.get("/admin/login")
        step = browser.post("/admin/login", data={"email": "deux.etapes@example.org", "password": PASSWORD,
                                                  "csrf_token": csrf_of(page.text)})
        assert step.headers["location"] == "/admin/login/code"
        assert browser.get("/admin/services").status_code == 303  # still logged out
        code_page = browser.get("/admin/login/code")
        bad = browser.post("/admin/login/code", data={"csrf_token": csrf_of(code_page.text), "code": "123456"})
        assert bad.status_code == 401 and "pas le bon" in bad.text
        good = browser.post("/admin/login/code", data={"csrf_token": csrf_of(code_page.text),
                                                       "code": pyotp.TOTP(secret).now()})
        assert good.status_code == 303
        assert browser.get("/admin/services").status_code == 200


def test_outbox_without_smtp_is_shown_for_sending_by_hand(tmp_path, staff_engine, admin_account, web):
    """Messages queued while SMTP is down stay visible in « Courriels à envoyer »."""
    from directory import mail
    with open_session(staff_engine) as s:
        row = mail.queue(s, "attente@example.org", "Message en attente", "Bonjour, ceci attend.", kind="test")
        s.commit()
        row_id = row.id
    admin = login(web["base"], admin_account)
    page = admin.get("/admin/courriels")
    assert "Message en attente" in page.text and "attente@example.org" in page.text
    done = admin.post(f"/admin/courriels/{row_id}/envoye", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303
    assert "Message en attente" not in admin.get("/admin/courriels").text.split("Envoyés")[0]
