"""The organisation's confirmation form: sent back untouched, it changes no schedule of the seeded directory."""
from __future__ import annotations

import datetime as dt

from directory.models import Organization
from tests.e2e.admin.conftest import form_fields
from web.admin import history
from web.admin.confirm import MAX_PHONES, hours_text, listed_services, parse_listing_form
from web.admin.forms import MultiDict
from web.admin.pages import env
from web.admin.schedule_form import editor_rows


def submitted_as_is(org, snaps) -> MultiDict:
    """The fields a browser sends for the page as shown (every editor as it was filled in)."""
    html = env.get_template("confirm_listing.html").render(
        token="t", org=org, snaps=snaps, errors=[], hours={s["id"]: hours_text(s) for s in snaps},
        editors={s["id"]: editor_rows(s.get("schedules", [])) for s in snaps}, form=None,
        expires=dt.datetime(2026, 12, 30), max_phones=MAX_PHONES, public=True, previewed=False, csrf_token="x")
    return MultiDict(form_fields(html, "/admin/fiche/t"))


def test_untouched_editors_keep_every_seeded_schedule(session):
    checked = 0
    for org in session.query(Organization).order_by(Organization.name):
        snaps = [history.snapshot(s) for s in listed_services(session, org.id)]
        if not any(s.get("schedules") for s in snaps):
            continue
        _, proposed, errors = parse_listing_form(submitted_as_is(org, snaps), org, snaps, dt.date(2026, 11, 30))
        assert errors == [], (org.name, errors)
        for snap in snaps:
            assert proposed[snap["id"]]["schedules"] == snap["schedules"], snap["name"]
            checked += bool(snap["schedules"])
    assert checked >= 10  # the seed has hours for a score of services
