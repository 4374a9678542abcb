"""Phare's settings (phare/settings.py): typed, checked in French, read in one place, all documented."""
from __future__ import annotations

import re

import pytest

from phare.settings import PROJECT_ROOT, SettingError, Settings, settings, variable_names
from tests.support import ROOT


def documented_variables() -> set[str]:
    """Names in the first column of every README table whose first header is "Variable"."""
    names: set[str] = set()
    in_table = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        first = line.split("|")[1].strip()
        if first == "Variable":
            in_table = True
        elif in_table:
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first))
    return names


def test_every_variable_read_is_in_the_readme():
    read = variable_names()
    assert len(read) >= 35 and "PHARE_DATABASE_URL" in read and "TWILIO_AUTH_TOKEN" in read
    missing = read - documented_variables()
    assert not missing, f"add to the README's configuration tables: {sorted(missing)}"


def test_the_readme_documents_nothing_phare_ignores():
    # RASA_TELEMETRY_ENABLED is Rasa's, set by the Makefile and the launcher.
    assert documented_variables() - variable_names() <= {"RASA_TELEMETRY_ENABLED"}


def test_no_module_reads_the_environment_itself():
    """Every PHARE_ variable goes through Settings: one place for its name, default and check; scripts too."""
    pattern = re.compile(r"""(?:environ\[|environ\.get\(|environ\.setdefault\(|getenv\()\s*["'](?:PHARE_|TWILIO_|SANIC_)""")
    readers = [str(path.relative_to(ROOT)) for folder in ("bot", "actions", "directory", "web", "phare", "scripts")
               for path in (ROOT / folder).rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert readers == []


def test_defaults():
    config = Settings.from_env({})
    assert config.var_dir == PROJECT_ROOT / "var"
    assert config.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'phare.db'}"
    assert config.tracker_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    assert (config.rasa_port, config.actions_port, config.web_port) == (5005, 5055, 8000)
    assert (config.bind, config.actions_bind, config.lock_prefix) == ("127.0.0.1", "127.0.0.1", "phare")
    assert (config.turn_timeout, config.action_timeout, config.retention_days) == (8, 5, 90)
    assert config.redis_url is None and config.secret_key is None and not config.cookie_secure
    assert config.sms_validate is None and config.log_format == "json" and config.log_level == "INFO"
    assert config.rasa_url == "http://127.0.0.1:5005"
    assert Settings.from_env({"PHARE_RASA_PORT": "6005"}).rasa_url == "http://127.0.0.1:6005"  # follows Rasa's port
    assert Settings.from_env({"PHARE_RASA_PORT": "6005", "PHARE_RASA_URL": "http://rasa:5005/"}).rasa_url == "http://rasa:5005"


def test_derived_and_cleaned_values(tmp_path):
    config = Settings.from_env({"PHARE_VAR_DIR": str(tmp_path), "PHARE_REDIS_URL": "  ",
                                "PHARE_PUBLIC_URL": " https://phare.exemple.org/ ", "PHARE_COOKIE_SECURE": "Oui",
                                "PHARE_SMS_VALIDATE": "non", "LOG_LEVEL": "warning", "PHARE_TURN_TIMEOUT": "2,5"})
    assert config.database_url == f"sqlite:///{tmp_path / 'phare.db'}"
    assert config.tracker_url == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert config.redis_url is None  # blank is absent
    assert config.public_url == "https://phare.exemple.org" and config.cookie_secure
    assert config.sms_validate is False and config.log_level == "WARNING" and config.turn_timeout == 2.5
    # Conversations follow the directory's database unless they have their own.
    shared = Settings.from_env({"PHARE_DATABASE_URL": "postgresql://db/phare"})
    assert shared.tracker_url == "postgresql://db/phare"
    apart = Settings.from_env({"PHARE_DATABASE_URL": "postgresql://db/phare", "PHARE_TRACKER_URL": "sqlite:///t.db"})
    assert apart.tracker_url == "sqlite:///t.db"
    assert Settings.from_env({"PHARE_LOG_LEVEL": "debug", "LOG_LEVEL": "ERROR"}).log_level == "DEBUG"


@pytest.mark.parametrize("name, bad, expected", [
    ("PHARE_RETENTION_DAYS", "abc", "un nombre entier entre 1 et 36500 (défaut : 90)"),
    ("PHARE_TURN_TIMEOUT", "0", "un nombre entre 0.1 et 300"),
    ("PHARE_TURN_TIMEOUT", "1e9", "un nombre entre 0.1 et 300"),
    ("PHARE_ACTION_TIMEOUT", "-1", "un nombre entre 0.1 et 300"),
    ("PHARE_ACTION_TIMEOUT", "nan", "un nombre entre 0.1 et 300"),
    ("PHARE_WEB_PORT", "80000", "un nombre entier entre 1 et 65535"),
    ("PHARE_RASA_TIMEOUT", "vite", "un nombre entre 1 et 600"),
    ("PHARE_SMS_TIMEOUT", "abc", "un nombre (défaut : 10.0)"),
    ("SANIC_WORKERS", "deux", "un nombre entier entre 1 et 64"),
])
def test_numbers_are_refused_in_french(name, bad, expected):
    with pytest.raises(SettingError) as refused:
        Settings.from_env({name: bad})
    assert str(refused.value).startswith(f"{name}={bad!r} n'est pas valide : indiquez {expected}")


def test_read_once_per_process(monkeypatch):
    monkeypatch.setenv("PHARE_LOCK_PREFIX", "avant")
    first = settings()
    monkeypatch.setenv("PHARE_LOCK_PREFIX", "apres")
    assert settings() is first and first.lock_prefix == "avant"
    settings.cache_clear()
    assert settings().lock_prefix == "apres"


@pytest.mark.parametrize("command", [["web"], ["bot.action_server"], ["bot", "purge"], ["directory", "seed"]])
def test_every_entry_point_refuses_a_bad_number_in_french(command, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PHARE_TURN_TIMEOUT": "vite", "PHARE_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "PHARE_TURN_TIMEOUT='vite' n'est pas valide : indiquez un nombre entre 0.1 et 300" in done.stderr
    assert "Traceback" not in done.stderr
