"""Phare's check of action server answers accepts and rejects exactly what Rasa's does."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "place", "value": "Matane", "timestamp": None}],
     "responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "text"},
]


@pytest.fixture(scope="module")
def patched():
    original = RemoteAction._validate_action_result
    rasa_patches.compiled_action_validation()
    rasa_patches.compiled_action_validation()  # applying twice keeps Rasa's own code underneath
    yield RemoteAction("action_find_services", EndpointConfig("http://127.0.0.1:1/webhook"))
    RemoteAction._validate_action_result = original


def test_same_verdicts_as_rasa(patched):
    rasa_own = patched._validate_action_result.rasa_validation
    assert getattr(rasa_own, "rasa_validation", None) is None
    for answer in VALID:
        assert patched._validate_action_result(answer) is True
        assert rasa_own(patched, answer) is True
    for answer in INVALID:
        with pytest.raises(ValidationError) as ours:
            patched._validate_action_result(answer)
        with pytest.raises(ValidationError) as theirs:
            rasa_own(patched, answer)
        assert "Failed to validate Action server response" in ours.value.message
        assert ours.value.message == theirs.value.message
