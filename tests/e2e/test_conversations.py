"""End-to-end conversations through the trained model and the running servers (REST)."""
from __future__ import annotations

import functools
from collections import Counter

import pytest
import yaml

from directory.gazetteer import default_gazetteer
from directory.seed import seed_files

pytestmark = pytest.mark.e2e

# How a resident asks for each category, and three MRCs (a town in each) to ask from.
ASKS = {
    "aide-alimentaire": "jai pu rien a manger, y a tu du depannage alimentaire a {town}",
    "frigo-libre-service": "y a tu un frigo libre-service à {town}?",
    "soutien-telephonique": "chu tout seul pis jaimerais ca parler a quelqu'un au telephone, je reste a {town}",
    "livraison-epicerie": "je peux pu sortir, quelqu'un peut tu me livrer mon epicerie a {town}",
    "repas": "je cherche des repas cuisinés pour ma mère à {town}",
    "cuisine-collective": "une cuisine collective a {town}?",
    "jardin": "je voudrais faire un potager, y a tu de l'aide pour jardiner a {town}",
    "livres-a-domicile": "ma grand-mère voudrait emprunter des livres à domicile, elle est à {town}",
    "immigration": "je viens d'arriver au Canada et j'ai droit a aucune aide d'urgence, je suis a {town}",
    "familles-enfants": "j'ai besoin d'aide pour mes enfants, on est une famille a {town}",
    "logement-social": "je suis locataire en HLM a {town}, j'ai besoin d'un suivi",
    "ressources-mrc": "c'est quoi la liste des ressources pour {town}",
    "defense-droits": "jai un probleme avec mon cheque d'aide sociale, je suis a {town}",
}
TOWNS = {
    "la-matanie": "Matane", "la-matapedia": "Amqui", "la-mitis": "Mont-Joli", "rimouski-neigette": "Rimouski",
    "les-basques": "Trois-Pistoles", "riviere-du-loup": "Cacouna", "temiscouata": "Dégelis", "kamouraska": "Saint-Pascal",
}
MRC_TRIPLES = [("les-basques", "la-matanie", "kamouraska"), ("rimouski-neigette", "la-matapedia", "temiscouata"),
               ("la-mitis", "riviere-du-loup", "les-basques")]


@functools.lru_cache(maxsize=1)
def seed_services() -> tuple:
    """Active services of every seed file (regional lines and the eight local files), parsed once."""
    return tuple(
        service
        for path in seed_files()
        for org in yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for service in org.get("services") or []
        if (service.get("status") or "active") == "active"
    )


@functools.cache
def municipality_of(town: str) -> str:
    return default_gazetteer().resolve(town).place.municipality_id


def area_mrc(area: dict) -> str | None:
    if area.get("municipality"):
        return default_gazetteer().municipality(area["municipality"]).mrc_id
    return area.get("mrc")


def of_need(service: dict, category: str) -> bool:
    # "The resources of my MRC" lists every need of the MRC.
    return category == "ressources-mrc" or category in service["categories"]


def local_names(category: str, mrc: str, town: str | None = None) -> list[str]:
    """Services of this need offered to the whole MRC, or to the town itself."""
    here = municipality_of(town) if town else None
    return [s["name"] for s in seed_services() if of_need(s, category) and any(
        (a.get("mrc") == mrc and not a.get("municipality")) or (here and a.get("municipality") == here)
        for a in s["areas"])]


def foreign_names(category: str, mrc: str) -> list[str]:
    """Services of this need offered only in other MRCs."""
    return [s["name"] for s in seed_services() if of_need(s, category)
            and not any(a.get("region") or area_mrc(a) == mrc for a in s["areas"])]


CASES = [(cat, mrc) for i, cat in enumerate(ASKS) for mrc in MRC_TRIPLES[i % 3]]


# 39 conversations that check what the model understands and the answer it gives; the search behind
# them runs on PostgreSQL in tests/directory/test_search.py, so the PostgreSQL pass keeps only the other tests here.
@pytest.mark.same_on_every_engine
@pytest.mark.parametrize("category,mrc", CASES)
def test_every_category_in_three_mrcs(chat, category, mrc):
    conversation = chat()
    answer = conversation.say(ASKS[category].format(town=TOWNS[mrc]))
    expected = local_names(category, mrc, TOWNS[mrc])
    if expected:
        assert any(name in answer for name in expected), f"{category}@{mrc}: expected one of {expected}\n{answer}"
    else:
        assert "aucun service" in answer and "211" in answer, answer
    others = foreign_names(category, mrc)
    before_nearby = answer.split("MRC voisine")[0]
    for name in others:
        if name not in expected:
            assert name not in before_nearby, f"{name} (another MRC) presented as local for {mrc}"


def test_done_criteria_frigo_matane(chat):
    answer = chat().say("y a tu un frigo libre-service à Matane?")
    fridges = local_names("frigo-libre-service", "la-matanie", "Matane")
    assert fridges and any(name in answer for name in fridges), answer


def test_done_criteria_crisis(chat):
    answer = chat().say("je veux pu vivre")
    assert "1 866 APPELLE" in answer


@pytest.mark.parametrize("text,expected", [
    ("jveux mourir", "1 866 APPELLE"),
    ("mon chum me frappe pis jai peur", "1 800 363-9010"),
    ("mon pere respire pu", "911"),
])
def test_crisis_wins(chat, text, expected):
    assert expected in chat().say(text)


def crisis_rows(env: dict, level: str) -> list[tuple]:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["PHARE_DATABASE_URL"], future=True)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(
                "SELECT mrc_id, channel, category_id FROM need_log WHERE kind = 'crisis' AND crisis_level = :level"),
                {"level": level})]
    finally:
        engine.dispose()


@pytest.mark.parametrize("text,line,level,mrc", [
    ("je veux pu vivre", "1 866 APPELLE", "suicide", None),
    ("mon pere respire pu, on est a Amqui", "911", "medical", "la-matapedia"),
    ("mon petit fait de la fièvre", "811", "health", None),
])
def test_every_crisis_is_counted_for_the_dashboard(phare, chat, text, line, level, mrc):
    """The fixed crisis line, then one anonymous need-log row with its level; the counting says nothing."""
    before = crisis_rows(phare["env"], level)
    c = chat()
    answer = c.say(text)
    assert line in answer and len(c.last) == 1, c.last  # the line, and nothing from the counting action
    after = crisis_rows(phare["env"], level)
    assert len(after) == len(before) + 1
    assert Counter(after) - Counter(before) == Counter([(mrc, "rest", None)])  # its MRC when known, never a category


def test_need_then_place(chat):
    c = chat()
    assert "municipalité" in c.say("jai faim")
    assert "Croc-Ensemble" in c.say("trois pistoles")


def test_place_then_need_then_remembered_then_changed(chat):
    c = chat()
    c.say("bonjour, chu a matane")
    assert any(name in c.say("un frigo libre service?") for name in local_names("frigo-libre-service", "la-matanie", "Matane"))
    c.say("pis de la bouffe?")
    answer = c.say("et à Trois-Pistoles?")
    assert "Croc-Ensemble" in answer


def test_postal_codes(chat):
    c = chat()
    c.say("on a besoin d'aide pour nos enfants")
    family = local_names("familles-enfants", "rimouski-neigette", "Rimouski")
    assert any(name in c.say("G5L 3A1") for name in family)
    c2 = chat()
    c2.say("besoin de bouffe")
    assert "code postal complet" in c2.say("G0L")
    assert "Croc-Ensemble" in c2.say("G0L 4K0")


def test_out_of_scope_and_robot_and_human(chat):
    c = chat()
    assert "211" in c.say("c quoi la meteo demain")
    assert "automatisé" in c.say("es-tu un robot?")
    assert "211" in c.say("je veux parler a une vraie personne")


def test_hours(chat):
    c = chat()
    c.say("bouffe a trois-pistoles")
    answer = c.say("c'est tu ouvert aujourd'hui?")
    assert "Croc-Ensemble" in answer or "Moisson" in answer


def test_no_result_is_honest(chat):
    answer = chat().say("des livres a domicile pour ma mere a Saint-Pascal")
    assert "aucun service" in answer and "211" in answer


def test_site_mrc_preset(chat):
    answer = chat({"mrc": "les-basques"}).say("jai besoin de bouffe")
    assert "Croc-Ensemble" in answer


def test_fallback_offers_categories(chat):
    c = chat()
    c.say("blurp zzkq")
    assert c.buttons(), "the fallback offers the categories as buttons"


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "a" * 2000, "<script>alert(1)</script>", "'; DROP TABLE events; --"])
def test_bad_input_gets_an_answer(chat, text):
    assert chat().say(text).strip()


def test_restart_forgets(chat):
    c = chat()
    c.say("bouffe a trois-pistoles")
    c.say("/restart")
    assert "municipalité" in c.say("pis un frigo?")
