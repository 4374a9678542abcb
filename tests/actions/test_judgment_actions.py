"""Issue 14 actions: follow-ups on the services shown, the local shelter after
the violence line, the MRC's resources, several needs, a relative's place."""
from __future__ import annotations

import pytest

from actions.crisis import ActionCrisisViolence
from actions.find_services import ActionFindServices
from actions.followup_actions import ActionFollowupNotUseful, ActionFollowupPhone, ActionFollowupWhere
from actions.greet import ActionForSomeoneElse
from actions.mrc_resources import ActionMrcResources, group_by_category
from actions.opening_hours import ActionOpeningHours
from actions.several_needs import offer_messages, other_needs
from directory.db import open_session
from directory.search import need_matcher
from tests.actions.test_actions import make_tracker, run, slot
from tests.support import seeded_database

# Its database is chosen by TEST_DATABASE in the `directory` fixture below.
pytestmark = pytest.mark.engine

# Fictional services (test data only, never seed data): the seed's local
# services are being rewritten in another branch, these tests must not depend
# on which real ones are loaded.
FICTIONAL = [
    # key, name, categories, area (scope, mrc, municipality), phone, address
    ("t-bouffe-1", "Comptoir d'essai des Basques", ["aide-alimentaire"], ("mrc", "les-basques", None), "4185550101",
     ("12, rue d'Essai", "Trois-Pistoles", "G0L 4K0")),
    ("t-bouffe-2", "Panier d'essai de Trois-Pistoles", ["aide-alimentaire"], ("municipality", "les-basques", "trois-pistoles"),
     "4185550102", None),
    ("t-livraison", "Livraison d'essai des Basques", ["livraison-epicerie"], ("mrc", "les-basques", None), None, None),
    ("t-repas-amqui", "Popote d'essai d'Amqui", ["repas"], ("municipality", "la-matapedia", "amqui"), "4185550103", None),
    ("t-repas-rimouski", "Popote d'essai de Rimouski", ["repas"], ("municipality", "rimouski-neigette", "rimouski"),
     "4185550104", None),
    ("t-frigo-matane", "Frigo d'essai de Matane", ["frigo-libre-service"], ("municipality", "la-matanie", "matane"), None, None),
    ("t-repas-matane", "Popote d'essai de Matane", ["repas"], ("municipality", "la-matanie", "matane"), "4185550105", None),
    ("t-violence", "Maison d'hébergement d'essai", ["violence"], ("mrc", "rimouski-neigette", None), "4185550106", None),
]


def add_fictional_services(session):
    from directory.models import Category, Location, Organization, Phone, Service, ServiceArea, ServiceAtLocation

    organization = Organization(name="Organisme d'essai")
    session.add(organization)
    session.flush()
    for key, name, categories, (scope, mrc, municipality), phone, address in FICTIONAL:
        service = Service(organization_id=organization.id, name=name, description="Service fictif pour les tests.",
                          seed_key=key, status="active")
        service.categories = [session.get(Category, c) for c in categories]
        service.service_areas = [ServiceArea(scope=scope, mrc_id=mrc, municipality_id=municipality)]
        if phone:
            service.phones = [Phone(number=phone)]
        session.add(service)
        session.flush()
        if address:
            location = Location(organization_id=organization.id, address_1=address[0], city=address[1], postal_code=address[2])
            session.add(location)
            session.flush()
            session.add(ServiceAtLocation(service_id=service.id, location_id=location.id))
    session.commit()


@pytest.fixture(scope="module")
def judgment_engine(tmp_path_factory):
    with seeded_database(tmp_path_factory.mktemp("judgment"), fill=add_fictional_services) as engine:
        yield engine


@pytest.fixture(autouse=True)
def directory_db(judgment_engine, monkeypatch):
    monkeypatch.setenv("PHARE_DATABASE_URL", str(judgment_engine.url))


def shown_after(text, intent):
    _, events, texts = run(ActionFindServices(), make_tracker(text, intent))
    slots = {name: slot(events, name) for name in ("need", "place_ref", "shown_services")}
    assert slots["shown_services"], texts
    return slots, texts


def test_where_names_the_services_just_shown():
    slots, shown = shown_after("bouffe a trois-pistoles", "need_food_aid")
    dispatcher, events, texts = run(ActionFollowupWhere(), make_tracker("c'est où?", "ask_where", slots=slots))
    assert events == []
    assert "De quoi avez-vous besoin" not in texts  # never the menu
    lines = texts.splitlines()
    assert len(lines) == len(slots["shown_services"])
    assert all(line.split(" : ")[0] in shown for line in lines)


def test_phone_of_the_services_just_shown():
    slots, shown = shown_after("bouffe a trois-pistoles", "need_food_aid")
    _, _, texts = run(ActionFollowupPhone(), make_tracker("c'est quoi le numéro?", "ask_phone", slots=slots))
    lines = texts.splitlines()
    assert len(lines) == len(slots["shown_services"])
    assert all(line.split(" : ")[0] in shown for line in lines)
    assert all(any(ch.isdigit() for ch in line) or "211" in line or "site" in line for line in lines)


def test_follow_up_with_nothing_shown_asks_for_the_need():
    _, _, texts = run(ActionFollowupWhere(), make_tracker("c'est où?", "ask_where"))
    assert "pas encore montré" in texts and "211" in texts


@pytest.mark.parametrize(
    "action, text, intent",
    [
        (ActionFollowupWhere(), "le frigo de Matane c'est où?", "ask_where"),
        (ActionFollowupPhone(), "c'est quoi le numéro du frigo libre-service à Matane", "ask_phone"),
    ],
)
def test_follow_up_asked_first_with_a_need_shows_that_need(action, text, intent):
    # A first message that reads like a follow-up but names the need: its services, not "nothing shown".
    _, events, texts = run(action, make_tracker(text, intent))
    assert "pas encore montré" not in texts
    assert "Frigo d'essai de Matane" in texts
    assert slot(events, "need") == "frigo-libre-service"
    assert slot(events, "shown_services")


def test_follow_up_asked_first_with_a_vague_need_still_asks():
    # "le service" names no category: no guess, the question for the need stays.
    _, events, texts = run(ActionFollowupPhone(), make_tracker("c'est quoi le numéro du service", "ask_phone"))
    assert "pas encore montré" in texts and events == []


def test_opening_hours_asked_first_with_a_need_names_its_services():
    _, _, texts = run(ActionOpeningHours(), make_tracker("la popote d'Amqui est-tu ouverte demain?", "ask_hours"))
    assert "Popote d'essai d'Amqui" in texts
    assert "De quel service" not in texts


def test_for_someone_else_naming_a_need_answers_it_for_the_relative_place():
    # Read as "for someone else" by the classifier, the need named in the directory's words is not asked again.
    text = "je suis à Rimouski mais mon père est à Amqui, il aurait besoin de repas"
    _, events, texts = run(ActionForSomeoneElse(), make_tracker(text, "for_someone_else"))
    assert "Popote d'essai d'Amqui" in texts and "De quoi la personne a-t-elle besoin" not in texts
    assert slot(events, "need") == "repas"


def test_for_someone_else_without_a_need_asks_for_it():
    _, _, texts = run(ActionForSomeoneElse(), make_tracker("c'est pour ma voisine à Amqui", "for_someone_else"))
    assert "De quoi la personne a-t-elle besoin" in texts


def test_not_useful_apologises_and_gives_211():
    dispatcher, _, texts = run(ActionFollowupNotUseful(), make_tracker("t'es pas utile", "complain_not_useful"))
    assert "désolé" in texts.lower() and "2-1-1" in texts
    assert not any(m.get("buttons") for m in dispatcher.messages)


def test_violence_line_is_followed_by_a_question_when_the_place_is_unknown():
    _, _, texts = run(ActionCrisisViolence(), make_tracker("mon chum me frappe", "crisis_violence"))
    assert "municipalité" in texts


def test_violence_with_a_place_never_fails():
    dispatcher, events, _ = run(ActionCrisisViolence(), make_tracker("mon chum me frappe, chu a Rimouski", "crisis_violence"))
    assert events == []
    assert all("problème technique" not in (m.get("text") or "") for m in dispatcher.messages)


def test_mrc_resources_grouped_by_category_then_campaign():
    _, events, texts = run(ActionMrcResources(), make_tracker("toutes les ressources de ma MRC", "need_resource_list",
                                                             metadata={"mrc": "les-basques"}))
    assert "MRC des Basques" in texts
    assert "• Aide alimentaire" in texts
    assert "aucun service" not in texts
    assert texts.count("• ") >= 2
    assert slot(events, "need") == "ressources-mrc"


def test_mrc_resources_after_asking_the_place():
    _, _, texts = run(ActionMrcResources(), make_tracker("toutes les ressources de ma MRC", "need_resource_list"))
    assert "MRC" in texts and "habitez" in texts
    _, _, texts = run(ActionFindServices(), make_tracker("trois-pistoles", "inform_place", slots={"need": "ressources-mrc"}))
    assert "MRC des Basques" in texts and "• " in texts


def test_group_by_category_keeps_taxonomy_order_and_skips_region_lines():
    from tests.actions.test_judgment_units import result

    groups = group_by_category(
        [result("b", ("repas",)), result("a", ("aide-alimentaire", "repas")), result("r", ("aide-alimentaire",), scope="region")],
        [("aide-alimentaire", "Aide alimentaire"), ("repas", "Repas")],
    )
    assert [(label, [r.id for r in rs]) for label, rs in groups] == [("Aide alimentaire", ["a"]), ("Repas", ["b"])]


def test_two_needs_answer_the_first_and_offer_the_other():
    dispatcher, events, texts = run(
        ActionFindServices(),
        make_tracker("on a pu rien à manger pis j'aurais besoin de livraison d'épicerie, trois-pistoles", "need_food_aid"),
    )
    assert "Voici ce que j'ai trouvé pour l'aide alimentaire à Trois-Pistoles" in texts
    offers = [m for m in dispatcher.messages if m.get("buttons") and "aussi" in (m.get("text") or "")]
    assert offers and offers[0]["buttons"][0]["payload"] == "/need_grocery_delivery"
    assert slot(events, "other_needs") == []


def test_other_needs_remembered_until_the_place_is_known():
    _, events, texts = run(ActionFindServices(), make_tracker("un frigo pis des repas svp", "need_fridge"))
    assert slot(events, "other_needs") == ["repas"]
    tracker = make_tracker("matane", "inform_place", slots={"need": "frigo-libre-service", "other_needs": ["repas"]})
    dispatcher, events, texts = run(ActionFindServices(), tracker)
    assert any(b["payload"] == "/need_meals" for m in dispatcher.messages for b in m.get("buttons") or [])


def test_other_needs_from_synonyms(judgment_engine):
    with open_session(judgment_engine) as session:
        matcher = need_matcher(session)
    assert other_needs("de la bouffe pis un frigo", "aide-alimentaire", matcher) == ["frigo-libre-service"]
    assert other_needs("de la bouffe", "aide-alimentaire", matcher) == []
    assert other_needs("livraison d'épicerie", "livraison-epicerie", matcher) == []
    assert offer_messages([]) == []


def test_relative_place_wins_and_both_are_kept():
    _, events, texts = run(
        ActionFindServices(), make_tracker("je suis à Rimouski mais mon père est à Amqui, y a tu de la popote", "need_meals")
    )
    assert slot(events, "place_ref") == "municipality:amqui"
    assert slot(events, "resident_place_ref") == "municipality:rimouski"
    assert "Popote d'essai d'Amqui" in texts and "Rimouski" not in texts
