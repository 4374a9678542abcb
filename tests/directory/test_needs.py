"""Free text -> category, through French synonyms."""
import pytest

from directory.needs import CategoryTerms, NeedMatcher

CATEGORIES = [
    CategoryTerms("aide-alimentaire", "Aide alimentaire", ("bouffe", "epicerie", "panier", "comptoir", "manger")),
    CategoryTerms("frigo-libre-service", "Frigos libre-service", ("frigo", "frigo partagé", "frigo communautaire")),
    CategoryTerms("livraison-epicerie", "Livraison d'épicerie", ("livraison d'épicerie", "faire livrer mon épicerie")),
    CategoryTerms("repas", "Repas préparés", ("popote roulante", "repas cuisinés")),
    CategoryTerms("soutien-telephonique", "Soutien téléphonique", ("parler à quelqu'un", "seul", "isolé")),
]


@pytest.fixture(scope="module")
def matcher():
    return NeedMatcher(CATEGORIES)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("bouffe", "aide-alimentaire"),
        ("BOUFFE!!", "aide-alimentaire"),
        ("un frigo partage", "frigo-libre-service"),
        ("Frigo partagé", "frigo-libre-service"),
        ("popote roulante svp", "repas"),
        ("je voudrais une livraison d'epicerie", "livraison-epicerie"),
        ("jai besoin de parler a quelqu'un", "soutien-telephonique"),
        ("frigo-libre-service", "frigo-libre-service"),
        ("popotte roulante", "repas"),  # typo
        ("comptoire", "aide-alimentaire"),  # typo
    ],
)
def test_matches(matcher, text, expected):
    assert matcher.best(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "bonjour", "'; DROP TABLE service; --", "x" * 5000])
def test_no_match_is_none(matcher, text):
    assert matcher.best(text) is None
