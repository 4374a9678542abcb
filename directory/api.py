"""Open-data API of the directory: read only, no login, Open Referral HSDS 3.0 field names.

GET /api/services           page of services (HSDS 3.0 Page object)
GET /api/services/{id}      one service, fully expanded
GET /api/openapi.json       OpenAPI 3 description of the above

Only services that are active or temporarily closed are published. Filters:
search (words in the name, description or organisation), mrc (id: the
services offered in that MRC, region-wide ones included), category (id),
page (from 1), per_page (1 to 100, 25 by default).
"""
from __future__ import annotations

import datetime as dt
import math

from sanic import Blueprint, response
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from .db import open_session
from .formatting import mrc_display
from .models import (
    TIMEZONE,
    Municipality,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    service_category,
)
from .text import fold

PUBLISHED_STATUSES = ("active", "temporarily closed")
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
TAXONOMY = "phare-categories"

blueprint = Blueprint("phare_api", url_prefix="/api")

HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}


def _json(body, status: int = 200):
    return response.json(body, status=status, headers=HEADERS, ensure_ascii=False)


def _error(status: int, message: str):
    return _json({"error": {"status": status, "message": message}}, status)


def _iso(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value.isoformat()


def _area_name(area: ServiceArea) -> str:
    if area.scope == "region":
        return "Bas-Saint-Laurent"
    if area.scope == "mrc":
        return mrc_display(area.mrc.name) if area.mrc else area.mrc_id
    return area.municipality.name if area.municipality else area.municipality_id


def organization_json(org: Organization) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "alternate_name": org.alternate_name,
        "description": org.description or "",
        "email": org.email,
        "website": org.website,
    }


def service_json(service: Service) -> dict:
    """One service in HSDS 3.0 field names."""
    org = service.organization
    return {
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description or "",
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "eligibility_description": service.eligibility_description,
        "fees_description": service.fees_description,
        "application_process": service.application_process,
        "assured_date": _iso(service.assured_date),
        "last_modified": _iso(service.last_modified),
        "organization": organization_json(org) if org else None,
        "phones": [
            {
                "id": p.id,
                "service_id": service.id,
                "organization_id": p.organization_id,
                "number": p.number,
                "extension": p.extension,
                "type": p.type or "voice",
                "description": p.description,
                "languages": [{"name": "français", "code": "fr"}],
            }
            for p in service.phones
        ],
        "schedules": [
            {
                "id": s.id,
                "service_id": service.id,
                "freq": s.freq,
                "interval": s.interval,
                "byday": s.byday,
                "bymonthday": s.bymonthday,
                "opens_at": _iso(s.opens_at),
                "closes_at": _iso(s.closes_at),
                "valid_from": _iso(s.valid_from),
                "valid_to": _iso(s.valid_to),
                "dtstart": _iso(s.dtstart),
                "timezone": s.timezone or TIMEZONE,
                "description": s.description or _schedule_note(s),
                "notes": "Fermé les jours fériés du Québec." if s.closed_on_holidays else None,
            }
            for s in service.schedules
        ],
        "service_areas": [
            {
                "id": a.id,
                "service_id": service.id,
                "name": _area_name(a),
                "description": a.description,
                "extent_type": None,
                "extent": None,
                "uri": None,
            }
            for a in service.service_areas
        ],
        "service_at_locations": [
            {
                "id": link.id,
                "service_id": service.id,
                "location_id": link.location_id,
                "location": _location_json(link.location) if link.location else None,
            }
            for link in service.locations
        ],
        "attributes": [
            {
                "id": f"{service.id}:{c.id}",
                "link_id": service.id,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": c.id,
                "value": c.label,
                "taxonomy_term": {
                    "id": c.id,
                    "code": c.id,
                    "name": c.label,
                    "description": c.description or "",
                    "taxonomy": TAXONOMY,
                    "language": "fr",
                },
            }
            for c in service.categories
        ],
        "languages": [{"name": "français", "code": "fr"}],
    }


def _schedule_note(schedule) -> str | None:
    if schedule.open_24_7:
        return "24 h sur 24, 7 jours sur 7"
    return None


def _location_json(location) -> dict:
    return {
        "id": location.id,
        "location_type": "physical",
        "organization_id": location.organization_id,
        "name": location.name,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "addresses": [
            {
                "id": location.id,
                "location_id": location.id,
                "address_1": location.address_1,
                "city": location.city,
                "region": location.municipality.mrc.name if location.municipality and location.municipality.mrc else None,
                "state_province": "QC",
                "postal_code": location.postal_code,
                "country": "CA",
                "address_type": "physical",
            }
        ]
        if (location.address_1 or location.city or location.postal_code)
        else [],
    }


def _load(session, ids: list[str]) -> dict[str, Service]:
    if not ids:
        return {}
    stmt = select(Service).where(Service.id.in_(ids)).options(
        selectinload(Service.organization),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.categories),
        selectinload(Service.service_areas).selectinload(ServiceArea.mrc),
        selectinload(Service.service_areas).selectinload(ServiceArea.municipality),
        selectinload(Service.locations).selectinload(ServiceAtLocation.location),
    )
    return {s.id: s for s in session.execute(stmt).scalars()}


def _int_arg(request, name: str, default: int, low: int, high: int | None) -> int:
    text = (request.args.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise ValueError(f"« {name} » doit être un nombre entier positif.")
    value = int(text)
    if value < low:
        raise ValueError(f"« {name} » doit valoir au moins {low}.")
    return min(value, high) if high else value


@blueprint.get("/services")
async def list_services(request):
    try:
        page = _int_arg(request, "page", 1, 1, None)
        per_page = _int_arg(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    except ValueError as exc:
        return _error(400, str(exc))
    search = (request.args.get("search") or "").strip()
    mrc = (request.args.get("mrc") or "").strip()
    category = (request.args.get("category") or "").strip()
    with open_session() as session:
        stmt = (
            select(Service.id, Service.name, Service.description, Organization.name)
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.status.in_(PUBLISHED_STATUSES))
        )
        if mrc:
            in_mrc = (
                select(ServiceArea.service_id)
                .outerjoin(Municipality, Municipality.id == ServiceArea.municipality_id)
                .where(or_(
                    ServiceArea.scope == "region",
                    and_(ServiceArea.scope == "mrc", ServiceArea.mrc_id == mrc),
                    and_(ServiceArea.scope == "municipality", func.coalesce(Municipality.mrc_id, ServiceArea.mrc_id) == mrc),
                ))
            )
            stmt = stmt.where(Service.id.in_(in_mrc))
        if category:
            stmt = stmt.where(Service.id.in_(
                select(service_category.c.service_id).where(service_category.c.category_id == category)))
        rows = session.execute(stmt).all()
        if search:
            words = fold(search).split()
            rows = [r for r in rows if all(w in fold(f"{r[1]} {r[2]} {r[3]}") for w in words)]
        rows.sort(key=lambda r: (fold(r[1]), r[0]))
        total = len(rows)
        total_pages = math.ceil(total / per_page) if total else 0
        chosen = [r[0] for r in rows[(page - 1) * per_page: page * per_page]]
        services = _load(session, chosen)
        contents = [service_json(services[i]) for i in chosen if i in services]
    return _json({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    })


@blueprint.get("/services/<service_id>")
async def get_service(request, service_id: str):
    with open_session() as session:
        service = _load(session, [service_id]).get(service_id)
        if service is None or service.status not in PUBLISHED_STATUSES:
            return _error(404, "Service introuvable.")
        return _json(service_json(service))


@blueprint.get("/openapi.json")
async def openapi(request):
    return _json(openapi_document())


@blueprint.get("/")
async def index(request):
    return _json({
        "name": "Phare — répertoire des services du Bas-Saint-Laurent (données ouvertes)",
        "specification": "Open Referral HSDS 3.0",
        "services": "/api/services",
        "openapi": "/api/openapi.json",
    })


def openapi_document() -> dict:
    text = {"type": "string", "nullable": True}
    date = {"type": "string", "format": "date", "nullable": True}
    phone = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "service_id": {"type": "string"}, "organization_id": text,
                       "number": {"type": "string"}, "extension": text,
                       "type": {"type": "string", "enum": ["voice", "text", "fax", "cell", "video", "pager", "textphone"]},
                       "description": text,
                       "languages": {"type": "array", "items": {"type": "object"}}},
        "required": ["id", "number"],
    }
    schedule = {
        "type": "object",
        "properties": {"id": {"type": "string"}, "service_id": {"type": "string"},
                       "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY", "DAILY", "YEARLY", None], "nullable": True},
                       "interval": {"type": "integer"}, "byday": text, "bymonthday": text,
                       "opens_at": {"type": "string", "nullable": True, "example": "13:00"},
                       "closes_at": {"type": "string", "nullable": True, "example": "16:30"},
                       "valid_from": date, "valid_to": date, "dtstart": date,
                       "timezone": {"type": "string", "example": TIMEZONE, "description": "IANA time zone name"},
                       "description": text, "notes": text},
        "required": ["id"],
    }
    area = {"type": "object", "properties": {"id": {"type": "string"}, "service_id": {"type": "string"},
                                             "name": {"type": "string"}, "description": text, "extent_type": text,
                                             "extent": text, "uri": text}, "required": ["id", "name"]}
    address = {"type": "object", "properties": {k: text for k in (
        "id", "location_id", "address_1", "city", "region", "state_province", "postal_code", "country", "address_type")}}
    location = {"type": "object", "properties": {
        "id": {"type": "string"}, "location_type": {"type": "string"}, "organization_id": text, "name": text,
        "latitude": {"type": "number", "nullable": True}, "longitude": {"type": "number", "nullable": True},
        "addresses": {"type": "array", "items": address}}}
    organization = {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "alternate_name": text, "description": {"type": "string"},
        "email": text, "website": text}, "required": ["id", "name", "description"]}
    attribute = {"type": "object", "properties": {
        "id": {"type": "string"}, "link_id": {"type": "string"}, "link_type": {"type": "string"},
        "link_entity": {"type": "string"}, "taxonomy_term_id": {"type": "string"}, "value": text,
        "taxonomy_term": {"type": "object", "properties": {k: {"type": "string"} for k in (
            "id", "code", "name", "description", "taxonomy", "language")}}}}
    service = {
        "type": "object",
        "description": "HSDS 3.0 service, with its organisation, phones, schedules, areas, locations and categories.",
        "properties": {
            "id": {"type": "string"}, "organization_id": {"type": "string"}, "name": {"type": "string"},
            "alternate_name": text, "description": {"type": "string"}, "url": text, "email": text,
            "status": {"type": "string", "enum": list(PUBLISHED_STATUSES)},
            "eligibility_description": text, "fees_description": text, "application_process": text,
            "assured_date": {**date, "description": "« Vérifié le » : the day staff confirmed the entry."},
            "last_modified": {"type": "string", "format": "date-time"},
            "organization": {"$ref": "#/components/schemas/Organization"},
            "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
            "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}},
            "service_areas": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceArea"}},
            "service_at_locations": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "service_id": {"type": "string"}, "location_id": {"type": "string"},
                "location": {"$ref": "#/components/schemas/Location"}}}},
            "attributes": {"type": "array", "items": {"$ref": "#/components/schemas/Attribute"},
                           "description": "Categories of the Phare taxonomy (taxonomy « phare-categories »)."},
            "languages": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["id", "organization_id", "name", "status"],
    }
    page = {
        "type": "object",
        "description": "HSDS 3.0 Page",
        "properties": {
            "total_items": {"type": "integer"}, "total_pages": {"type": "integer"}, "page_number": {"type": "integer"},
            "size": {"type": "integer"}, "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
        },
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
    }
    error = {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "message": {"type": "string"}}}}}

    def param(name, schema, description):
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Phare — données ouvertes des services du Bas-Saint-Laurent",
            "version": "1.0.0",
            "description": "Répertoire des services communautaires des 8 MRC du Bas-Saint-Laurent, en lecture seule, "
                           "aux noms de champs Open Referral HSDS 3.0. Seuls les services actifs ou fermés "
                           "temporairement sont publiés. Les dates « assured_date » indiquent la dernière vérification.",
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.fr"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/services": {
                "get": {
                    "summary": "Liste paginée des services",
                    "operationId": "listServices",
                    "parameters": [
                        param("search", {"type": "string"}, "Mots cherchés dans le nom, la description et l'organisme (sans égard aux accents)."),
                        param("mrc", {"type": "string", "example": "la-mitis"}, "Identifiant d'une MRC : les services offerts dans cette MRC, y compris ceux de toute la région."),
                        param("category", {"type": "string", "example": "aide-alimentaire"}, "Identifiant d'une catégorie."),
                        param("page", {"type": "integer", "minimum": 1, "default": 1}, "Numéro de page, à partir de 1."),
                        param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
                              f"Services par page ({MAX_PER_PAGE} au plus)."),
                    ],
                    "responses": {
                        "200": {"description": "Une page de services", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}},
                        "400": {"description": "Paramètre invalide", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    },
                }
            },
            "/api/services/{id}": {
                "get": {
                    "summary": "Un service",
                    "operationId": "getService",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "Le service", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Service"}}}},
                        "404": {"description": "Service introuvable ou non publié", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    },
                }
            },
            "/api/openapi.json": {"get": {"summary": "Cette description", "operationId": "openapi",
                                          "responses": {"200": {"description": "OpenAPI 3"}}}},
        },
        "components": {"schemas": {
            "Page": page, "Service": service, "Organization": organization, "Phone": phone, "Schedule": schedule,
            "ServiceArea": area, "Location": location, "Attribute": attribute, "Error": error,
        }},
    }


__all__ = ["blueprint", "service_json", "openapi_document"]
