"""Open-data API: Phare's directory as HSDS 3.0, read only, no login (Sanic routes).

GET /api/                          HSDS root: version, profile, openapi_url
GET /api/services[/{id}]           services (list: one-to-one fields; detail: fully nested)
GET /api/organizations[/{id}]      organisations that publish at least one service
GET /api/service_at_locations[/{id}]
GET /api/taxonomies[/{id}]         Phare's one taxonomy, "phare-categories"
GET /api/taxonomy_terms[/{id}]     its terms: the resident-facing categories
GET /api/profile                   what Phare's profile adds to HSDS 3.0 (French page)
GET /api/openapi.json              the HSDS 3.0 OpenAPI description, filled in for Phare
GET /api/datapackage.zip           the whole directory as an HSDS tabular data package

Only services that are active or temporarily closed are published. Parameters
are checked by `directory.hsds.params` (unknown or malformed → 400 in
French); filtering and paging happen in SQL (`directory.hsds.query`). Every
answer has an ETag (hash of the body) and Last-Modified (the newest change
of a published service) and answers 304 to a matching conditional request.
Database work runs in a worker thread, off the event loop.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import json
import math
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sanic import Blueprint, response

from directory.db import open_session
from directory.hsds import ids, package, query, schemas, serialize
from directory.hsds.params import ParamError, Params, parse
from directory.models import TIMEZONE, Category, Organization
from directory.text import fold

blueprint = Blueprint("phare_api", url_prefix="/api")

HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}
PROFILE_PATH = "/api/profile"


class NotFound(LookupError):
    pass


def _args(request) -> dict[str, list[str]]:
    # Sanic's `args.get` gives the first value only; a repeated parameter must be seen.
    return {name: request.args.getlist(name) for name in request.args}


def _error(status: int, message: str):
    return response.json({"error": {"status": status, "message": message}}, status=status, headers=HEADERS,
                         ensure_ascii=False)


def _http_date(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=True)


def _not_modified(request, etag: str, modified: dt.datetime | None) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        stored = modified.replace(tzinfo=dt.timezone.utc) if modified.tzinfo is None else modified
        return stored.replace(microsecond=0) <= when
    return False


def _answer(request, body: bytes, content_type: str, modified: dt.datetime | None):
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = dict(HEADERS, ETag=etag)
    last_modified = _http_date(modified)
    if last_modified is not None:
        headers["Last-Modified"] = last_modified
    if _not_modified(request, etag, modified):
        return response.empty(status=304, headers=headers)
    return response.raw(body, content_type=content_type, headers=headers)


def _json(request, body: Any, modified: dt.datetime | None):
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _answer(request, data, "application/json; charset=utf-8", modified)


def _page(items: list[dict], total: int, params: Params) -> dict:
    total_pages = math.ceil(total / params.per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": params.page,
        "size": len(items),
        "first_page": params.page == 1,
        "last_page": params.page >= total_pages,
        "empty": not items,
        "contents": items,
    }


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(TIMEZONE))


async def _serve(request, endpoint: str, work: Callable[[Any, Params], tuple[Any, Params]]):
    """Check the parameters, run `work(session, params)` in a thread, answer JSON or NDJSON."""
    try:
        params = parse(endpoint, _args(request))
    except ParamError as exc:
        return _error(400, str(exc))

    def run():
        with open_session() as session:
            return work(session, params), query.last_modified(session)

    try:
        (body, params), modified = await asyncio.to_thread(run)
    except query.UnknownPlace as exc:
        return _error(400, str(exc))
    except NotFound as exc:
        return _error(404, str(exc) or "Introuvable.")
    if params.ndjson and isinstance(body, dict) and "contents" in body:
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in body["contents"])
        return _answer(request, lines.encode("utf-8"), "application/x-ndjson; charset=utf-8", modified)
    return _json(request, body, modified)


# --- Services ----------------------------------------------------------------

def _services(session, params: Params):
    area = query.resolve_area(session, params)
    page = query.services_page(session, params, area, _now())
    if params.minimal:
        rows = {s.id: s for s in query.load_services(session, page.ids)}
        items = [serialize.clean({"id": i, "last_modified": serialize.iso_datetime(rows[i].last_modified)})
                 for i in page.ids if i in rows]
    else:
        today = _today()
        build = (lambda s: serialize.service_json(s, today)) if params.full else serialize.service_list_json
        items = [build(s) for s in query.load_services(session, page.ids)]
    return _page(items, page.total, params), params


@blueprint.get("/services")
async def list_services(request):
    return await _serve(request, "services", _services)


@blueprint.get("/services/<service_id:str>")
async def get_service(request, service_id: str):
    def work(session, params):
        found = query.load_services(session, [service_id])
        if not found or found[0].status not in query.PUBLISHED_STATUSES:
            raise NotFound("Service introuvable ou non publié.")
        return serialize.service_json(found[0], _today()), params
    return await _serve(request, "service", work)


# --- Service at locations ----------------------------------------------------

def _service_at_locations(session, params: Params):
    area = query.resolve_area(session, params)
    page = query.service_at_locations_page(session, params, area, _now())
    today = _today()
    items = [serialize.service_at_location_json(link, today, params.full) for link in query.load_links(session, page.ids)]
    return _page(items, page.total, params), params


@blueprint.get("/service_at_locations")
async def list_service_at_locations(request):
    return await _serve(request, "service_at_locations", _service_at_locations)


@blueprint.get("/service_at_locations/<link_id:str>")
async def get_service_at_location(request, link_id: str):
    def work(session, params):
        links = query.load_links(session, [link_id])
        if not links or links[0].service is None or links[0].service.status not in query.PUBLISHED_STATUSES:
            raise NotFound("Lieu de service introuvable ou non publié.")
        return serialize.service_at_location_json(links[0], _today(), full=True), params
    return await _serve(request, "service_at_location", work)


# --- Organizations -----------------------------------------------------------

def _organization_items(session, org_ids: list[str], params: Params) -> list[dict]:
    orgs = query.load_organizations(session, org_ids)
    if not (params.full or params.full_service):
        return [serialize.organization_list_json(o) for o in orgs]
    service_ids = query.published_service_ids(session, org_ids)
    today = _today()
    items = []
    for org in orgs:
        if params.full_service:
            services = [serialize.service_json(s, today) for s in query.load_services(session, service_ids[org.id])]
        else:
            services = [{"id": i, "name": n, "status": st} for i, n, st in
                        ((s.id, s.name, s.status) for s in query.load_services(session, service_ids[org.id]))]
        items.append(serialize.organization_json(org, services))
    return items


def _organizations(session, params: Params):
    page = query.organizations_page(session, params)
    return _page(_organization_items(session, page.ids, params), page.total, params), params


@blueprint.get("/organizations")
async def list_organizations(request):
    return await _serve(request, "organizations", _organizations)


@blueprint.get("/organizations/<org_id:str>")
async def get_organization(request, org_id: str):
    def work(session, params):
        if session.get(Organization, org_id) is None or not query.published_service_ids(session, [org_id])[org_id]:
            raise NotFound("Organisme introuvable ou sans service publié.")
        full = Params(full=True, full_service=params.full_service)
        return _organization_items(session, [org_id], full)[0], params
    return await _serve(request, "organization", work)


# --- Taxonomies and terms ----------------------------------------------------

def _slice(items: list[dict], params: Params) -> dict:
    chosen = items if params.ndjson else items[params.offset:params.offset + params.per_page]
    return _page(chosen, len(items), params)


def _taxonomies(session, params: Params):
    items = [serialize.taxonomy_json()]
    if params.search:
        words = fold(params.search).split()
        text = fold(f"{items[0]['name']} {items[0]['description']} {ids.TAXONOMY_SLUG}")
        items = [i for i in items if all(w in text for w in words)]
    return _slice(items, params), params


@blueprint.get("/taxonomies")
async def list_taxonomies(request):
    return await _serve(request, "taxonomies", _taxonomies)


@blueprint.get("/taxonomies/<taxonomy_id:str>")
async def get_taxonomy(request, taxonomy_id: str):
    def work(session, params):
        if taxonomy_id not in (ids.taxonomy_id(), ids.TAXONOMY_SLUG):
            raise NotFound("Taxonomie introuvable : Phare en publie une seule, « phare-categories ».")
        return serialize.taxonomy_json(), params
    return await _serve(request, "taxonomy", work)


def _taxonomy_terms(session, params: Params):
    terms = [serialize.taxonomy_term_json(c) for c in query.categories(session, params)]
    if params.taxonomy_id and params.taxonomy_id not in (ids.taxonomy_id(), ids.TAXONOMY_SLUG):
        terms = []
    if params.parent_id:
        terms = []  # Phare's categories are all top-level terms.
    return _slice(terms, params), params


@blueprint.get("/taxonomy_terms")
async def list_taxonomy_terms(request):
    return await _serve(request, "taxonomy_terms", _taxonomy_terms)


@blueprint.get("/taxonomy_terms/<term_id:str>")
async def get_taxonomy_term(request, term_id: str):
    def work(session, params):
        category_id = query.category_for_term(session, term_id)
        category = session.get(Category, category_id) if category_id else None
        if category is None or not category.resident_facing:
            raise NotFound("Terme de taxonomie introuvable.")
        return serialize.taxonomy_term_json(category), params
    return await _serve(request, "taxonomy_term", work)


# --- Root, profile, OpenAPI, data package -----------------------------------

def _base(request) -> str:
    return f"{request.scheme}://{request.host}"


@blueprint.get("/")
async def index(request):
    try:
        parse("root", _args(request))
    except ParamError as exc:
        return _error(400, str(exc))
    return _json(request, {
        "version": serialize.HSDS_VERSION,
        "profile": _base(request) + PROFILE_PATH,
        "openapi_url": _base(request) + "/api/openapi.json",
    }, None)


@blueprint.get("/profile")
async def profile(request):
    return response.html(PROFILE_HTML, headers=HEADERS)


@blueprint.get("/openapi.json")
async def openapi(request):
    return _json(request, openapi_document(_base(request)), None)


@blueprint.get("/datapackage.zip")
async def datapackage(request):
    def run():
        with open_session() as session:
            return package.export_bytes(session), query.last_modified(session)

    data, modified = await asyncio.to_thread(run)
    answer = _answer(request, data, "application/zip", modified)
    answer.headers["Content-Disposition"] = 'attachment; filename="phare-hsds-3.0.zip"'
    return answer


PHARE_PARAMETERS = [
    {"name": "mrc", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Identifiant d'une MRC (ex. la-mitis) : les services offerts dans cette MRC, "
                    "y compris ceux de toute la région."},
    {"name": "municipality", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Identifiant d'une municipalité (ex. mont-joli) : ses services, ceux de sa MRC et de toute la région."},
    {"name": "postal_code", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Code postal du Bas-Saint-Laurent (3 ou 6 caractères) : comme municipality ou mrc."},
    {"name": "open_now", "in": "query", "required": False, "schema": {"type": "boolean"},
     "description": "true : seulement les services ouverts en ce moment (selon leurs horaires connus)."},
]


def openapi_document(base: str = "") -> dict:
    """The HSDS 3.0 OpenAPI description, with Phare's title, server, profile parameters and 400 answers."""
    document = schemas.openapi()
    document["info"] = {
        "title": "Phare — données ouvertes des services du Bas-Saint-Laurent (HSDS 3.0)",
        "version": "3.0.0",
        "summary": "Répertoire des services communautaires des 8 MRC du Bas-Saint-Laurent.",
        "description": "Lecture seule, sans connexion. Profil : " + (base + PROFILE_PATH),
        "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.fr"},
    }
    document["servers"] = [{"url": (base or "") + "/api"}]
    error = {"description": "Paramètre inconnu ou invalide (message en français)",
             "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {
                 "type": "object", "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}}}}
    for path, item in document.get("paths", {}).items():
        operation = item.get("get")
        if not operation:
            continue
        operation.setdefault("responses", {})["400"] = error
        if path in ("/services", "/service_at_locations"):
            operation.setdefault("parameters", []).extend(PHARE_PARAMETERS)
    return document


PROFILE_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Profil HSDS 3.0 de Phare</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.5">
<h1>Profil HSDS 3.0 de Phare</h1>
<p>Phare publie le répertoire des services communautaires des 8 MRC du Bas-Saint-Laurent (Québec)
selon la norme Open Referral HSDS 3.0, sans ajout de champ. Ce profil précise comment lire les données.</p>
<ul>
<li><strong>Langue</strong> : les textes sont en français (code <code>fr</code>).</li>
<li><strong>Territoire</strong> : chaque <code>service_area</code> porte dans <code>extent</code>
(type <code>text</code>) le territoire desservi : <code>region:bas-saint-laurent</code>,
<code>mrc:&lt;identifiant&gt;</code> (ex. <code>mrc:la-mitis</code>) ou
<code>municipality:&lt;identifiant&gt;</code> (ex. <code>municipality:mont-joli</code>).</li>
<li><strong>Catégories</strong> : une seule taxonomie, <code>phare-categories</code>; chaque catégorie est un
<code>taxonomy_term</code> dont le <code>code</code> est l'identifiant (ex. <code>aide-alimentaire</code>),
relié aux services par des <code>attributes</code>. Les identifiants (UUID) sont stables d'une exportation à l'autre.</li>
<li><strong>Horaires</strong> : <code>timezone</code> est le décalage UTC (en heures) du fuseau
America/Toronto à la date de la réponse (−5 en hiver, −4 en été); « 24 h sur 24 » s'écrit tous les jours
de 00:00 à 23:59; les fermetures des jours fériés sont dans <code>notes</code>.</li>
<li><strong>Vérification</strong> : <code>assured_date</code> est la date où l'équipe a confirmé la fiche.</li>
</ul>
<h2>Filtres propres à Phare</h2>
<p>En plus des paramètres HSDS 3.0 (<code>search</code>, <code>taxonomy_term_id</code>, <code>taxonomy_id</code>,
<code>organization_id</code>, <code>modified_after</code>, <code>minimal</code>, <code>full</code>, <code>page</code>,
<code>per_page</code>, <code>format=ndjson</code>), <code>/services</code> et <code>/service_at_locations</code> acceptent
<code>mrc</code>, <code>municipality</code>, <code>postal_code</code> (ou <code>postcode</code>) et <code>open_now</code>.
Un paramètre inconnu ou invalide reçoit une erreur 400 avec un message clair. <code>proximity</code> n'est pas offert.</p>
<h2>Échange</h2>
<p><a href="/api/datapackage.zip">/api/datapackage.zip</a> : tout le répertoire publié en paquet de données
tabulaire HSDS 3.0 (fichiers CSV et <code>datapackage.json</code>).</p>
<p lang="en"><em>English:</em> Phare publishes the Bas-Saint-Laurent community-services directory as HSDS 3.0 with
no extra fields; texts are French; service areas use <code>extent</code> as described above; one taxonomy,
<code>phare-categories</code>; extra filters <code>mrc</code>, <code>municipality</code>, <code>postal_code</code>,
<code>open_now</code>.</p>
<p><small>Human Services Data Specification : une ressource d'Open Referral (https://openreferral.org/), CC BY-SA 4.0.</small></p>
</body></html>
"""

__all__ = ["blueprint", "openapi_document"]
