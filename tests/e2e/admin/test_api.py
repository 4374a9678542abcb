"""Open-data API over HTTP: HSDS 3.0 root, endpoints, schema validation, 400/404, ETag, data package; no login."""
from __future__ import annotations

import io
import zipfile

import httpx
import pytest
from sqlalchemy import func, select

from directory.db import open_session
from directory.hsds import ids, schemas
from directory.models import Service

pytestmark = pytest.mark.e2e

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def get(web, path, headers=None, **params):
    return httpx.get(f"{web}{path}", params=params, headers=headers, timeout=30)


def valid(kind: str, body) -> None:
    assert schemas.errors(kind, body) == [], (kind, schemas.errors(kind, body)[:3])


def test_root_says_version_profile_and_openapi(web):
    root = get(web, "/api/").json()
    assert root["version"] == "3.0"
    assert root["profile"].endswith("/api/profile") and root["openapi_url"].endswith("/api/openapi.json")
    profile = httpx.get(root["profile"], timeout=30)
    assert profile.status_code == 200 and "extent" in profile.text and "phare-categories" in profile.text
    assert get(web, "/api/", foo="1").status_code == 400


def test_every_endpoint_validates_against_hsds(web, db):
    page = get(web, "/api/services", per_page=100).json()
    assert set(page) == PAGE_KEYS
    with open_session(db) as s:
        published = s.execute(select(func.count(Service.id)).where(
            Service.status.in_(("active", "temporarily closed")))).scalar()
    assert page["total_items"] == published
    for item in page["contents"]:
        valid("service_list", item)
    for item in get(web, "/api/services", per_page=100, full="true").json()["contents"]:
        valid("service", item)
    detail = get(web, f"/api/services/{page['contents'][0]['id']}").json()
    valid("service", detail)
    orgs = get(web, "/api/organizations", per_page=100).json()
    assert orgs["total_items"] > 0
    for item in orgs["contents"]:
        valid("organization_list", item)
    org = get(web, f"/api/organizations/{orgs['contents'][0]['id']}", full_service="true").json()
    valid("organization", org)
    assert org["services"] and all("id" in s for s in org["services"])
    taxonomies = get(web, "/api/taxonomies").json()
    assert taxonomies["total_items"] == 1
    valid("taxonomy", get(web, f"/api/taxonomies/{taxonomies['contents'][0]['id']}").json())
    terms = get(web, "/api/taxonomy_terms", per_page=100).json()
    assert terms["total_items"] >= 10
    for term in terms["contents"]:
        valid("taxonomy_term", term)
    food = get(web, f"/api/taxonomy_terms/{ids.taxonomy_term_id('aide-alimentaire')}").json()
    assert food["code"] == "aide-alimentaire"
    links = get(web, "/api/service_at_locations", per_page=100).json()
    for item in links["contents"]:
        valid("service_at_location_list", item)
    if links["contents"]:
        valid("service_at_location", get(web, f"/api/service_at_locations/{links['contents'][0]['id']}").json())


def test_standard_filters_really_filter(web):
    everything = get(web, "/api/services", per_page=100).json()
    food = get(web, "/api/services", taxonomy_term_id=ids.taxonomy_term_id("aide-alimentaire"), full="true",
               per_page=100).json()
    assert 0 < food["total_items"] < everything["total_items"]
    for service in food["contents"]:
        assert "aide-alimentaire" in [a["taxonomy_term"]["code"] for a in service["attributes"]]
    org_id = everything["contents"][0]["organization_id"]
    mine = get(web, "/api/services", organization_id=org_id, per_page=100).json()
    assert mine["total_items"] >= 1 and all(s["organization_id"] == org_id for s in mine["contents"])
    assert get(web, "/api/services", modified_after="2999-01-01").json()["total_items"] == 0
    assert get(web, "/api/services", modified_after="2000-01-01").json()["total_items"] == everything["total_items"]
    minimal = get(web, "/api/services", minimal="true", per_page=100).json()
    assert all(set(s) == {"id", "last_modified"} for s in minimal["contents"])
    mitis = get(web, "/api/services", mrc="la-mitis", per_page=100).json()
    assert 0 < mitis["total_items"] <= everything["total_items"]
    ndjson = get(web, "/api/services", format="ndjson")
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    assert len(ndjson.text.strip().splitlines()) == everything["total_items"]


def test_bad_parameters_get_400_in_french(web):
    for params in ({"couleur": "rouge"}, {"page": "abc"}, {"per_page": "0"}, {"modified_after": "hier"},
                   {"full": "peut-etre"}, {"mrc": "atlantide"}, {"postal_code": "H2X 1Y4"}):
        answer = get(web, "/api/services", **params)
        assert answer.status_code == 400, params
        assert answer.json()["error"]["message"], params
    assert get(web, "/api/organizations", taxonomy_term_id="x").status_code == 400
    assert get(web, "/api/services/pas-un-id").status_code == 404
    assert get(web, "/api/taxonomy_terms/pas-un-terme").status_code == 404


def test_etag_and_last_modified(web):
    first = get(web, "/api/services", per_page=5)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert get(web, "/api/services", headers={"If-None-Match": etag}, per_page=5).status_code == 304
    assert get(web, "/api/services", headers={"If-None-Match": '"autre"'}, per_page=5).status_code == 200
    assert get(web, "/api/services", headers={"If-Modified-Since": modified}, per_page=5).status_code == 304
    assert get(web, "/api/services", per_page=6).headers["etag"] != etag


def test_unpublished_services_are_404(web, staff, db):
    with open_session(db) as s:
        service = s.execute(select(Service).where(Service.status == "active").order_by(Service.name)).scalars().first()
    admin = staff("admin")
    assert admin.post(f"/admin/services/{service.id}/status", {"status": "archived"}).status_code == 303
    try:
        assert get(web, f"/api/services/{service.id}").status_code == 404
        listed = {s["id"] for s in get(web, "/api/services", per_page=100).json()["contents"]}
        assert service.id not in listed
    finally:
        admin.post(f"/admin/services/{service.id}/status", {"status": "active"})


def test_openapi_and_data_package(web):
    doc = get(web, "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/services", "/services/{id}", "/organizations", "/taxonomies", "/taxonomy_terms",
            "/service_at_locations"} <= set(doc["paths"])
    names = {p.get("name") for p in doc["paths"]["/services"]["get"]["parameters"]}
    assert {"mrc", "municipality", "postal_code", "open_now"} <= names
    assert doc["servers"][0]["url"].endswith("/api")
    package = get(web, "/api/datapackage.zip")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(package.content))
    assert "datapackage.json" in archive.namelist() and "services.csv" in archive.namelist()
