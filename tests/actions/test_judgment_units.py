"""Pure functions of issue 14: follow-up wording, relatives' places, offers."""
from __future__ import annotations

import pytest

from actions import followups
from actions.relatives import relative_place
from actions.several_needs import offer_messages
from directory.gazetteer import default_gazetteer
from directory.schedules import OpeningStatus
from directory.search import PhoneInfo, ServiceResult


def result(id_, categories=("aide-alimentaire",), scope="mrc", address=None, phones=(), url=None, area="Les Basques"):
    return ServiceResult(
        id=id_, name=f"Service {id_}", organization="Org", description="", categories=tuple(categories),
        phones=tuple(phones), url=url, email=None, address=address, status="active", assured_date=None,
        scope=scope, area_label=area, opening=OpeningStatus(known=False), schedule_description=None,
        eligibility_description=None, fees_description=None, application_process=None, priority=0,
    )


PHONE = PhoneInfo("4185550101", "418 555-0101", None, "voice", None)


def test_where_gives_the_address_else_the_area_and_a_way_to_ask():
    text = followups.where_messages([
        result("a", address="12, rue Notre-Dame, Trois-Pistoles"),
        result("b", phones=(PHONE,)),
        result("c"),
        result("d", scope="region", area="tout le Bas-Saint-Laurent"),
    ])[0].text
    lines = text.splitlines()
    assert lines[0] == "Service a : 12, rue Notre-Dame, Trois-Pistoles."
    assert "418 555-0101" in lines[1] and "Les Basques" in lines[1]
    assert "211" in lines[2]
    assert "à distance" in lines[3]


def test_phone_falls_back_to_web_then_211():
    lines = followups.phone_messages([result("a", phones=(PHONE,)), result("b", url="https://x.org"), result("c")])[0].text.splitlines()
    assert lines == ["Service a : 418 555-0101", "Service b : pas de numéro dans mon répertoire; leur site : https://x.org",
                     "Service c : je n'ai pas leur numéro; le 211 peut vous le donner."]


def test_shown_in_order_keeps_the_order_shown():
    results = [result("a"), result("b"), result("c")]
    assert [r.id for r in followups.shown_in_order(results, ["c", "a", "zz"])] == ["c", "a"]


def test_nothing_shown():
    assert followups.where_messages([]) == [followups.NOTHING_SHOWN]
    assert followups.phone_messages([]) == [followups.NOTHING_SHOWN]


@pytest.mark.parametrize(
    "text, relative, resident",
    [
        ("je suis à Rimouski mais mon père est à Amqui", "amqui", "rimouski"),
        ("Je reste a Matane, ma mere habite Cabano pis a besoin de popote", "temiscouata-sur-le-lac", "matane"),
        ("c'est pour ma mère qui reste à Trois-Pistoles", "trois-pistoles", None),
        ("chu a rimouski, ma fille est rendue a riviere-du-loup", "riviere-du-loup", "rimouski"),
    ],
)
def test_relative_place(text, relative, resident):
    places = relative_place(text, default_gazetteer())
    assert places.relative.municipality_id == relative
    assert (places.resident.municipality_id if places.resident else None) == resident


@pytest.mark.parametrize("text", ["bouffe a rimouski", "mon père est malade", "ma mère mange mal, je suis à Matane", ""])
def test_no_relative_place(text):
    assert relative_place(text, default_gazetteer()) is None


def test_offer_names_the_needs_with_one_button_each():
    [message] = offer_messages(["repas", "accompagnement-transport"])
    assert "des repas préparés et l'accompagnement aux rendez-vous" in message.text
    assert [p for _, p in message.buttons] == ["/need_meals", "/need_transport"]
