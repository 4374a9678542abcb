"""At the default level every process writes JSON lines, and no message text or phone number."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# A word no log line could hold by chance, and a phone number written in the message.
MARKER = "Zorglubette"
NUMBER = "418 555-0199"


def log_lines(phare) -> dict[str, list[str]]:
    logs = Path(phare["env"]["_work"]) / "logs"
    return {path.stem: path.read_text(encoding="utf-8", errors="replace").splitlines() for path in logs.glob("*.log")}


def test_every_process_logs_json_without_message_text(phare, chat):
    conversation = chat()
    assert conversation.say(f"Bonjour, c'est {MARKER}, rappelez-moi au {NUMBER}")
    assert "Croc-Ensemble" in conversation.say("jai besoin de bouffe a trois-pistoles")
    time.sleep(0.5)  # let the processes flush their last lines

    lines = log_lines(phare)
    assert {"rasa", "actions", "web"} <= set(lines), sorted(lines)
    for process, process_lines in lines.items():
        records = []
        for number, line in enumerate(process_lines, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pytest.fail(f"{process}.log line {number} is not JSON: {line[:200]}")
        assert records, f"{process}.log is empty"
        for record in records:
            assert {"time", "level", "logger", "message"} <= set(record), record
            assert record["level"] != "DEBUG", record
        text = "\n".join(process_lines)
        assert MARKER.lower() not in text.lower(), f"message text in {process}.log"
        assert "555-0199" not in text and "5550199" not in text, f"phone number in {process}.log"
    # The Rasa process did log its start (so the JSON set-up is not simply silencing it).
    assert any("rasa" in json.loads(line)["logger"] for line in lines["rasa"] if line.strip())


def test_slash_texts_and_refused_bodies_leave_no_text_in_the_logs(phare, chat):
    """Rasa reads "/…" as an intent and logs unknown ones verbatim at WARNING; refused bodies are not echoed."""
    import httpx

    marker = "Slashounette"
    conversation = chat()
    for text in (f"/{marker}", f"/ {marker} a matane", f'/need_food_aid{{"lieu": "{marker}"}}',
                 f"/affirm@{marker}", f'/inform_place{{"place": {marker}}}', f"//{marker}"):
        assert conversation.say(text), text  # always an answer
    url = f"{phare['rasa']}/webhooks/rest/webhook"
    for body in (f'["{marker}"]', f'"{marker}"', f'{{"sender": "sms-{marker}", "message": "{marker}"}}',
                 f'{{"sender": 5, "message": "{marker}"}}', f'{{"message": "{marker}"'):
        response = httpx.post(url, content=body.encode(), headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, body
        assert "Requête invalide" in response.json()["message"]
    time.sleep(0.5)
    for process, process_lines in log_lines(phare).items():
        for line in process_lines:
            assert marker.lower() not in line.lower(), f"{process}.log: {line[:300]}"
