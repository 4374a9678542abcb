"""Staff-entered directory text reaches answers as plain text (directory.plain_text)."""
from __future__ import annotations

import datetime as dt

import pytest

from directory.plain_text import plain_result, plain_text, safe_email, safe_url
from directory.schedules import OpeningStatus
from directory.search import PhoneInfo, ServiceResult


@pytest.mark.parametrize("text, expected", [
    ("Dépannage alimentaire le mardi.", "Dépannage alimentaire le mardi."),
    ("[x](javascript:alert(1))", "x"),
    ("Voir [notre site](https://croc.example.org) !", "Voir notre site (https://croc.example.org) !"),
    ("[clic](JavaScript:alert(document.cookie))", "clic"),
    ('[clic](javascript:alert(1) "titre")', "clic"),
    ("![image](data:image/png;base64,AAAA)", "image"),
    ('<a href="javascript:alert(1)">Inscription</a>', "Inscription"),
    ('<a href="https://x.example.org">site</a> ouvert', "site ouvert"),
    ("<script>alert(1)</script>Repas", "alert(1)Repas"),
    ("<img src=x onerror=alert(1)>Repas", "Repas"),
    ("&lt;a href=&quot;javascript:alert(1)&quot;&gt;lien&lt;/a&gt;", "lien"),
    ("&amp;lt;b&amp;gt;gras", "gras"),
    ("<javascript:alert(1)>", ""),
    ("<https://croc.example.org>", "https://croc.example.org"),
    ("javascript:alert(1)", "alert(1)"),
    ("java\tscript:alert(1)", "alert(1)"),
    ("[ref]: javascript:alert(1)\nTexte", "Texte"),
    ("Soupe & café, 3 > 2", "Soupe & café, 3 › 2"),
    ("Invisible\u202eetxet\u200b", "Invisibleetxet"),
])
def test_plain_text(text, expected):
    assert plain_text(text) == expected


def test_urls_and_emails():
    assert safe_url("https://croc.example.org/aide?x=1") == "https://croc.example.org/aide?x=1"
    for bad in ("javascript:alert(1)", "data:text/html,<b>", "//evil.example", "https://a b", 'https://x"onclick', None):
        assert safe_url(bad) is None
    assert safe_email("info@croc.example.org") == "info@croc.example.org"
    for bad in ("<b>@x.ca", "a@x", "x@y.ca?subject=<b>", "a b@x.ca"):
        assert safe_email(bad) is None


def test_search_results_are_plain():
    result = ServiceResult(
        id="s1", name="<b>Croc</b>-Ensemble", organization="[Org](javascript:alert(1))",
        description='Repas <a href="javascript:alert(1)">ici</a>', categories=("repas",),
        phones=(PhoneInfo("+14185550100", "418 555-0100", None, "voice", "[appeler](javascript:x)"),),
        url="javascript:alert(1)", email="<x>@y.ca", address="12 rue <i>Principale</i>", status="active",
        assured_date=dt.date(2026, 1, 1), scope="", area_label="Les Basques", opening=OpeningStatus(known=False),
        schedule_description=None, eligibility_description="![i](data:image/png;base64,AA)Tous",
        fees_description=None, application_process=None, priority=0)
    plain = plain_result(result)
    assert (plain.name, plain.organization, plain.description) == ("Croc-Ensemble", "Org", "Repas ici")
    assert plain.url is None and plain.email is None and plain.address == "12 rue Principale"
    assert plain.eligibility_description == "iTous" and plain.phones[0].description == "appeler"
    assert plain_result(plain) == plain


def test_search_applies_it(session):
    from sqlalchemy import select

    from directory.models import Service, ServiceArea
    from directory.search import search

    # A region-wide line: found by its categories whatever the place.
    service = session.execute(select(Service).join(ServiceArea).where(
        Service.status == "active", ServiceArea.scope == "region").order_by(Service.name)).scalars().first()
    service.description = "[Cliquez](javascript:alert(1)) <b>ici</b>"
    service.url = "javascript:alert(1)"
    session.flush()
    found = []
    for category in service.categories:
        for place in (None, "Rimouski", "Matane", "Trois-Pistoles", "Rivière-du-Loup", "Mont-Joli", "Amqui",
                      "Témiscouata-sur-le-Lac", "La Pocatière"):
            outcome = search(session, category.id, place, limit=1000)
            found += [r for r in outcome.results + outcome.nearby if r.id == service.id]
    assert found, "the service was not found by any of its categories"
    assert found[0].description == "Cliquez ici" and found[0].url is None
