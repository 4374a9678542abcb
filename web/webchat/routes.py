"""Web chat routes: the widget files, the demo pages and the REST proxy to Rasa.

- GET  /                      index of the demo pages (one per MRC)
- GET  /demo/<mrc id>         a demo MRC website embedding the widget
- GET  /widget.js, /widget.css, /webchat/<file>   static files
- POST /webhooks/rest/webhook proxy to Rasa's REST channel (PHARE_RASA_URL)
- POST /webhooks/rest/forget  deletes one web conversation from the tracker store

The proxy lets `make run` and the tests serve everything from one origin; in
production nginx may route /webhooks/rest/webhook straight to Rasa, but
/webhooks/rest/forget must reach this server.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from jinja2 import Environment, FileSystemLoader
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from directory import categories, geography
from phare.settings import settings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

MAX_MESSAGE_CHARS = 2000  # same limit as bot.channels.rest

# Pages: nothing inline, nothing from elsewhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
# widget.js and widget.css are loaded by other sites (the MRC websites).
ASSET_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "public, max-age=300",
}
# The chat endpoints answer any site: no cookies, no credentials.
API_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
PREFLIGHT_HEADERS = {
    **API_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}

# Sender ids are random UUIDs made by the widget: only those can be proxied or forgotten
# (so nobody can write into, or erase, an SMS conversation through the web).
SENDER_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SLUG_RE = re.compile(r"^[a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class DemoSite:
    """An MRC and the widget preset of its demo page."""

    id: str
    name: str
    accent: str
    position: str = "right"
    greeting: str | None = None

    @property
    def display(self) -> str:
        """"MRC de La Mitis", "MRC des Basques"."""
        if self.name.startswith("Les "):
            return f"MRC des {self.name[4:]}"
        return f"MRC de {self.name}"


# Ids, names and accent colours (at least 4.5:1 with white text) come from the
# geography data (directory.geography); only the demo-page presets live here.
_DEMO_PRESETS: dict[str, dict[str, str]] = {
    "les-basques": {
        "greeting": "Bonjour! Ici Phare, pour les gens des Basques et de tout le Bas-Saint-Laurent. "
                    "Que cherchez-vous aujourd'hui? Demander de l'aide, c'est normal.",
    },
    "temiscouata": {"position": "left"},
    "kamouraska": {"position": "left"},
}
DEMO_SITES = tuple(
    DemoSite(mrc.id, mrc.name, mrc.accent, **_DEMO_PRESETS.get(mrc.id, {})) for mrc in geography.mrcs()
)
SITES_BY_ID = {site.id: site for site in DEMO_SITES}

DEMO_SUBPAGES = {"accueil": "Accueil", "services": "Services aux citoyens"}

WIDGET_STARTERS = 3  # buttons under the widget's greeting
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
    "phare.svg": "image/svg+xml",
}

blueprint = Blueprint("webchat")

_templates = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, trim_blocks=True,
                         lstrip_blocks=True)


def render(template: str, status: int = 200, **context: Any):
    body = _templates.get_template(template).render(**context)
    return response.html(body, status=status, headers=dict(PAGE_HEADERS))


def origin(request: Request) -> str:
    return f"{request.scheme}://{request.host}"


def rasa_url() -> str:
    return settings().rasa_url


def rasa_timeout() -> float:
    return settings().rasa_timeout


def api_json(body: Any, status: int = 200):
    return response.json(body, status=status, headers=dict(API_HEADERS), ensure_ascii=False)


def api_error(status: int, code: str, message: str):
    return api_json({"error": code, "message": message}, status=status)


def read_body(request: Request) -> dict | None:
    try:
        body = request.json
    except (InvalidUsage, ValueError):
        return None
    return body if isinstance(body, dict) else None


def valid_sender(value: Any) -> str | None:
    if isinstance(value, str) and SENDER_RE.match(value.lower()):
        return value.lower()
    return None


# --- Pages -----------------------------------------------------------------


@blueprint.get("/")
async def webchat_index(request: Request):
    return render("index.html", sites=DEMO_SITES, origin=origin(request))


@blueprint.get("/demo/<mrc_id>")
async def webchat_demo(request: Request, mrc_id: str):
    site = SITES_BY_ID.get(mrc_id)
    if site is None:
        return render("404.html", status=404, sites=DEMO_SITES)
    page = request.args.get("page", "accueil")
    if page not in DEMO_SUBPAGES:
        page = "accueil"
    return render("demo.html", site=site, page=page, subpages=DEMO_SUBPAGES, sites=DEMO_SITES,
                  origin=origin(request))


# --- Static files ----------------------------------------------------------


@lru_cache(maxsize=1)
def widget_script() -> str:
    """widget.js with the MRC names and the first needs of the menu, from their one place in the data."""
    starters = [[c.menu_label, f"/{c.intent}"] for c in categories.menu()[:WIDGET_STARTERS]]
    return ((STATIC_DIR / "widget.js").read_text(encoding="utf-8")
            .replace("{/*phare:mrc-display*/}", json.dumps({m.id: m.display for m in geography.mrcs()}, ensure_ascii=False))
            .replace("[/*phare:starters*/]", json.dumps(starters, ensure_ascii=False)))


async def _static(name: str):
    headers = dict(ASSET_HEADERS) if name.startswith("widget.") else {
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=300"}
    if name == "widget.js":
        return response.text(widget_script(), content_type=STATIC_FILES[name], headers=headers)
    return await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name], headers=headers)


@blueprint.get("/widget.js")
async def webchat_widget_js(_request: Request):
    return await _static("widget.js")


@blueprint.get("/widget.css")
async def webchat_widget_css(_request: Request):
    return await _static("widget.css")


@blueprint.get("/webchat/<name>")
async def webchat_static(_request: Request, name: str):
    if name not in STATIC_FILES:
        return render("404.html", status=404, sites=DEMO_SITES)
    return await _static(name)


# --- Chat: proxy to Rasa ---------------------------------------------------

_client: httpx.AsyncClient | None = None


def _http_client() -> httpx.AsyncClient:
    global _client
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=httpx.Timeout(rasa_timeout(), connect=3.0))
    return _client


@blueprint.listener("after_server_stop")
async def _close_client(_app, _loop):
    global _client
    if _client is not None:
        await _client.aclose()
        _client = None


@blueprint.route("/webhooks/rest/webhook", methods=["OPTIONS"])
async def webchat_webhook_preflight(_request: Request):
    return response.empty(status=204, headers=dict(PREFLIGHT_HEADERS))


@blueprint.route("/webhooks/rest/forget", methods=["OPTIONS"])
async def webchat_forget_preflight(_request: Request):
    return response.empty(status=204, headers=dict(PREFLIGHT_HEADERS))


@blueprint.post("/webhooks/rest/webhook")
async def webchat_webhook(request: Request):
    body = read_body(request)
    if body is None:
        return api_error(400, "bad_request", "Requête invalide.")
    sender = valid_sender(body.get("sender"))
    message = body.get("message")
    if sender is None or not isinstance(message, str):
        return api_error(400, "bad_request", "Requête invalide.")
    metadata: dict[str, str] = {"channel": "web"}
    raw_metadata = body.get("metadata")
    if isinstance(raw_metadata, dict):
        mrc = raw_metadata.get("mrc")
        if isinstance(mrc, str) and SLUG_RE.match(mrc):
            metadata["mrc"] = mrc
    payload = {"sender": sender, "message": message[:MAX_MESSAGE_CHARS], "metadata": metadata}
    try:
        answer = await _http_client().post(f"{rasa_url()}/webhooks/rest/webhook", json=payload)
    except httpx.TimeoutException:
        logger.warning("Rasa did not answer within %.0f s", rasa_timeout())
        return api_error(504, "rasa_timeout", "Phare met trop de temps à répondre. Composez le 211 (gratuit).")
    except httpx.HTTPError as exc:
        logger.warning("Rasa unreachable at %s: %s", rasa_url(), exc.__class__.__name__)
        return api_error(502, "rasa_unavailable", "Phare ne répond pas pour le moment. Composez le 211 (gratuit).")
    if answer.status_code != 200:
        logger.warning("Rasa answered HTTP %s", answer.status_code)
        return api_error(502, "rasa_error", "Phare ne répond pas pour le moment. Composez le 211 (gratuit).")
    try:
        messages = answer.json()
    except ValueError:
        return api_error(502, "rasa_error", "Phare ne répond pas pour le moment. Composez le 211 (gratuit).")
    if not isinstance(messages, list):
        return api_error(502, "rasa_error", "Phare ne répond pas pour le moment. Composez le 211 (gratuit).")
    return api_json(messages)


# --- Chat: forget a conversation -------------------------------------------

_engines: dict[str, Any] = {}


def _tracker_engine():
    from sqlalchemy import create_engine

    from bot.stores import tracker_url  # imports Rasa: only when first needed

    url = tracker_url()
    if url not in _engines:
        _engines[url] = create_engine(url, future=True)
    return _engines[url]


def forget_conversation(sender: str) -> int:
    """Delete every tracker event of `sender`; returns how many were removed."""
    from sqlalchemy import MetaData, Table, delete, inspect

    engine = _tracker_engine()
    if not inspect(engine).has_table("events"):
        return 0
    events = Table("events", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        return connection.execute(delete(events).where(events.c.sender_id == sender)).rowcount or 0


@blueprint.post("/webhooks/rest/forget")
async def webchat_forget(request: Request):
    body = read_body(request)
    sender = valid_sender((body or {}).get("sender"))
    if sender is None:
        return api_error(400, "bad_request", "Requête invalide.")
    try:
        removed = await asyncio.get_running_loop().run_in_executor(None, forget_conversation, sender)
    except Exception:
        logger.exception("could not forget a web conversation")
        return api_error(500, "forget_failed", "La conversation n'a pas pu être effacée sur le serveur.")
    return api_json({"forgotten": True, "events": removed})
