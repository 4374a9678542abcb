"""Open-data API: HSDS 3.0 shape, filters, pagination, OpenAPI description; no login."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from directory.db import open_session
from directory.models import Service

pytestmark = pytest.mark.e2e

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def get(web, path, **params):
    return httpx.get(f"{web}{path}", params=params, timeout=30)


def test_page_object_and_service_shape(web, db):
    response = get(web, "/api/services", per_page=5)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    page = response.json()
    assert set(page) == PAGE_KEYS
    with open_session(db) as s:
        published = s.execute(select(func.count(Service.id)).where(
            Service.status.in_(("active", "temporarily closed")))).scalar()
    assert page["total_items"] == published
    assert page["page_number"] == 1 and page["first_page"] and page["size"] == len(page["contents"]) == 5
    service = page["contents"][0]
    for key in ("id", "name", "alternate_name", "description", "url", "email", "status", "fees_description",
                "application_process", "assured_date", "last_modified", "organization", "phones", "schedules",
                "service_areas", "service_at_locations", "attributes"):
        assert key in service, key
    assert set(service["organization"]) >= {"id", "name", "description", "website", "email"}
    assert service["status"] in ("active", "temporarily closed")
    for phone in service["phones"]:
        assert set(phone) >= {"id", "number", "extension", "type", "description"}
    for area in service["service_areas"]:
        assert set(area) >= {"id", "name", "description"}
    detail = get(web, f"/api/services/{service['id']}").json()
    assert detail["id"] == service["id"] and detail["name"] == service["name"]


def test_filters(web):
    everything = get(web, "/api/services", per_page=100).json()
    mitis = get(web, "/api/services", mrc="la-mitis", per_page=100).json()
    assert 0 < mitis["total_items"] < everything["total_items"]
    for service in mitis["contents"]:
        names = " ".join(a["name"] for a in service["service_areas"])
        assert "Mitis" in names or "Bas-Saint-Laurent" in names or service["service_areas"], names
    food = get(web, "/api/services", category="aide-alimentaire", per_page=100).json()
    assert food["total_items"] > 0
    for service in food["contents"]:
        assert "aide-alimentaire" in [a["taxonomy_term"]["id"] for a in service["attributes"]]
    name = everything["contents"][0]["name"]
    found = get(web, "/api/services", search=name.split()[0].upper()).json()
    assert any(s["name"] == name for s in found["contents"])
    assert get(web, "/api/services", search="zzzz introuvable").json()["empty"] is True


def test_pagination(web):
    first = get(web, "/api/services", per_page=2, page=1).json()
    second = get(web, "/api/services", per_page=2, page=2).json()
    assert first["total_pages"] == -(-first["total_items"] // 2)
    assert {s["id"] for s in first["contents"]}.isdisjoint({s["id"] for s in second["contents"]})
    assert not second["first_page"]
    capped = get(web, "/api/services", per_page=1000).json()
    assert capped["size"] <= 100
    beyond = get(web, "/api/services", page=999).json()
    assert beyond["empty"] and beyond["contents"] == [] and beyond["last_page"]
    assert get(web, "/api/services", page="abc").status_code == 400
    assert get(web, "/api/services", per_page=0).status_code == 400


def test_unpublished_and_unknown_services_are_404(web, staff, db):
    assert get(web, "/api/services/pas-un-id").status_code == 404
    with open_session(db) as s:
        service = s.execute(select(Service).where(Service.status == "active").order_by(Service.name)).scalars().first()
    admin = staff("admin")
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "archived"}).status_code == 303
    try:
        assert get(web, f"/api/services/{service.id}").status_code == 404
        ids = {s["id"] for s in get(web, "/api/services", per_page=100).json()["contents"]}
        assert service.id not in ids
    finally:
        admin.post(f"/admin/services/{service.id}/status", {"status": "active"})


def test_openapi_description(web):
    doc = get(web, "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/services", "/api/services/{id}"} <= set(doc["paths"])
    names = {p["name"] for p in doc["paths"]["/api/services"]["get"]["parameters"]}
    assert names == {"search", "mrc", "category", "page", "per_page"}
    assert set(doc["components"]["schemas"]["Page"]["required"]) == PAGE_KEYS
