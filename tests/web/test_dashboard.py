"""The Alliance's dashboard: counts of every kind per week, French labels, SVG charts (pure parts, real SQLite)."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from directory.db import create_schema, make_engine, open_session
from directory.models import NeedLog
from web.admin import charts, dashboard
from web.admin.stats import NeedFilters, crisis_counts, weekly_needs

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture()
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    create_schema(engine)
    with open_session(engine) as s:
        s.add_all([
            NeedLog(day=MONDAY, category_id="aide-alimentaire", mrc_id="la-mitis", result_count=2, channel="sms"),
            NeedLog(day=MONDAY + dt.timedelta(days=1), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0,
                    channel="socketio"),
            NeedLog(day=MONDAY + dt.timedelta(days=14), category_id="logement", mrc_id="la-matanie", result_count=0,
                    channel="sms"),
            NeedLog(day=MONDAY, category_id=None, mrc_id=None, result_count=0, channel="sms", kind="fallback"),
            NeedLog(day=MONDAY, category_id=None, mrc_id=None, result_count=0, channel="socketio", kind="outside"),
            NeedLog(day=MONDAY, category_id="sante-mentale", mrc_id="la-mitis", result_count=0, channel="sms", kind="crisis",
                    crisis_level="suicide"),
        ])
        s.commit()
        yield s
    engine.dispose()


def test_labels():
    assert dashboard.week_label(MONDAY) == "semaine du 23 novembre 2026"
    assert dashboard.channel_label("sms") == "texto" and dashboard.channel_label("socketio") == "clavardage"
    assert dashboard.week_start(dt.date(2026, 11, 29)) == MONDAY


def test_counts_of_every_kind(db):
    counts = dashboard.load_counts(db, NeedFilters())
    totals = dashboard.summary(counts)
    assert (totals["search"], totals["no_result"], totals["fallback"], totals["outside"], totals["crisis"]) == (3, 2, 1, 1, 1)
    # Crisis: counts only, no category kept next to it.
    assert [c.category_id for c in counts if c.kind == "crisis"] == [None]
    # The unmet-needs page still counts searches only.
    assert sum(r.searches for r in weekly_needs(db, NeedFilters())) == 3


def test_weekly_bars_keep_empty_weeks(db):
    bars = dashboard.weekly_bars(dashboard.load_counts(db, NeedFilters()))
    assert [(b.label, b.value, b.part) for b in bars] == [("23 nov.", 2, 1), ("30 nov.", 0, 0), ("7 déc.", 1, 1)]


def test_table_rows_and_channel_filter(db):
    rows = dashboard.table_rows(dashboard.load_counts(db, NeedFilters()), {"la-mitis": "La Mitis"},
                                {"aide-alimentaire": "Aide alimentaire"})
    first = [r for r in rows if r["kind"] == "recherches" and r["mrc"] == "La Mitis"][0]
    assert first["week_label"] == "semaine du 23 novembre 2026" and first["category"] == "Aide alimentaire"
    assert first["channels"] == "clavardage 1, texto 1"
    assert any(r["kind"] == "situations de crise : prévention du suicide (1 866 APPELLE)" and r["category"] == "—"
               for r in rows)
    texto = dashboard.summary(dashboard.load_counts(db, NeedFilters(channel="texto")))
    assert texto["search"] == 2 and texto["outside"] == 0


def test_charts_are_valid_svg_with_their_numbers():
    svg = charts.horizontal_bars("Besoins", [charts.Bar("Aide alimentaire", 12, 3), charts.Bar("Logement <social>", 4)])
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Aide alimentaire" in texts and "12 (3 sans résultat)" in texts and "Logement <social>" in texts
    empty = ET.fromstring(charts.weekly_columns("Rien", []))
    assert "Aucune donnée pour ces filtres." in [t.text for t in empty.iter("{http://www.w3.org/2000/svg}text")]
    columns = ET.fromstring(charts.weekly_columns("Semaines", [charts.Bar("23 nov", 5, 2), charts.Bar("30 nov", 0)]))
    assert len(list(columns.iter("{http://www.w3.org/2000/svg}rect"))) >= 5


def test_crisis_counts_by_level_only(db):
    db.add_all([
        NeedLog(day=MONDAY, mrc_id="la-mitis", result_count=0, channel="sms", kind="crisis", crisis_level="health"),
        NeedLog(day=MONDAY, mrc_id="la-matanie", result_count=0, channel="socketio", kind="crisis", crisis_level="health"),
        NeedLog(day=MONDAY, mrc_id=None, result_count=0, channel="socketio", kind="crisis", crisis_level="medical"),
        NeedLog(day=MONDAY, mrc_id=None, result_count=0, channel="sms", kind="crisis", crisis_level=None),
    ])
    db.commit()
    counts = dashboard.load_counts(db, NeedFilters())
    expected = [("urgence médicale (911)", 1), ("prévention du suicide (1 866 APPELLE)", 1),
                ("violence (SOS violence conjugale)", 0), ("question de santé (Info-Santé 811)", 2),
                ("niveau non noté", 1)]
    assert dashboard.crisis_by_level(counts) == expected
    assert dashboard.summary(counts)["crisis"] == 5
    # The unmet-needs page: the same counts, under the same filters.
    assert crisis_counts(db, NeedFilters()) == expected
    assert crisis_counts(db, NeedFilters(mrc_id="la-mitis")) == [
        ("urgence médicale (911)", 0), ("prévention du suicide (1 866 APPELLE)", 1),
        ("violence (SOS violence conjugale)", 0), ("question de santé (Info-Santé 811)", 1)]
    rows = dashboard.table_rows(counts, {}, {})
    crisis_rows = [r for r in rows if r["kind"].startswith("situations de crise")]
    assert {r["category"] for r in crisis_rows} == {"—"}  # never a category next to a crisis
    assert sum(r["requests"] for r in crisis_rows if r["kind"].endswith("(Info-Santé 811)")) == 2
