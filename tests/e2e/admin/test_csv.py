"""CSV export (Excel in French) and all-or-nothing import with errors by line and column."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from directory.db import open_session
from directory.models import Metadata, Organization, Service

pytestmark = pytest.mark.e2e


def export(client, query: str = "") -> bytes:
    response = client.get("/admin/export.csv" + query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def rows_of(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def upload(client, data: bytes, dry_run: bool = False):
    form = {"dry_run": "1"} if dry_run else {}
    return client.post("/admin/import", form, files={"file": ("services.csv", data, "text/csv")})


def counts(db) -> tuple[int, int, int]:
    with open_session(db) as s:
        return (s.execute(select(func.count(Service.id))).scalar(), s.execute(select(func.count(Organization.id))).scalar(),
                s.execute(select(func.count(Metadata.id))).scalar())


def test_export_opens_in_excel_french(staff):
    data = export(staff("admin"), "?status=all")
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").split("\r\n")[0]
    assert header.startswith("id;organisme;service;description;catégories;statut;mrc;municipalités;téléphone;poste")
    assert rows_of(data)


def test_export_then_import_is_a_round_trip(staff, db):
    admin = staff("admin")
    data = export(admin, "?status=all")
    before = counts(db)
    response = upload(admin, data)
    errors = response.text[response.text.find("à corriger"):][:4000]
    assert response.status_code == 200, errors
    assert "0 service(s) créé(s), 0 modifié(s)" in response.text
    assert counts(db) == before


def test_import_with_errors_writes_nothing(staff, db):
    admin = staff("admin")
    rows = rows_of(export(admin))
    first = rows[0]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    header = list(first.keys())
    writer.writerow(header)
    good = dict(first, description="Cette modification ne doit pas être enregistrée.")
    writer.writerow([good[h] for h in header])
    writer.writerow([dict(first, id="", service="Nouveau service", téléphone="555-12")[h] for h in header])
    writer.writerow([dict(first, id="", service="Autre", municipalités="Springfield", mrc="")[h] for h in header])
    writer.writerow([dict(first, id="", service="Encore", catégories="astrologie")[h] for h in header])
    before = counts(db)
    response = upload(admin, ("\ufeff" + text.getvalue()).encode("utf-8"))
    assert response.status_code == 400
    page = response.text
    assert "Rien n'a été enregistré" in page
    assert "ligne 3, colonne « téléphone »" in page
    assert "ligne 4, colonne « municipalités » : municipalité inconnue « Springfield »" in page
    assert "ligne 5, colonne « catégories » : catégorie inconnue « astrologie »" in page
    assert counts(db) == before
    with open_session(db) as s:
        assert s.get(Service, first["id"]).description != good["description"]


def test_import_that_succeeds_with_commas(staff, db):
    admin = staff("admin")
    rows = rows_of(export(admin, "?mrc=la-mitis"))
    target = rows[0]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow(["id", "organisme", "service", "description", "catégories", "statut", "mrc", "municipalités",
                     "téléphone", "poste", "vérifié le"])
    writer.writerow([target["id"], target["organisme"], target["service"], "Description mise à jour par CSV.",
                     target["catégories"], target["statut"], target["mrc"], target["municipalités"],
                     target["téléphone"], target["poste"], "2026-01-15"])
    writer.writerow(["", "Organisme créé par CSV", "Halte-garderie communautaire", "Pour souffler un peu.",
                     "familles-enfants", "actif", "", "Mont-Joli | Sainte-Luce", "418 555-0111", "", ""])
    data = out.getvalue().encode("cp1252")
    before = counts(db)
    checked = upload(admin, data, dry_run=True)
    assert checked.status_code == 200 and "Le fichier est valide" in checked.text
    assert counts(db) == before
    response = upload(admin, data)
    assert response.status_code == 200, response.text[:3000]
    assert "1 service(s) créé(s), 1 modifié(s)" in response.text
    with open_session(db) as s:
        updated = s.get(Service, target["id"])
        assert updated.description == "Description mise à jour par CSV."
        assert str(updated.assured_date) == "2026-01-15"
        created = s.execute(select(Service).where(Service.name == "Halte-garderie communautaire")).scalar_one()
        assert created.organization.name == "Organisme créé par CSV"
        assert {a.municipality_id for a in created.service_areas} == {"mont-joli", "sainte-luce"}
        assert created.phones[0].number == "418 555-0111"
        actions = {m.last_action_type for m in s.execute(select(Metadata).where(Metadata.resource_id == target["id"])).scalars()}
        assert "import" in actions


def test_mrc_staff_import_is_limited_to_their_mrc(staff, db):
    mitis = staff("mitis")
    data = export(mitis)
    assert all("La Mitis" in r["mrc"] or r["municipalités"] for r in rows_of(data))
    text = data.decode("utf-8-sig") + ";Organisme X;Service hors MRC;;aide-alimentaire;actif;La Matanie;;;;;;;;;;\r\n"
    before = counts(db)
    response = upload(mitis, text.encode("utf-8"))
    assert response.status_code == 400
    assert "Vous ne pouvez modifier que les zones de votre MRC." in response.text
    assert counts(db) == before
    # A service of another MRC, by id: unknown to them.
    admin_rows = rows_of(export(staff("admin"), "?mrc=la-matanie"))
    foreign = admin_rows[0]
    line = ";".join([foreign["id"], foreign["organisme"], "Renommé", "", foreign["catégories"], "actif", "La Matanie"]
                    + [""] * 10)
    response = upload(mitis, (data.decode("utf-8-sig").split("\r\n")[0] + "\r\n" + line + "\r\n").encode("utf-8"))
    assert response.status_code == 400 and "service inconnu" in response.text
