"""Structured logs mask anything that looks like a phone number."""
import json
import logging

from bot.logging_setup import JsonFormatter


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("phare", logging.INFO, __file__, 1, message, (), None)


def test_json_line_without_phone_numbers():
    for number in ("+14185550123", "418 555-0123", "(418) 555-0123", "4185550123", "1-418-555-0123"):
        line = JsonFormatter().format(record(f"turn from {number} done"))
        data = json.loads(line)
        assert "555" not in data["message"], line
        assert data["level"] == "INFO" and data["logger"] == "phare"


def test_ordinary_numbers_are_kept():
    data = json.loads(JsonFormatter().format(record("3 results in 12 ms, 211 suggested")))
    assert data["message"] == "3 results in 12 ms, 211 suggested"
