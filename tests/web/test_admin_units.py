"""Admin building blocks without servers: CSV, form parsing, roles, sessions, throttling, history."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from directory.models import Metadata, Service
from web.admin import auth, csv_io, history
from web.admin.forms import (
    MultiDict,
    Reference,
    describe_schedule,
    normalize_phone,
    parse_schedule_fields,
    parse_service_form,
    parse_time,
    split_byday,
)
from web.admin.policy import Actor, area_change_problem

REF = Reference(
    categories={"aide-alimentaire": "Aide alimentaire", "repas": "Repas préparés", "crise": "Crise"},
    mrcs={"la-mitis": "La Mitis", "les-basques": "Les Basques", "la-matanie": "La Matanie"},
    municipalities={
        "mont-joli": ("Mont-Joli", "la-mitis"),
        "sainte-luce": ("Sainte-Luce", "la-mitis"),
        "trois-pistoles": ("Trois-Pistoles", "les-basques"),
        "matane": ("Matane", "la-matanie"),
    },
    organizations={"org-1": "Moisson Mitis", "org-2": "Croc-Ensemble"},
)
ADMIN = Actor("u1", "admin@x.org", "A", "admin")
MITIS = Actor("u2", "mitis@x.org", "M", "mrc", mrc_id="la-mitis")
ORG = Actor("u3", "org@x.org", "O", "organization", organization_id="org-1")
MUNI = REF.municipality_mrc


def snap(**over) -> dict:
    base = {
        "id": "s1", "organization_id": "org-1", "name": "Dépannage", "alternate_name": None, "description": "Paniers",
        "url": None, "email": None, "status": "active", "eligibility_description": None, "fees_description": None,
        "application_process": None, "assured_date": "2025-01-15", "priority": 0, "categories": ["aide-alimentaire"],
        "phones": [{"id": "p1", "number": "418-775-0000", "extension": None, "type": "voice", "description": None}],
        "schedules": [], "service_areas": [{"id": "a1", "scope": "mrc", "mrc_id": "la-mitis", "municipality_id": None,
                                            "description": None}],
        "locations": [],
    }
    base.update(over)
    return base


# --- CSV ----------------------------------------------------------------------------------


def test_export_is_excel_french():
    data = csv_io.export_csv([snap()], REF)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, row = text.split("\r\n")[:2]
    assert header.split(";")[:3] == ["id", "organisme", "service"]
    assert "Moisson Mitis" in row and "418 775-0000" in row and "La Mitis" in row and "2025-01-15" in row


def test_export_then_import_changes_nothing():
    current = {"s1": snap()}
    data = csv_io.export_csv(list(current.values()), REF)
    result = csv_io.parse_import(data, REF, current)
    assert result.ok, [str(e) for e in result.errors]
    assert [r.changed for r in result.rows] == [False]


def _csv(rows: list[str], sep: str = ";") -> bytes:
    header = sep.join(["id", "organisme", "service", "catégories (séparées par |)", "statut", "mrc", "municipalités",
                       "téléphone", "poste", "vérifié le"])
    return ("\ufeff" + "\r\n".join([header] + rows) + "\r\n").encode("utf-8")


def test_import_reports_errors_by_line_and_column():
    data = _csv([
        ";Moisson Mitis;Bon service;aide-alimentaire;actif;La Mitis;;418 555-0123;;2025-02-01",
        ";Moisson Mitis;Mauvais téléphone;aide-alimentaire;actif;La Mitis;;555-0123;;",
        ";Moisson Mitis;Mauvaise municipalité;aide-alimentaire;actif;;Springfield;418 555-0123;;",
        ";Moisson Mitis;Mauvaise catégorie;yoga;actif;La Mitis;;418 555-0123;;",
        ";Moisson Mitis;Mauvais statut;repas;peut-être;La Mitis;;;;",
        ";Moisson Mitis;Mauvaise date;repas;actif;La Mitis;;;;32/13/2025",
        "inconnu-123;Moisson Mitis;Id inconnu;repas;actif;La Mitis;;;;",
    ])
    result = csv_io.parse_import(data, REF, {})
    messages = [str(e) for e in result.errors]
    assert len(messages) == 6, messages
    assert messages[0].startswith("ligne 3, colonne « téléphone » :")
    assert messages[1].startswith("ligne 4, colonne « municipalités » : municipalité inconnue « Springfield »")
    assert messages[2].startswith("ligne 5, colonne « catégories » : catégorie inconnue « yoga »")
    assert messages[3].startswith("ligne 6, colonne « statut »")
    assert messages[4].startswith("ligne 7, colonne « vérifié le »")
    assert messages[5].startswith("ligne 8, colonne « id » : service inconnu")
    assert not result.ok


def test_import_accepts_commas_and_windows_1252():
    text = ("id,organisme,service,catégories,statut,mrc,municipalités,téléphone\r\n"
            ",Nouvel organisme,Épicerie solidaire,Aide alimentaire,Fermé temporairement,,sainte luce | Mont-Joli,1 418 555 0123\r\n")
    result = csv_io.parse_import(text.encode("cp1252"), REF, {})
    assert result.ok, [str(e) for e in result.errors]
    row = result.rows[0]
    assert row.new_organization_name == "Nouvel organisme"
    assert row.snapshot["name"] == "Épicerie solidaire"
    assert row.snapshot["status"] == "temporarily closed"
    assert row.snapshot["categories"] == ["aide-alimentaire"]
    assert {a["municipality_id"] for a in row.snapshot["service_areas"]} == {"sainte-luce", "mont-joli"}
    assert row.snapshot["phones"][0]["number"] == "1 418 555-0123"


def test_import_updates_only_changed_cells_and_keeps_phone_spelling():
    current = {"s1": snap()}
    data = csv_io.export_csv(list(current.values()), REF).decode("utf-8-sig")
    data = data.replace("Paniers", "Paniers de Noël")
    result = csv_io.parse_import(data.encode("utf-8"), REF, current)
    assert result.ok
    row = result.rows[0]
    assert row.changed and row.snapshot["description"] == "Paniers de Noël"
    assert row.snapshot["phones"][0]["number"] == "418-775-0000"  # same digits: untouched
    assert history.diff(current["s1"], row.snapshot) == [("description", "Paniers", "Paniers de Noël")]


def test_import_region_words_and_missing_columns():
    result = csv_io.parse_import("service;statut\r\nX;actif\r\n", REF, {})
    assert [str(e) for e in result.errors] == ["ligne 1 : colonne « organisme » manquante"]
    data = _csv([";Moisson Mitis;Ligne régionale;crise;actif;Tout le Bas-Saint-Laurent;;211;;"])
    result = csv_io.parse_import(data, REF, {})
    assert result.ok and result.rows[0].snapshot["service_areas"][0]["scope"] == "region"


def test_import_check_callback_refuses_by_line():
    data = _csv([";Moisson Mitis;Service;repas;actif;Les Basques;;;;"])
    result = csv_io.parse_import(data, REF, {}, check=lambda before, after, org: "hors de votre MRC")
    assert [str(e) for e in result.errors] == ["ligne 2 : hors de votre MRC"]


def test_export_neutralises_formulas():
    data = csv_io.export_csv([snap(description="=HYPERLINK(\"x\")")], REF).decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    result = csv_io.parse_import(data, REF, {"s1": snap(description="=HYPERLINK(\"x\")")})
    assert result.ok and not result.rows[0].changed


# --- Forms --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("418 555-0123", "418 555-0123"), ("(418) 555.0123", "418 555-0123"), ("1-866-277-3553", "1 866 277-3553"),
    ("211", "211"), ("555-0123", None), ("0418 555 0123", None), ("418 555 01234", None),
])
def test_normalize_phone(text, expected):
    value, error = normalize_phone(text)
    assert value == expected
    assert (error is None) == (expected is not None)


def test_parse_time():
    assert parse_time("9 h")[0] == dt.time(9, 0)
    assert parse_time("16 h 30")[0] == dt.time(16, 30)
    assert parse_time("13:15")[0] == dt.time(13, 15)
    assert parse_time("25:00")[1]


def test_second_tuesday_schedule_from_form():
    form = MultiDict({"s-kind": "monthly", "s-weeks": ["2"], "s-days": ["TU"], "s-opens_at": "13:00",
                      "s-closes_at": "16:00", "s-valid_from": "2025-05-01", "s-valid_to": "2025-10-31",
                      "s-closed_on_holidays": "1"})
    item, errors = parse_schedule_fields(form.get, form.getlist, "s-")
    assert errors == []
    assert item["freq"] == "MONTHLY" and item["byday"] == "2TU" and item["closed_on_holidays"]
    text = describe_schedule(item)
    assert text.startswith("2e mardi du mois, de 13 h à 16 h")
    assert "du 1er mai au 31 octobre 2025" in text and "fermé les jours fériés" in text


def test_schedule_errors_in_french():
    form = MultiDict({"s-kind": "weekly", "s-opens_at": "9:00"})
    _, errors = parse_schedule_fields(form.get, form.getlist, "s-")
    assert "choisissez au moins un jour de la semaine" in errors
    assert "il faut une heure d'ouverture et une heure de fermeture" in errors


def test_split_byday():
    assert split_byday("2TU,2TH") == (["2"], ["TU", "TH"], True)
    assert split_byday("MO,WE") == ([], ["MO", "WE"], True)
    assert split_byday("1TU,3TH")[2] is False


def _service_form(**over) -> MultiDict:
    values = {"organization_id": "org-1", "name": "Dépannage", "description": "Paniers", "status": "active",
              "category": ["aide-alimentaire"], "area_mrc": ["la-mitis"], "phone_rows": "1",
              "phone-0-id": "p1", "phone-0-number": "418 775-0000", "schedule_rows": "0"}
    values.update(over)
    return MultiDict(values)


def test_service_form_never_takes_a_foreign_child_id():
    new, errors = parse_service_form(_service_form(**{"phone-0-id": "phone-of-another-service"}), snap(), REF, ADMIN)
    assert errors == []
    assert new["phones"][0]["id"] is None
    same, _ = parse_service_form(_service_form(), snap(), REF, ADMIN)
    assert same["phones"][0]["id"] == "p1"


def test_service_form_keeps_other_mrc_areas_for_mrc_staff():
    current = snap(service_areas=[
        {"id": "a1", "scope": "mrc", "mrc_id": "la-mitis", "municipality_id": None, "description": None},
        {"id": "a2", "scope": "mrc", "mrc_id": "les-basques", "municipality_id": None, "description": None},
    ])
    new, errors = parse_service_form(_service_form(area_mrc=[], area_municipality=["mont-joli"]), current, REF, MITIS)
    assert errors == []
    keys = {(a["scope"], a["mrc_id"], a["municipality_id"]) for a in new["service_areas"]}
    assert keys == {("municipality", "la-mitis", "mont-joli"), ("mrc", "les-basques", None)}
    assert area_change_problem(MITIS, [("mrc", "la-mitis", None), ("mrc", "les-basques", None)], keys, MUNI) is None


def test_service_form_errors():
    _, errors = parse_service_form(_service_form(name="", category=[], area_mrc=[], **{"phone-0-number": "12"}),
                                   snap(), REF, ADMIN)
    assert "Le nom du service est obligatoire." in errors
    assert "Choisissez au moins une catégorie." in errors
    assert any(e.startswith("Téléphone 1 : numéro de téléphone invalide") for e in errors)
    assert any(e.startswith("Choisissez au moins une zone de service") for e in errors)


# --- Sessions, passwords, throttling -------------------------------------------------------------


def test_password_hash_and_session_signature(seeded_engine, monkeypatch):
    monkeypatch.setattr(auth, "REVOKED", auth.RevokedSessions(engine=seeded_engine))
    hashed = auth.hash_password("un mot de passe long")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "un mot de passe long")
    assert not auth.verify_password(hashed, "autre chose")
    assert not auth.verify_password("pas un hash", "x")
    data = auth.new_session("user-1", hashed)
    cookie = auth.dump_session(data)
    assert auth.load_session(cookie) == data
    assert auth.load_session(cookie[:-2] + ("A" if cookie[-1] != "A" else "B") + cookie[-1]) is None
    assert auth.load_session(cookie, max_age=-1) is None
    assert auth.csrf_ok(data, data["csrf"]) and not auth.csrf_ok(data, "forged") and not auth.csrf_ok(data, "jeton-forgé") and not auth.csrf_ok(data, None)  # noqa: E501 (a pattern or a sentence reads best whole)
    assert auth.password_problem("court") and auth.password_problem("assez long, oui") is None


@pytest.fixture(params=["memory", "redis"])
def throttle_store(request):
    if request.param == "memory":
        return None
    url = request.getfixturevalue("redis_url")
    import uuid

    return auth.RedisThrottleStore(url, prefix=f"phare-test:{uuid.uuid4().hex[:8]}:login:")


def test_login_throttle_per_address_and_account(throttle_store):
    now = [1000.0]
    throttle = auth.LoginThrottle(free=5, base_delay=2, max_delay=60, window=3600, clock=lambda: now[0],
                                  store=throttle_store)
    for _ in range(5):
        assert throttle.wait("a@x.org", "1.1.1.1") == 0
        throttle.failure("A@x.org", "1.1.1.1")
    # Slowed down: that address, that account only.
    assert throttle.wait("a@x.org", "1.1.1.1") == pytest.approx(2)
    assert throttle.wait("a@x.org", "2.2.2.2") == 0  # the right person elsewhere
    assert throttle.wait("b@x.org", "1.1.1.1") == 0  # a colleague in the same office
    # Each further failure doubles the wait, up to the cap: never locked for long.
    for _ in range(20):
        throttle.failure("a@x.org", "1.1.1.1")
    assert throttle.wait("a@x.org", "1.1.1.1") == pytest.approx(60)
    now[0] += 61
    assert throttle.wait("a@x.org", "1.1.1.1") == 0
    throttle.success("a@x.org", "1.1.1.1")
    throttle.failure("a@x.org", "1.1.1.1")
    assert throttle.wait("a@x.org", "1.1.1.1") == 0  # counting starts over after a success


def test_login_throttle_settings_in_french():
    from phare.settings import SettingError, Settings

    assert auth.throttle_from(Settings.from_env({})).free == 5
    throttle = auth.throttle_from(Settings.from_env({"PHARE_LOGIN_MAX_FAILURES": "3", "PHARE_LOGIN_MAX_DELAY": "30"}))
    assert (throttle.free, throttle.max_delay) == (3, 30)
    for name in ("PHARE_LOGIN_MAX_FAILURES", "PHARE_LOGIN_MAX_DELAY"):
        with pytest.raises(SettingError, match=f"{name}='abc' n'est pas valide"):
            Settings.from_env({name: "abc"})
    assert auth.wait_text(1) == "1 seconde" and auth.wait_text(30) == "30 secondes"
    assert auth.wait_text(61) == "2 minutes"


@pytest.mark.parametrize("email, ok", [
    ("nom@mrc.qc.ca", True), ("prenom.nom+phare@organisme.org", True),
    ("<script>@x.ca", False), ("a@x.ca<img>", False), ('"a"@x.ca', False), ("o'neil@x.ca", False),
    ("a b@x.ca", False), ("a@b c.ca", False), ("a@x", False), ("`a`@x.ca", False), ("a(b)@x.ca", False),
])
def test_plain_email(email, ok):
    assert auth.plain_email(email) is ok


# --- History (on the seeded directory) --------------------------------------------------------------


def test_history_records_fields_and_restores(session):
    service = session.execute(select(Service).order_by(Service.name)).scalars().first()
    original = history.snapshot(service)
    before = history.snapshot(service)
    changed = dict(before, name=before["name"] + " (modifié)", phones=[
        {"id": None, "number": "418 555-0199", "extension": "12", "type": "voice", "description": None}])
    history.apply_snapshot(session, service, changed)
    rows = history.record_change(session, service, before, "update", "test@x.org")
    fields = {r.field_name for r in rows if r.last_action_type == "update"}
    assert fields == {"name", "phones"}
    assert any(r.last_action_type == "baseline" for r in rows)  # the original version is kept
    phone_row = next(r for r in rows if r.field_name == "phones")
    assert "418 555-0199, poste 12" in phone_row.replacement_value
    groups = history.versions(session, service.id)
    assert [g["action"] for g in groups] == ["update", "baseline"]
    baseline = history.stored_snapshot(session, service.id, groups[1]["version_id"])
    before_restore = history.snapshot(service)
    history.apply_snapshot(session, service, baseline)
    restored = history.record_change(session, service, before_restore, "restore", "test@x.org")
    assert {r.field_name for r in restored} == {"name", "phones"}
    assert history.diff(original, history.snapshot(service)) == []
    assert session.execute(select(Metadata).where(Metadata.resource_id == service.id)).scalars().first() is not None


def test_history_records_nothing_without_change(session):
    service = session.execute(select(Service).order_by(Service.name)).scalars().first()
    before = history.snapshot(service)
    history.apply_snapshot(session, service, before)
    assert history.record_change(session, service, before, "update", "test@x.org") == []


def test_logout_revokes_the_session_id(seeded_engine):
    now = [1_800_000_000.0]
    revoked = auth.RevokedSessions(clock=lambda: now[0], engine=seeded_engine)
    sid = f"sid-{now[0]}"
    revoked.revoke(sid)
    assert revoked.revoked(sid) and not revoked.revoked("other") and not revoked.revoked(None)
    # Another process (the web server after a restart) reads it from the database.
    restarted = auth.RevokedSessions(clock=lambda: now[0], engine=seeded_engine)
    assert restarted.revoked(sid)
    now[0] += auth.SESSION_MAX_AGE + 1
    assert not auth.RevokedSessions(clock=lambda: now[0], engine=seeded_engine).revoked(sid)
    restarted.revoke("def")  # purges what has expired anyway
    from sqlalchemy import text

    with seeded_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM revoked_session WHERE expires_at < :now"),
                                  {"now": __import__("datetime").datetime.utcfromtimestamp(now[0])}).scalar() == 0


def test_weekly_needs_by_iso_week(session):
    from directory.models import NeedLog
    from web.admin.stats import NeedFilters, iso_week, weekly_needs

    monday = dt.date(2019, 12, 30)  # ISO week 2020-S01
    assert iso_week(monday) == ("2020-S01", monday)
    assert iso_week(dt.date(2020, 1, 5)) == ("2020-S01", monday)
    session.add_all([
        NeedLog(day=monday, category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0, channel="sms"),
        NeedLog(day=monday + dt.timedelta(days=6), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=2, channel="web"),
        NeedLog(day=monday + dt.timedelta(days=7), category_id="aide-alimentaire", mrc_id="la-mitis", result_count=0, channel="web"),
        NeedLog(day=monday, category_id=None, mrc_id=None, result_count=0, channel="web"),
    ])
    session.flush()
    window = NeedFilters(start=monday, end=monday + dt.timedelta(days=13))
    rows = weekly_needs(session, window)
    summary = [(r.week, r.mrc_id, r.searches, r.no_result) for r in rows]
    assert summary == [("2020-S02", "la-mitis", 1, 1), ("2020-S01", "la-mitis", 2, 1), ("2020-S01", None, 1, 1)]
    mitis_sms = weekly_needs(session, NeedFilters(start=monday, end=monday + dt.timedelta(days=13), mrc_id="la-mitis", channel="sms"))
    assert [(r.searches, r.no_result) for r in mitis_sms] == [(1, 1)]
    unknown = weekly_needs(session, NeedFilters(start=monday, end=monday + dt.timedelta(days=13), mrc_id=""))
    assert [r.mrc_id for r in unknown] == [None]
