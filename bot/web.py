"""Phare's web server: web chat widget and demo pages, staff admin, open-data API.

One Sanic app; each part is a blueprint in its own module, mounted when present.
`python -m bot.web --port 8000`.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os

from sanic import Sanic, response
from sqlalchemy import text

from directory.db import create_schema, get_engine

logger = logging.getLogger(__name__)

# module path -> attribute holding a Sanic Blueprint (or a list of them)
BLUEPRINTS = [
    ("bot.webchat.routes", "blueprint"),
    ("directory.admin.routes", "blueprint"),
    ("directory.api", "blueprint"),
]


def create_app(name: str = "phare_web") -> Sanic:
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.config.REQUEST_MAX_SIZE = 5_000_000

    @app.get("/health")
    async def health(_request):
        try:
            with get_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            logger.exception("health check: database unavailable")
            return response.json({"status": "error", "database": "unavailable"}, status=503)
        return response.json({"status": "ok", "database": "ok"})

    for module_name, attribute in BLUEPRINTS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not built (yet)
            raise
        blueprints = getattr(module, attribute)
        for blueprint in blueprints if isinstance(blueprints, (list, tuple)) else [blueprints]:
            app.blueprint(blueprint)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web")
    parser.add_argument("--host", default=os.environ.get("PHARE_BIND", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PHARE_WEB_PORT", 8000)))
    args = parser.parse_args(argv)
    create_schema(get_engine())
    app = create_app()
    app.run(host=args.host, port=args.port, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
