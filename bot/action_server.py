"""The action server: rasa_sdk's own app, plus a readiness check of the directory database.

GET /ready: 200 when the directory can be read and written (the need log is
written at each search), else 503 with the French reason (bot.db_health).

`python -m bot.action_server --port 5055`. Binds to 127.0.0.1 unless
PHARE_ACTIONS_BIND says otherwise: only Rasa talks to it.
"""
from __future__ import annotations

if __name__ == "__main__":
    # Before the imports below, so that their import-time warnings are JSON lines too.
    from bot.logging_setup import configure_logging as _configure_early

    _configure_early()

import argparse
import logging
import sys

from rasa_sdk.endpoint import create_app
from sanic import response

from directory.db import get_engine
from phare.settings import SettingError, settings

from . import db_health
from .logging_setup import configure_logging

logger = logging.getLogger(__name__)


def build_app():
    app = create_app("actions", cors_origins=None)

    @app.get("/ready")
    async def ready(_request):
        status, body = await db_health.database_readiness(get_engine(), "need_log", "du répertoire")
        return response.json(body, status=status, ensure_ascii=False)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server")
    try:
        config = settings()
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    parser.add_argument("--port", type=int, default=config.actions_port)
    parser.add_argument("--host", default=config.actions_bind)
    args = parser.parse_args(argv)
    configure_logging()
    build_app().run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
