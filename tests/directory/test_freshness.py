"""Freshness said plainly: confirmed -> when; unconfirmed -> where the facts come from and when."""
from __future__ import annotations

import datetime as dt

import pytest

from directory.freshness import SourceRef, cited_source, freshness, is_stale, parse_date_text, source_phrase


def test_confirmed_says_the_day():
    assert freshness(dt.date(2026, 3, 12), [SourceRef("journal", "2020", "phone")]) == "Vérifié le 12 mars 2026"
    assert freshness(dt.date(2026, 3, 1)) == "Vérifié le 1er mars 2026"


@pytest.mark.parametrize("kind,date,expected", [
    ("journal", "2024-03-12", "Selon un article de mars 2024 — à confirmer"),
    ("journal", "2024-04", "Selon un article d'avril 2024 — à confirmer"),
    ("journal", "2024-08-02", "Selon un article d'août 2024 — à confirmer"),
    ("journal", "2023", "Selon un article de 2023 — à confirmer"),
    ("organisme", "2025-06", "Selon le site de l'organisme (2025) — à confirmer"),
    ("repertoire", "2023", "Selon un répertoire (2023) — à confirmer"),
    ("municipal", "2024-01-05", "Selon un site municipal (2024) — à confirmer"),
    ("gouvernement", "2019", "Selon un site gouvernemental (2019) — à confirmer"),
])
def test_unconfirmed_says_the_source_and_its_date(kind, date, expected):
    assert freshness(None, [SourceRef(kind, date, "phone")]) == expected


def test_the_newest_source_behind_a_contact_fact_is_cited():
    sources = [
        SourceRef("journal", "2025-09", "description"),  # newer, but says nothing about how to reach them
        SourceRef("organisme", "2022", "phone"),
        SourceRef("repertoire", "2023-05", "address"),
    ]
    assert cited_source(sources) == SourceRef("repertoire", "2023-05", "address")
    assert freshness(None, sources) == "Selon un répertoire (2023) — à confirmer"
    assert cited_source([SourceRef("journal", "2021", "description"), SourceRef("journal", "2024-02", "territory")]).date_text == "2024-02"


def test_no_source_and_bad_dates():
    assert freshness(None, []) == "Information à confirmer (pas encore vérifiée)"
    assert source_phrase("journal", "n.d.") == "Selon un article"
    assert source_phrase("autre", "2020") == "Selon une source publique (2020)"
    assert parse_date_text("2024-13") is None and parse_date_text("") is None
    assert parse_date_text("2024-03-12") == (2024, 3, 12)


def test_stale_after_six_months_or_never_confirmed():
    today = dt.date(2026, 11, 29)
    assert is_stale(None, today)
    assert is_stale(dt.date(2026, 5, 1), today)
    assert not is_stale(dt.date(2026, 10, 1), today)
