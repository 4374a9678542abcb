"""The coverage report: the pure matrix on hand-made rows, then on the seeded directory and through the command line."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

from directory.coverage import CSV_HEADER, ServiceFacts, compute_coverage, coverage_report, csv_rows
from directory.gazetteer import default_gazetteer
from directory.search import search
from tests.support import ROOT

TODAY = dt.date(2026, 11, 29)


def facts(i, categories, mrcs, phone=False, web=False, hours=False, assured=None):
    return ServiceFacts(str(i), frozenset(categories), frozenset(mrcs), phone, web, hours, assured)


def test_cells_count_local_reachable_hours_confirmed_stale():
    rows = [
        facts(1, ["aide-alimentaire"], ["la-mitis"], phone=True, hours=True, assured=dt.date(2026, 10, 1)),
        facts(2, ["aide-alimentaire", "repas"], ["la-mitis", "la-matanie"], web=True, assured=dt.date(2025, 1, 1)),
        facts(3, ["aide-alimentaire"], ["la-mitis"]),
    ]
    report = compute_coverage(rows, ["la-mitis", "la-matanie"], ["aide-alimentaire", "repas"], TODAY,
                              core=["aide-alimentaire", "repas"], region_wide=4)
    cell = report.cell("la-mitis", "aide-alimentaire")
    assert (cell.local, cell.reachable, cell.phone, cell.hours, cell.confirmed, cell.stale) == (3, 2, 1, 1, 2, 2)
    assert report.cell("la-matanie", "repas").reachable == 1
    assert report.cell("la-matanie", "aide-alimentaire").local == 1
    assert report.gaps == []
    assert report.core_cells == 4 and report.core_reachable == 4
    assert report.totals.local == 3 and report.services == 7 and report.region_wide == 4
    assert report.by_mrc["la-matanie"].local == 1
    assert round(report.hours_share, 2) == 0.33


def test_a_core_need_with_nothing_reachable_is_a_named_gap():
    rows = [facts(1, ["repas"], ["la-mitis"])]  # known, but no phone and no website
    report = compute_coverage(rows, ["la-mitis"], ["repas", "jardin"], TODAY, core=["repas"])
    assert report.gaps == [("la-mitis", "repas")]
    assert report.cell("la-mitis", "repas").local == 1
    data = report.as_dict()
    assert data["gaps"] == [{"mrc": "la-mitis", "category": "repas"}]
    assert {c["category"] for c in data["cells"] if c["core"]} == {"repas"}
    rows_csv = csv_rows(report, {"la-mitis": "La Mitis"}, {"repas": "Repas préparés"})
    assert rows_csv[0][:3] == ["La Mitis", "Repas préparés", "oui"] and len(rows_csv[0]) == len(CSV_HEADER)


def test_the_report_agrees_with_search(session):
    """A cell's local services are exactly what search returns as local for that MRC and need."""
    report = coverage_report(session, TODAY)
    assert len(report.mrc_ids) == 8 and len(report.core) == 6
    gazetteer = default_gazetteer()
    for mrc in report.mrc_ids:
        for category in ("aide-alimentaire", "repas", "hebergement-urgence", "ecoute"):
            outcome = search(session, category, gazetteer.mrc(mrc), limit=500)
            local = [r for r in outcome.results if r.scope != "region"]
            cell = report.cell(mrc, category)
            assert cell.local == len(local), (mrc, category)
            assert cell.reachable == sum(1 for r in local if r.reachable), (mrc, category)
            assert cell.phone == sum(1 for r in local if r.phones), (mrc, category)


def test_command_line_prints_the_matrix_and_json(seeded_engine):
    env = dict(os.environ, PHARE_DATABASE_URL=seeded_engine.url.render_as_string(hide_password=False))
    text = subprocess.run([sys.executable, "-m", "directory", "coverage"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    assert "*aide-alimentaire" in text.stdout and "Besoins de base :" in text.stdout and "sur 48" in text.stdout
    raw = subprocess.run([sys.executable, "-m", "directory", "coverage", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    data = json.loads(raw.stdout)
    assert data["totals"]["core_cells"] == 48
    assert len(data["cells"]) == 8 * len(data["categories"])
    assert data["core_needs"] == ["aide-alimentaire", "frigo-libre-service", "soutien-telephonique", "repas",
                                  "livraison-epicerie", "familles-enfants"]
