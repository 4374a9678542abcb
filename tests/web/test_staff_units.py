"""Pure parts of the staff workflows: freshness, account and listing links, TOTP codes, reminder counting."""
from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from directory.db import create_schema, make_engine, open_session
from directory.models import ListingRequest, Organization, User
from web.admin import freshness, tokens
from web.admin.invitations import CodeAttempts, totp_ok

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize("assured, created, expected", [
    (dt.date(2026, 11, 1), None, freshness.FRESH),
    (dt.date(2026, 5, 29), None, freshness.FRESH),  # exactly 6 months: still à jour
    (dt.date(2026, 5, 28), None, freshness.STALE),
    (None, dt.datetime(2026, 11, 29, 10, 0), freshness.NEW),  # created a minute ago: nouveau, not "jamais vérifié"
    (None, dt.datetime(2026, 1, 5), freshness.STALE),
    (None, None, freshness.STALE),  # seeded rows, no creation date
    (dt.date(2025, 1, 1), dt.datetime(2026, 11, 1), freshness.STALE),  # a verified date wins
])
def test_freshness(assured, created, expected):
    assert freshness.freshness(assured, created, TODAY) == expected


def test_freshness_months_and_cutoff():
    assert freshness.cutoff(TODAY, 6) == dt.date(2026, 5, 29)
    assert freshness.freshness(dt.date(2026, 9, 1), None, TODAY, months=2) == freshness.STALE
    assert freshness.LABELS[freshness.NEW] == "nouveau"


@pytest.fixture()
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    create_schema(engine)
    with open_session(engine) as session:
        yield session
    engine.dispose()


def test_account_token_is_hashed_single_use_and_expires(db):
    user = User(email="a@example.org", role="mrc", password_hash=tokens.NO_PASSWORD)
    db.add(user)
    db.flush()
    now = dt.datetime(2026, 11, 29, 12, 0)
    token = tokens.issue_account_token(db, user, "invite", now=now)
    from directory.models import AccountToken
    stored = db.query(AccountToken).one()
    assert stored.token_hash == tokens.hash_token(token) and token not in stored.token_hash
    assert stored.expires_at == now + dt.timedelta(hours=72)
    row, reason = tokens.find_account_token(db, token, now=now + dt.timedelta(hours=71))
    assert row is not None and reason is None
    assert tokens.find_account_token(db, token, now=now + dt.timedelta(hours=73))[1].startswith("Ce lien a expiré")
    assert not tokens.has_password(user)
    tokens.use_account_token(db, row, "une phrase de passe", now=now)
    assert tokens.has_password(user)
    assert "déjà servi" in tokens.find_account_token(db, token, now=now)[1]
    assert tokens.find_account_token(db, "nimporte-quoi", now=now)[1] == "Ce lien n'est pas valide."


def test_new_link_ends_the_older_one(db):
    user = User(email="b@example.org", role="mrc", password_hash="x")
    db.add(user)
    db.flush()
    first = tokens.issue_account_token(db, user, "reset")
    second = tokens.issue_account_token(db, user, "reset")
    assert tokens.find_account_token(db, first)[0] is None
    assert tokens.find_account_token(db, second)[0] is not None
    row = tokens.find_account_token(db, second)[0]
    assert row.expires_at - row.created_at == dt.timedelta(hours=1)


def test_listing_link_is_signed_and_single_use(db):
    org = Organization(name="Organisme test")
    db.add(org)
    db.flush()
    row, token = tokens.new_listing_request(db, org.id)
    assert tokens.find_listing_request(db, token)[0].id == row.id
    assert "pas valide" in tokens.find_listing_request(db, token[:-3] + "abc")[1]
    assert "pas valide" in tokens.find_listing_request(db, row.id)[1]  # the bare id is not a link
    row.used_at = dt.datetime(2026, 11, 29)
    assert "déjà été confirmée" in tokens.find_listing_request(db, token)[1]
    old, old_token = tokens.new_listing_request(db, org.id, now=dt.datetime(2026, 1, 1))
    assert "expiré" in tokens.find_listing_request(db, old_token, now=dt.datetime(2026, 11, 29))[1]


def test_unanswered_reminders_start_over_after_an_answer(db):
    from web.admin.reminders import unanswered_reminders

    org = Organization(name="Org")
    db.add(org)
    db.flush()
    t0 = dt.datetime(2026, 6, 1)
    for days, used in ((0, None), (14, t0 + dt.timedelta(days=20)), (40, None), (54, None)):
        db.add(ListingRequest(organization_id=org.id, kind="reminder", created_at=t0 + dt.timedelta(days=days),
                              expires_at=t0 + dt.timedelta(days=days + 30), used_at=used))
    db.flush()
    assert [r.created_at for r in unanswered_reminders(db, org.id)] == [t0 + dt.timedelta(days=40),
                                                                        t0 + dt.timedelta(days=54)]


def test_totp_codes_and_attempts():
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret).now()
    assert totp_ok(secret, code)
    assert totp_ok(secret, f"{code[:3]} {code[3:]}")  # as the app shows it
    assert not totp_ok(secret, "12345")
    assert not totp_ok(None, code)
    clock = [0.0]
    attempts = CodeAttempts(limit=2, window=60, clock=lambda: clock[0])
    attempts.failure("u")
    attempts.failure("u")
    assert attempts.blocked("u")
    clock[0] = 61
    assert not attempts.blocked("u")


def test_remind_refuses_to_run_without_the_site_secret(monkeypatch, capsys):
    """Links signed with another key than the web server's would not open: say so in French."""
    from tests.support import set_env
    from web.admin.cli import main

    set_env(monkeypatch, PHARE_SECRET_KEY=None)
    assert main(["remind"]) == 2
    assert "PHARE_SECRET_KEY" in capsys.readouterr().err
    set_env(monkeypatch, PHARE_SECRET_KEY="x" * 32)
    assert main(["remind", "--months", "0"]) == 2
