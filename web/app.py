"""Phare's web server: web chat widget and demo pages, staff admin, open-data API.

One Sanic app; each part is a blueprint in its own module.
`python -m web --port 8000` (web/__main__.py).

Behind nginx (deploy/nginx/phare.conf) every request comes from 127.0.0.1.
PHARE_PROXIES_COUNT=1 tells Sanic to trust exactly one proxy: the client's
address is then the last entry of X-Forwarded-For (which nginx sets to
$remote_addr), and the scheme comes from X-Forwarded-Proto. Leave it at 0
when nothing stands in front (make run): a client could otherwise forge its
address. The admin's login throttle keys on that address.

Strict-Transport-Security is sent on every answer to a request that came
over HTTPS (directly, or as nginx reports it), never over plain HTTP.
"""
from __future__ import annotations

import argparse
import logging
import sys

from sanic import Sanic, response
from sanic.exceptions import NotFound

from bot import db_health
from bot.logging_setup import configure_logging
from directory import secret_box
from directory.db import create_schema, get_engine
from phare.settings import SettingError, settings
from web import api
from web.admin import auth as admin_auth
from web.admin import routes as admin_routes
from web.webchat import routes as webchat_routes

logger = logging.getLogger(__name__)

HSTS = "max-age=31536000; includeSubDomains"

# Each part of the site is a blueprint (or a list of them) of its own module.
BLUEPRINTS = (webchat_routes.blueprint, admin_routes.blueprint, api.blueprint)


NOT_FOUND_PAGE = """<!doctype html>
<html lang="fr-CA"><head><meta charset="utf-8"><title>Page introuvable — Phare</title></head>
<body><main><h1>Page introuvable</h1>
<p>Cette page n'existe pas. <a href="/">Retour à l'accueil de Phare</a>.</p>
<p>Besoin d'aide tout de suite? Composez le 211 (gratuit et confidentiel). En cas d'urgence : 911.</p>
</main></body></html>"""


def create_app(name: str = "phare_web") -> Sanic:
    app = Sanic(name)
    app.config.FALLBACK_ERROR_FORMAT = "html"
    app.config.REQUEST_MAX_SIZE = 5_000_000
    app.config.PROXIES_COUNT = settings().proxies_count
    app.config.REAL_IP_HEADER = None  # only X-Forwarded-For, counted from the right

    @app.on_response
    async def strict_transport(request, response_):
        if request.scheme in ("https", "wss"):
            response_.headers.setdefault("Strict-Transport-Security", HSTS)

    @app.get("/health")
    async def health(_request):
        status, body = await db_health.database_readiness(get_engine(), "service", "du répertoire")
        return response.json(body, status=status, ensure_ascii=False)

    @app.exception(NotFound)
    async def not_found(request, _exception):
        if request.path.startswith("/api/"):
            return response.json({"error": "Ressource introuvable."}, status=404)
        return response.html(NOT_FOUND_PAGE, status=404)

    for blueprints in BLUEPRINTS:
        for blueprint in blueprints if isinstance(blueprints, (list, tuple)) else [blueprints]:
            app.blueprint(blueprint)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web")
    try:
        parser.add_argument("--host", default=settings().bind)
        parser.add_argument("--port", type=int, default=settings().web_port)
        args = parser.parse_args(argv)
        app = create_app()
        admin_auth.login_throttle()
    except SettingError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        create_schema(get_engine())
        secret_box.check_stored(get_engine())  # TOTP secrets readable with PHARE_TOTP_KEY, else a French message
    except secret_box.SecretKeyError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging()
    app.run(host=args.host, port=args.port, access_log=False, workers=1)
    return 0
