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


# --- Version guard and action timeout -------------------------------------------------------------


def test_version_guard_refuses_another_rasa_in_french_and_english():
    rasa_patches.check_rasa_version("3.6.21")
    for other in ("3.6.20", "3.7.0", "3.6.21rc1"):
        with pytest.raises(rasa_patches.UnsupportedRasa) as refused:
            rasa_patches.check_rasa_version(other)
        assert "Phare exige Rasa 3.6.21" in str(refused.value)
        assert "Phare requires Rasa 3.6.21" in str(refused.value)
    rasa_patches.check_rasa_version()  # the installed one


@pytest.mark.timeout(20)
def test_hung_action_server_times_out(monkeypatch):
    """A server that accepts the connection and never answers: the action call fails within the bound."""
    import asyncio
    import socket
    import time

    import rasa.core.actions.action as action_module
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts (the kernel does), never reads nor answers
    port = listener.getsockname()[1]
    monkeypatch.setattr(action_module, "DEFAULT_REQUEST_TIMEOUT", action_module.DEFAULT_REQUEST_TIMEOUT)
    rasa_patches.bounded_action_calls(0.5)  # without it Rasa waits 300 s: the timeout marker fails the test
    action = RemoteAction("action_find_services", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    tracker = DialogueStateTracker("s", [])
    started = time.monotonic()
    # Rasa wraps the timeout in its own error classes; any error, quickly, is the point.
    with pytest.raises(Exception):  # noqa: B017
        asyncio.run(action.run(None, None, tracker, Domain.empty()))
    assert time.monotonic() - started < 3
    listener.close()
