"""Staff and organisations in real headless Chromium: invitation → own password → login; the organisation's
confirmation link; the hours editor's preview; the dashboard. Screenshots go to docs/screenshots (docs/admin.md)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from directory.db import open_session
from directory.models import Category, NeedLog, Organization, Phone, Schedule, Service, ServiceArea

from .conftest import PASSWORD, ROOT, link_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--lang=fr-CA"]
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_test_tools.sh")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _login(page, base, email, password=PASSWORD):
    page.goto(f"{base}/admin/login")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/admin/services")


def test_invitation_set_password_then_login(browser, web, admin_account, smtp):
    base = web["base"]
    page = browser.new_page(locale="fr-CA", viewport={"width": 1100, "height": 900})
    try:
        _login(page, base, admin_account)
        page.goto(f"{base}/admin/utilisateurs/new")
        page.get_by_label("Courriel", exact=True).fill("nouvelle.collegue@example.org")
        page.get_by_label("Nom", exact=True).fill("Nouvelle Collègue")
        assert page.get_by_label("Rôle", exact=True).input_value() == ""  # no preselected role
        page.get_by_label("Rôle", exact=True).select_option("mrc")
        page.get_by_label("MRC (pour le personnel de MRC)").select_option("les-basques")
        page.screenshot(path=str(SCREENSHOTS / "admin-nouveau-compte.png"), full_page=True)
        page.get_by_role("button", name="Créer le compte et envoyer l'invitation").click()
        page.wait_for_url(f"{base}/admin/utilisateurs")
        assert "invitation part vers nouvelle.collegue@example.org" in page.content()
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(f"{base}/admin/login")

        link = link_in(smtp["mailbox"].wait_for("nouvelle.collegue@example.org")["body"], "/admin/invitation/")
        page.goto(link)
        assert "Bienvenue dans Phare" in page.content()
        page.get_by_label("Mot de passe (10 caractères ou plus)").fill("le phare de Matane")
        page.get_by_label("Mot de passe, encore une fois").fill("le phare de Matane")
        page.screenshot(path=str(SCREENSHOTS / "admin-invitation.png"), full_page=True)
        page.get_by_role("button", name="Enregistrer mon mot de passe").click()
        page.wait_for_url(f"{base}/admin/login")
        assert "Votre mot de passe est enregistré" in page.content()
        _login(page, base, "nouvelle.collegue@example.org", "le phare de Matane")
        assert "Personnel de MRC" in page.inner_text("header")
    finally:
        page.close()


@pytest.fixture()
def listed_org(staff_engine):
    with open_session(staff_engine) as s:
        org = Organization(name="Centre d'entraide (démonstration)", email="entraide.demo@example.org",
                           description="Entraide et dépannage alimentaire.")
        s.add(org)
        s.flush()
        service = Service(organization_id=org.id, name="Dépannage alimentaire (démonstration)",
                          description="Épicerie d'urgence, sur rendez-vous.", status="active",
                          assured_date=dt.date(2025, 3, 1))
        service.service_areas = [ServiceArea(scope="mrc", mrc_id="rimouski-neigette")]
        service.phones = [Phone(number="418 555-0142", type="voice", organization_id=org.id)]
        service.schedules = [Schedule(freq="WEEKLY", byday="TU,TH", opens_at=dt.time(13), closes_at=dt.time(16))]
        service.categories = [s.execute(select(Category).order_by(Category.position)).scalars().first()]
        s.add(service)
        s.commit()
        return org.id, service.id


def test_organisation_confirms_its_listing(browser, web, admin_account, smtp, listed_org, staff_engine):
    base = web["base"]
    org_id, service_id = listed_org
    page = browser.new_page(locale="fr-CA", viewport={"width": 1100, "height": 900})
    try:
        _login(page, base, admin_account)
        page.goto(f"{base}/admin/organisations/{org_id}")
        page.get_by_role("button", name="Envoyer le lien de confirmation à entraide.demo@example.org").click()
        assert "Lien de confirmation envoyé" in page.content()
        link = link_in(smtp["mailbox"].wait_for("entraide.demo@example.org")["body"], "/admin/fiche/")
        visitor = browser.new_page(locale="fr-CA", viewport={"width": 900, "height": 900})  # no account, no session
        visitor.goto(link)
        assert "Ouvert les mardis et jeudis de 13 h à 16 h" in visitor.content() or "Mardi et jeudi" in visitor.content()
        visitor.screenshot(path=str(SCREENSHOTS / "admin-fiche-organisme.png"), full_page=True)
        visitor.get_by_role("button", name="Toujours exact").click()
        assert "Merci!" in visitor.content()
        visitor.goto(link)
        assert "déjà été confirmée" in visitor.content()
        visitor.close()
        page.goto(f"{base}/admin/services/{service_id}")
        today = dt.datetime.now(__import__("zoneinfo").ZoneInfo("America/Toronto")).date()
        from directory.formatting import format_date
        assert f"Vérifié le {format_date(today)}" in page.inner_text("section.verify")
        assert "(lien de confirmation)" in page.content()  # in the history
    finally:
        page.close()


def test_hours_editor_preview(browser, web, admin_account, listed_org):
    base = web["base"]
    _, service_id = listed_org
    page = browser.new_page(locale="fr-CA", viewport={"width": 1100, "height": 900})
    try:
        _login(page, base, admin_account)
        page.goto(f"{base}/admin/services/{service_id}/edit")
        assert "BYDAY" not in page.content()
        page.get_by_label("Ajouter un horaire : quand?").first.select_option("monthly")
        block = page.locator("div.schedule").nth(1)
        block.get_by_label("dernier").check()
        block.get_by_label("vendredi").check()
        block.get_by_label("De", exact=True).fill("18:00")
        block.get_by_label("à", exact=True).fill("20:00")
        block.get_by_label("Fermé les jours fériés").check()
        page.get_by_role("button", name="Voir la phrase").click()
        assert "Ouvert le dernier vendredi du mois de 18 h à 20 h (fermé les jours fériés)." in page.content()
        page.locator("fieldset.hours").screenshot(path=str(SCREENSHOTS / "admin-horaires.png"))
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        page.wait_for_load_state()
        errors = page.locator("div.error").all_inner_texts()
        assert not errors, errors
        page.wait_for_url(f"{base}/admin/services/{service_id}")
        assert "Dernier vendredi du mois, de 18 h à 20 h" in page.content()
    finally:
        page.close()


def test_dashboard_and_freshness_screens(browser, web, admin_account, staff_engine):
    base = web["base"]
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    with open_session(staff_engine) as s:
        categories = s.execute(select(Category.id).order_by(Category.position)).scalars().all()[:4]
        rows = []
        for week in range(6):
            for i, category in enumerate(categories):
                for n in range(1 + (week + i) % 4):
                    rows.append(NeedLog(day=monday - dt.timedelta(weeks=week, days=-n % 5), category_id=category,
                                        mrc_id=["la-mitis", "les-basques", "la-matanie"][(n + i) % 3],
                                        result_count=0 if (n + week) % 3 == 0 else 2,
                                        channel="sms" if n % 2 else "socketio"))
            rows.append(NeedLog(day=monday - dt.timedelta(weeks=week), mrc_id=None, result_count=0, channel="sms",
                                kind="fallback"))
        s.add_all(rows)
        s.commit()
    page = browser.new_page(locale="fr-CA", viewport={"width": 1200, "height": 900})
    try:
        _login(page, base, admin_account)
        page.goto(f"{base}/admin/tableau-de-bord")
        assert page.locator("figure.chart svg").count() == 3
        assert "semaine du" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "admin-tableau-de-bord.png"), full_page=False)
        page.goto(f"{base}/admin/fraicheur")
        assert "À vérifier" in page.content()
        page.screenshot(path=str(SCREENSHOTS / "admin-fraicheur.png"), full_page=False)
    finally:
        page.close()
