"""Unmet needs: counts per week × MRC × category, with searches that found nothing; CSV; roles."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from directory.db import open_session
from directory.models import NeedLog

pytestmark = pytest.mark.e2e

# An old week of its own, so the counts are exact whatever else logs searches.
MONDAY = dt.date(2020, 3, 2)  # ISO week 2020-S10
QUERY = "?start=2020-03-01&end=2020-03-15"


@pytest.fixture(scope="module")
def logged(db):
    rows = [
        NeedLog(day=MONDAY, category_id="aide-alimentaire", mrc_id="la-mitis", result_count=3, channel="web"),
        NeedLog(day=MONDAY + dt.timedelta(days=2), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0, channel="sms"),
        NeedLog(day=MONDAY + dt.timedelta(days=6), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0, channel="sms"),
        NeedLog(day=MONDAY + dt.timedelta(days=7), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=1, channel="web"),
        NeedLog(day=MONDAY, category_id="logement-social", mrc_id="la-matanie", result_count=0, channel="web"),
    ]
    with open_session(db) as s:
        s.add_all(rows)
        s.commit()


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_admin_sees_weekly_counts(staff, logged):
    admin = staff("admin")
    page = admin.get("/admin/besoins" + QUERY)
    assert page.status_code == 200
    assert "semaine du 2 mars 2020" in page.text and "semaine du 9 mars 2020" in page.text
    assert "2020-S10" not in page.text
    response = admin.get("/admin/besoins.csv" + QUERY)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = table(response.content.decode("utf-8"))
    week10 = [r for r in rows if r["semaine"] == "semaine du 2 mars 2020" and r["mrc"] == "La Mitis"]
    assert len(week10) == 1 and week10[0]["demandes"] == "3" and week10[0]["sans résultat"] == "2"
    week11 = [r for r in rows if r["semaine"] == "semaine du 9 mars 2020"]
    assert week11[0]["demandes"] == "1" and week11[0]["sans résultat"] == "0"
    assert any(r["mrc"] == "La Matanie" for r in rows)
    only_sms = table(admin.get("/admin/besoins.csv" + QUERY + "&channel=sms").content.decode("utf-8"))
    assert sum(int(r["demandes"]) for r in only_sms) == 2


def test_mrc_staff_see_their_mrc_only(staff, logged):
    mitis = staff("mitis")
    rows = table(mitis.get("/admin/besoins.csv" + QUERY + "&mrc=la-matanie").content.decode("utf-8"))
    assert rows and {r["mrc"] for r in rows} == {"La Mitis"}
    assert "La Matanie" not in mitis.get("/admin/besoins" + QUERY).text.split("<table")[-1]
    assert staff("organization").get("/admin/besoins" + QUERY).status_code == 403


def test_the_search_action_logs_anonymously(phare, db):
    with open_session(db) as s:
        before = s.execute(select(func.count(NeedLog.id))).scalar()
    sender = str(uuid.uuid4())
    httpx.post(f"{phare['rasa']}/webhooks/rest/webhook", json={"sender": sender, "message": "bouffe a trois-pistoles"},
               timeout=60).raise_for_status()
    with open_session(db) as s:
        rows = s.execute(select(NeedLog).order_by(NeedLog.id.desc())).scalars().all()
        assert len(rows) > before
        newest = rows[0]
        assert newest.mrc_id == "les-basques" and newest.category_id == "aide-alimentaire"
        assert {c.name for c in NeedLog.__table__.columns} == {"id", "day", "category_id", "mrc_id", "result_count", "channel", "kind",
                                                           "crisis_level"}
        values = " ".join(str(getattr(newest, c.name)) for c in NeedLog.__table__.columns)
        assert sender not in values and "bouffe" not in values
