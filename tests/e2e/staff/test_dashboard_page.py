"""The dashboard on the real web server: French labels, inline SVG (no script, no CDN), CSV, MRC scope."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from directory.db import open_session
from directory.models import NeedLog, User
from web.admin.auth import hash_password

from .conftest import PASSWORD, login

pytestmark = [pytest.mark.e2e]
MONDAY = dt.date(2019, 11, 25)
QUERY = {"start": "2019-11-25", "end": "2019-12-08"}


@pytest.fixture(scope="module")
def logged(staff_engine):
    with open_session(staff_engine) as s:
        s.add_all([
            NeedLog(day=MONDAY, category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0, channel="sms"),
            NeedLog(day=MONDAY, category_id="aide-alimentaire", mrc_id="la-mitis", result_count=4, channel="socketio"),
            NeedLog(day=MONDAY + dt.timedelta(days=8), category_id=None, mrc_id="la-matanie", result_count=0,
                    channel="sms", kind="fallback"),
            NeedLog(day=MONDAY, category_id=None, mrc_id=None, result_count=0, channel="sms", kind="outside"),
            NeedLog(day=MONDAY, category_id=None, mrc_id="la-mitis", result_count=0, channel="sms", kind="crisis",
                    crisis_level="suicide"),
            NeedLog(day=MONDAY, category_id=None, mrc_id="la-mitis", result_count=0, channel="socketio", kind="crisis",
                    crisis_level="health"),
            NeedLog(day=MONDAY + dt.timedelta(days=1), category_id=None, mrc_id="la-mitis", result_count=0,
                    channel="sms", kind="crisis", crisis_level="health"),
        ])
        s.add(User(email="tableau.mitis@example.org", role="mrc", mrc_id="la-mitis", password_hash=hash_password(PASSWORD)))
        s.commit()


def test_dashboard_page(web, admin_account, logged):
    admin = login(web["base"], admin_account)
    page = admin.get("/admin/tableau-de-bord", params=QUERY)
    assert page.status_code == 200
    text = page.text
    assert "semaine du 25 novembre 2019" in text and "2019-S48" not in text
    assert "<svg" in text and "<script" not in text and "http://cdn" not in text
    assert "texto" in text and "clavardage" in text and ">rest<" not in text
    assert "messages non compris" in text and "hors région" in text and "situations de crise" in text
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/tableau-de-bord.csv", params=QUERY).text.lstrip("\ufeff")),
                               delimiter=";"))
    search = [r for r in rows if r["type"] == "recherches"]
    assert search == [{"semaine": "semaine du 25 novembre 2019", "début de la semaine": "2019-11-25", "mrc": "La Mitis",
                       "catégorie": search[0]["catégorie"], "type": "recherches", "demandes": "2", "sans résultat": "1",
                       "canaux": "clavardage 1, texto 1"}]
    assert {r["type"] for r in rows} == {"recherches", "messages non compris", "hors région",
                                         "situations de crise : prévention du suicide (1 866 APPELLE)",
                                         "situations de crise : question de santé (Info-Santé 811)"}
    health = [r for r in rows if r["type"].endswith("(Info-Santé 811)")]
    assert [(r["demandes"], r["catégorie"]) for r in health] == [("2", "—")]  # counts only, never a category
    assert "question de santé (Info-Santé 811) 2" in text and "prévention du suicide (1 866 APPELLE) 1" in text


def test_unmet_needs_page_counts_crises_by_level(web, admin_account, logged):
    page = login(web["base"], admin_account).get("/admin/besoins", params=QUERY)
    assert page.status_code == 200
    crisis = page.text.split("<h2>Situations de crise</h2>")[1]
    assert "<dt>Question de santé (Info-Santé 811)</dt><dd>2</dd>" in crisis
    assert "<dt>Prévention du suicide (1 866 APPELLE)</dt><dd>1</dd>" in crisis
    assert "<dt>Urgence médicale (911)</dt><dd>0</dd>" in crisis


def test_mrc_staff_see_their_mrc_only(web, logged):
    mitis = login(web["base"], "tableau.mitis@example.org")
    rows = list(csv.DictReader(io.StringIO(mitis.get("/admin/tableau-de-bord.csv", params=dict(QUERY, mrc="la-matanie"))
                                           .text.lstrip("\ufeff")), delimiter=";"))
    assert rows and {r["mrc"] for r in rows} == {"La Mitis"}
