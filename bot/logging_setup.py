"""Structured (JSON-lines) logs that never carry a message text or a phone number.

At the default level (INFO) Rasa and Sanic log no message contents; this
module sets that level, formats records as one JSON object per line, and
masks anything that looks like a phone number as a last line of defence.
"""
from __future__ import annotations

import json
import logging
import re
import time

from phare.settings import SettingError, settings

PHONE = re.compile(r"\+?1?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = PHONE.sub("[numéro masqué]", record.getMessage())
        data = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        if record.exc_info:
            data["exception"] = PHONE.sub("[numéro masqué]", self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str | int | None = None) -> None:
    """JSON lines on stderr for every logger, Sanic's and Rasa's included.

    Call it after the Sanic app exists: Sanic's own logging set-up, run when
    an app is created, gives its loggers handlers of their own.
    """
    if isinstance(level, int):
        level = logging.getLevelName(level)
    try:
        config = settings()
        level, json_lines = (level or config.log_level).upper(), config.log_format == "json"
    except SettingError:
        # Logging is set up before the entry point reads its settings; it says what is wrong, in French.
        level, json_lines = (level or "INFO").upper(), True
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Python warnings become JSON records too, not bare lines on stderr.
    logging.captureWarnings(True)
    root.setLevel(level)
    for name in ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "sanic.websockets"):
        sanic_logger = logging.getLogger(name)
        sanic_logger.handlers[:] = []
        sanic_logger.propagate = True
    for noisy in ("sanic.access", "urllib3", "matplotlib", "tensorflow", "absl", "apscheduler", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
