"""TOTP secrets are encrypted at rest: the column never holds the secret; a missing or wrong key is said in French."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import text

from directory import secret_box
from directory.db import open_session
from directory.models import User
from tests.support import ROOT, set_env
from web.admin.auth import hash_password
from web.admin.invitations import totp_ok

KEY = "une-clé-de-test-assez-longue-pour-phare-0123"


@pytest.fixture()
def key(monkeypatch):
    set_env(monkeypatch, PHARE_TOTP_KEY=KEY)


def add_admin(engine, secret: str) -> str:
    with open_session(engine) as s:
        user = User(email="deux@example.org", name="Deux", role="admin", password_hash=hash_password("x" * 12),
                    totp_secret=secret)
        s.add(user)
        s.commit()
        return user.id


def raw_column(engine) -> str:
    with engine.connect() as connection:
        return connection.execute(text("SELECT totp_secret_encrypted FROM app_user")).scalar()


def test_the_column_holds_a_token_and_the_code_reads_the_secret(engine, key):
    secret = pyotp.random_base32()
    user_id = add_admin(engine, secret)
    raw = raw_column(engine)
    assert secret not in raw and raw.startswith("gAAAAA") and not secret_box.is_plain(raw)
    with open_session(engine) as s:
        stored = s.get(User, user_id).totp_secret
    assert stored == secret and totp_ok(stored, pyotp.TOTP(secret).now())
    assert secret.encode() not in Path(engine.url.database).read_bytes()


def test_same_secret_never_gives_the_same_token(key):
    assert secret_box.encrypt("JBSWY3DPEHPK3PXP") != secret_box.encrypt("JBSWY3DPEHPK3PXP")


def test_missing_short_or_wrong_key_is_said_in_french(monkeypatch):
    set_env(monkeypatch, PHARE_TOTP_KEY=KEY)
    token = secret_box.encrypt("JBSWY3DPEHPK3PXP")
    set_env(monkeypatch, PHARE_TOTP_KEY="une-autre-clé-tout-aussi-longue-0123456789")
    with pytest.raises(secret_box.SecretKeyError, match="ne correspond pas"):
        secret_box.decrypt(token)
    set_env(monkeypatch, PHARE_TOTP_KEY="courte")
    with pytest.raises(secret_box.SecretKeyError, match="trop court"):
        secret_box.encrypt("JBSWY3DPEHPK3PXP")
    assert not secret_box.available()
    set_env(monkeypatch, PHARE_TOTP_KEY=None)
    with pytest.raises(secret_box.SecretKeyError, match="n'est pas défini"):
        secret_box.decrypt(token)


def test_start_up_check(engine, monkeypatch, key):
    secret_box.check_stored(engine)  # nothing stored: fine
    set_env(monkeypatch, PHARE_TOTP_KEY=None)
    secret_box.check_stored(engine)  # no key and nothing stored: fine (dev)
    set_env(monkeypatch, PHARE_TOTP_KEY=KEY)
    add_admin(engine, pyotp.random_base32())
    secret_box.check_stored(engine)
    set_env(monkeypatch, PHARE_TOTP_KEY="une-autre-clé-tout-aussi-longue-0123456789")
    with pytest.raises(secret_box.SecretKeyError, match="ne correspond pas"):
        secret_box.check_stored(engine)


def test_web_server_refuses_to_start_without_the_key(engine, monkeypatch, key, tmp_path):
    add_admin(engine, pyotp.random_base32())
    env = {k: v for k, v in os.environ.items() if k != secret_box.KEY_VARIABLE}
    env.update(PHARE_DATABASE_URL=str(engine.url), PHARE_VAR_DIR=str(tmp_path), PHARE_SECRET_KEY="s" * 40)
    done = subprocess.run([sys.executable, "-m", "web", "--port", "1"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "PHARE_TOTP_KEY n'est pas défini" in done.stderr and "Traceback" not in done.stderr
