"""Loi 25: no phone number in the tracker store or the logs after SMS conversations.

Runs after the other SMS tests of the session (file order), so it also checks
every number they used; it has its own conversation so it means something alone.
"""
from __future__ import annotations

import pytest

from .conftest import USED_NUMBERS, logs_dump, number_forms, tracker_dump

pytestmark = pytest.mark.e2e

TWILIO_NUMBER = "+14185550177"


def test_no_phone_number_in_tracker_store_or_logs(sms, phare):
    phone = sms(to=TWILIO_NUMBER)
    for text in ("Bonjour", "j'ai pu rien a manger", "Trois-Pistoles", "PLUS", "RECOMMENCER", "aide", "2", ""):
        assert phone.send(text).status == 200
    numbers = set(USED_NUMBERS) | {phone.number, TWILIO_NUMBER}
    tracker = tracker_dump(phare["env"])
    logs = logs_dump(phare["env"])
    assert "sms-" in tracker  # SMS conversations are there, under hashed ids
    for number in sorted(numbers):
        for form in number_forms(number):
            assert form not in tracker, f"{form} found in the tracker store"
            assert form not in logs, f"{form} found in the logs"
