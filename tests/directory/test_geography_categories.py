"""One place per fact: the MRC from the geography data, the categories from the category data."""
from __future__ import annotations

import csv
import re

import pytest

from directory import categories, geography
from directory.categories import CategoryDataError, parse_categories
from tests.support import ROOT


def test_mrcs_come_from_the_geography_files():
    rows = list(csv.DictReader((geography.GEOGRAPHY_DIR / "mrc.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert [m.id for m in geography.mrcs()] == [r["id"] for r in rows]
    assert len(geography.mrcs()) == 8
    for mrc in geography.mrcs():
        assert re.fullmatch(r"#[0-9a-f]{6}", mrc.accent), mrc.id
        assert mrc.display.startswith("MRC d")


def test_neighbours_are_known_mutual_and_never_self():
    ids = set(geography.mrc_ids())
    for mrc in geography.mrcs():
        assert mrc.neighbours, f"{mrc.id} has no neighbour"
        assert set(mrc.neighbours) <= ids and mrc.id not in mrc.neighbours
        for other in mrc.neighbours:
            assert mrc.id in geography.neighbours(other), f"{mrc.id} -> {other} is not mutual"
    assert geography.neighbours("nowhere") == ()


def test_an_unknown_mrc_in_the_neighbours_file_is_refused(tmp_path):
    (tmp_path / "mrc.tsv").write_text("id\tname\tcode\tseat\taliases\taccent\na\tA\t001\tX\t\t#000000\n", encoding="utf-8")
    (tmp_path / "mrc_neighbours.tsv").write_text("mrc_id\tneighbours\na\tb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="inconnue"):
        geography.load_mrcs(tmp_path)


def test_one_timezone_in_the_directory():
    """The zone name is written once (directory/geography.py); everything else imports it."""
    hits = [
        str(path.relative_to(ROOT)) for path in (ROOT / "directory").rglob("*.py")
        if "America/Toronto" in path.read_text(encoding="utf-8") and path.name not in ("geography.py", "api.py")
    ]
    assert hits == []


def test_search_and_demo_pages_use_the_geography_data():
    from web.webchat.routes import DEMO_SITES

    assert [(s.id, s.name, s.accent) for s in DEMO_SITES] == [(m.id, m.name, m.accent) for m in geography.mrcs()]
    search_source = (ROOT / "directory" / "search.py").read_text(encoding="utf-8")
    assert "riviere-du-loup" not in search_source


def test_who_serves_where_is_written_once():
    """Search, coverage, the admin and the open-data API all filter areas through directory/areas.py."""
    writers = [str(path.relative_to(ROOT)) for folder in ("directory", "bot", "actions", "web")
               for path in (ROOT / folder).rglob("*.py")
               if re.search(r"ServiceArea\.scope\s*(==|\.in_)", path.read_text(encoding="utf-8"))]
    assert writers == ["directory/areas.py"]


def test_intents_and_phrases_come_from_the_category_data():
    from actions.answers import INTENT_TO_CATEGORY, NEED_PHRASES

    assert INTENT_TO_CATEGORY == categories.intent_to_category()
    assert NEED_PHRASES == categories.need_phrases()
    for intent, category_id in {
        "need_food_aid": "aide-alimentaire", "need_shelter": "hebergement-urgence", "crisis_violence": "violence",
        "need_listening": "ecoute", "need_tenant_rights": "droits-locataires", "need_seniors": "aines",
        "need_transport": "accompagnement-transport",
    }.items():
        assert INTENT_TO_CATEGORY[intent] == category_id
    assert NEED_PHRASES["soutien-telephonique"] == "quelqu'un à qui parler"


def test_every_resident_category_has_its_wording_and_a_chain_ending_with_211():
    for category in categories.resident_categories():
        assert category.phrase and category.menu_label and category.label
        assert category.fallback_chain[-1] == categories.LINE_211
    assert categories.fallback_chain("ecoute")[:2] == ("info-sante-info-social-811-ligne", "ligne-1-866-appelle-intervention")
    assert categories.fallback_chain("violence")[0] == "sos-violence-conjugale-ligne"
    assert categories.fallback_chain(None) == (categories.LINE_211,)
    assert set(categories.CORE_NEEDS) <= {c.id for c in categories.menu()}


def test_the_intents_named_in_the_category_data_are_in_the_domain_or_announced():
    """Intents of new needs are added to domain.yml by the NLU zone; the known ones must already be there."""
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    pending = {"need_shelter", "need_listening", "need_tenant_rights", "need_seniors", "need_transport"}
    for intent in categories.intent_to_category():
        assert intent in pending or re.search(rf"^\s*-\s*{intent}\s*$", domain, re.M), intent


def test_the_domain_menus_offer_the_category_data_menu():
    """domain.yml's need buttons are the categories marked `menu: true`, with their menu_label and intent."""
    import yaml

    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    menu = {(c.menu_label, f"/{c.intent}") for c in categories.menu()}

    def buttons(name: str) -> set[tuple[str, str]]:
        found = [(b["title"], b["payload"]) for variant in responses[name] for b in variant.get("buttons", [])]
        assert len(found) == len(set(found)), name
        return set(found)

    assert buttons("utter_ask_help") == menu  # the whole menu, in the domain's order
    assert buttons("utter_out_of_scope") <= menu and len(buttons("utter_out_of_scope")) >= 3


def test_english_need_phrases_come_from_the_category_data():
    from actions.english import need_phrase_en

    assert need_phrase_en("ecoute") == "someone who listens"
    assert need_phrase_en("nulle-part") == need_phrase_en(None) == "this need"
    for category in categories.menu():
        assert category.phrase_en and need_phrase_en(category.id) == category.phrase_en, category.id


def test_category_data_errors_are_explained():
    with pytest.raises(CategoryDataError, match="sans id"):
        parse_categories([{"label": "x"}])
    with pytest.raises(CategoryDataError, match="need_x"):
        parse_categories([{"id": "a", "label": "A", "intent": "need_x"}, {"id": "b", "label": "B", "intent": "need_x"}])
    with pytest.raises(CategoryDataError):
        parse_categories({"id": "a"})
