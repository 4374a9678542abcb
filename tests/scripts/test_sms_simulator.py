"""The SMS simulator (`make sms`) takes its defaults from Phare's settings, as the server reads them."""
from __future__ import annotations

import importlib.util

from twilio.request_validator import RequestValidator

from tests.support import ROOT, free_port, set_env

_spec = importlib.util.spec_from_file_location("sms_simulator", ROOT / "scripts" / "sms_simulator.py")
simulator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(simulator)


def test_defaults_come_from_the_settings(monkeypatch, capsys):
    port = free_port()  # nothing listens there: the simulator says where it knocked
    set_env(monkeypatch, PHARE_RASA_URL=None, PHARE_RASA_PORT=str(port))
    assert simulator.main(["-m", "allo"]) == 2
    assert f"http://127.0.0.1:{port}" in capsys.readouterr().out


def test_a_bad_setting_is_said_in_french(monkeypatch, capsys):
    set_env(monkeypatch, PHARE_RASA_PORT="cinq")
    assert simulator.main(["-m", "allo"]) == 2
    assert "PHARE_RASA_PORT" in capsys.readouterr().err


def test_signature_is_twilios():
    params = simulator.twilio_params("allo", "+14185550123")
    url = simulator.webhook_url("https://phare.exemple.org")
    assert RequestValidator("jeton").validate(url, params, simulator.sign("jeton", url, params))
