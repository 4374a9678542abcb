"""A staff member in real headless Chromium: log in, change a phone, confirm, log out — Phare answers with it."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from directory.db import open_session
from directory.formatting import format_date, format_phone
from directory.search import search

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
NEW_PHONE = "4185550163"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_test_tools.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_staff_changes_a_phone_and_phare_gives_it(browser, phare, db, accounts, tmp_path):
    from .conftest import PASSWORD

    with open_session(db) as s:
        target = search(s, "aide-alimentaire", "trois-pistoles", limit=3).results[0]
    page = browser.new_page(locale="fr-CA")
    web = phare["web"]
    try:
        page.goto(f"{web}/admin/")
        assert "Connexion" in page.title()
        page.get_by_label("Courriel").fill(accounts["admin"])
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{web}/admin/services")
        page.get_by_label("Recherche").fill(target.name.split("(")[0].strip())
        page.get_by_role("button", name="Filtrer").click()
        page.get_by_role("link", name=target.name, exact=True).click()
        page.wait_for_url(f"{web}/admin/services/{target.id}")
        page.get_by_role("link", name="Modifier").click()
        page.get_by_label("Numéro 1", exact=True).fill(NEW_PHONE)
        page.get_by_label("Poste").first.fill("")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(f"{web}/admin/services/{target.id}")
        assert "Modifications enregistrées" in page.content()
        assert format_phone(NEW_PHONE) in page.content()
        page.get_by_role("button", name="Confirmer que c'est à jour").click()
        page.wait_for_url(f"{web}/admin/services/{target.id}")
        today = dt.datetime.now(ZoneInfo("America/Toronto")).date()
        assert f"Vérifié le {format_date(today)}" in page.inner_text("section.verify")
        page.screenshot(path=str(tmp_path / "service.png"), full_page=True)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(f"{web}/admin/login")
        assert "Vous êtes déconnecté" in page.content()
        page.goto(f"{web}/admin/services/{target.id}")
        assert "/admin/login" in page.url
    finally:
        page.close()

    reply = httpx.post(f"{phare['rasa']}/webhooks/rest/webhook",
                       json={"sender": str(uuid.uuid4()), "message": "bouffe a trois-pistoles"}, timeout=60).json()
    text = "\n".join(m.get("text", "") for m in reply)
    assert format_phone(NEW_PHONE) in text, text
    assert f"Vérifié le {format_date(today)}" in text, text
