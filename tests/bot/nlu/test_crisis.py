"""detect_crisis: high-precision crisis patterns (Québec French, joual, SMS)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis import DIET_CRISIS_MIN_CONFIDENCE, CrisisOverride, detect_crisis, known_idiom

SUICIDE = [
    "je veux pu vivre",
    "J'veux pu vivre",
    "jveux pu vivre",
    "je veux plus vivre",
    "j'veux mourir",
    "jveux mourir",
    "je veux mourir",
    "j'ai envie de mourir",
    "jai envie d mourir",
    "je voudrais juste mourir",
    "je veux me tuer",
    "jvais me tuer",
    "j'vas me tuer ce soir",
    "je pense à me tuer",
    "je vais me suicider",
    "j'ai pensé au suicide",
    "j'ai des idées suicidaires",
    "chu suicidaire",
    "je pense au sucide",
    "je veux en finir",
    "j'veux en finir avec la vie",
    "je veux en finir une fois pour toutes",
    "chu pu capable de vivre",
    "je suis plus capable de vivre de même",
    "j'ai pu le goût de vivre",
    "j'ai plus envie de vivre",
    "je vais mettre fin à mes jours",
    "je veux mettre fin à ma vie",
    "j'ai le goût de m'enlever la vie",
    "tout le monde serait mieux sans moi",
    "la vie vaut pu rien",
    "ça vaut pu la peine de vivre",
    "j'ai des idées noires",
    "je pense à me jeter en bas du pont",
    "mon ami veut se suicider",
    "ma fille parle de mourir",
    "mon fils menace de se tuer",
    "je me scarifie",
    "jveux me faire du mal",
    "SUICIDE",
    "aucune raison de vivre",
    "j'ai préparé ce qu'il faut pour me tuer",
    "j'ai une lettre d'adieu sur la table",
    "j'ai acheté des pilules pour mourir",
    "je planifie mon suicide",
]

VIOLENCE = [
    "mon chum me frappe",
    "mon chum m'a frappée hier soir",
    "il me bat",
    "y me bat quand il boit",
    "il m'a battue",
    "i m'a frappé",
    "elle me frappe",
    "mon mari me bat",
    "j'ai peur de mon mari",
    "j'ai peur de mon chum",
    "jai peur de mon ex",
    "violence conjugale",
    "je vis de la violence conjugale",
    "je suis victime de violence",
    "il menace de me tuer",
    "mon ex m'a menacée de me tuer",
    "il va me tuer",
    "mon chum va me tuer",
    "il m'a étranglée",
    "mon conjoint me pousse pis me crie dessus",
    "je me fais battre",
    "je me fais frapper par mon chum",
    "il frappe mes enfants",
    "il m'a violée",
    "agression sexuelle",
    "j'ai peur qu'il me frappe encore",
    "j'ai peur pour ma vie",
    "j'ai peur de rentrer chez nous",
    "il m'enferme dans la maison",
    "mon chum me fait peur",
    "il m'a menacée avec un couteau",
    "il m'a serré la gorge",
    "il a mis ses mains autour de mon cou",
    "mon ex me menace de mort",
]

MEDICAL = [
    "mon père fait une crise cardiaque",
    "crise cardiaque",
    "il a fait une overdose",
    "mon chum fait une surdose",
    "elle respire pu",
    "il respire pas",
    "mon bébé respire plus",
    "il est inconscient",
    "ma mère est inconsciente",
    "elle a perdu connaissance",
    "il saigne beaucoup",
    "ça saigne en masse",
    "j'ai une douleur à la poitrine",
    "j'ai mal à la poitrine",
    "je pense qu'il fait un AVC",
    "avc",
    "elle fait des convulsions",
    "il s'étouffe",
    "il a avalé une bouteille de pilules",
    "j'ai pris trop de pilules",
    "elle est tombée pis elle est pu capable de se relever",
    "appelez une ambulance",
    "il réagit pu",
    "choc anaphylactique",
    "je suis pu capable de respirer",
    "y a du sang partout",
    "ma fille a avalé plein de pilules",
    "il a pris une poignée de comprimés",
]

NEGATIVE = [
    "tuer le temps",
    "je cherche quelque chose pour tuer le temps",
    "je meurs de faim",
    "chu mort de rire",
    "mdr",
    "mort de rire",
    "je vais mourir de rire",
    "ça me tue ces prix-là",
    "je me tue à l'ouvrage",
    "frapper à la porte",
    "quelqu'un frappe à la porte",
    "la violence à la télé",
    "la violence dans les jeux vidéo",
    "respire par le nez",
    "j'ai hâte d'en finir avec mes impôts",
    "je veux en finir avec ce formulaire",
    "il est inconscient du danger",
    "c'est inconscient de sa part",
    "mon père a fait un AVC l'an passé, il a besoin de repas",
    "depuis son AVC ma mère mange mal",
    "ma mère a fait une crise cardiaque il y a 2 ans",
    "je prends mes médicaments le matin",
    "j'ai pris tous mes médicaments",
    "le 211 répond pas",
    "jai faim",
    "besoin de manger",
    "y a tu un frigo libre-service à Matane?",
    "mon chum a pu de job",
    "il me tape sur les nerfs",
    "je suis mort de fatigue",
    "la vie coûte cher",
    "je veux vivre dans un logement moins cher",
    "je suis pu capable de payer mon loyer",
    "chu pu capable",
    "mon voisin est tout seul",
    "c pour ma mere",
    "le CH a perdu hier",
    "bonjour",
    "je veux parler à une vraie personne",
    "mon char est mort",
    "j'ai besoin de bouffe a trois-pistoles",
    "j'étouffe dans mon petit appartement",
    "je vais me tirer une balle dans le pied avec ce budget",
    "",
    "   ",
]


HEALTH = [
    "mon bébé fait de la fièvre",
    "j'ai pu de médicaments pour ma pression",
    "je vais manquer de pilules avant lundi",
    "ma prescription est expirée",
    "j'ai une question sur ma santé",
    "my son has a fever",
    "I ran out of my meds",
]

INDIRECT_SUICIDE = [
    "à quoi bon",
    "j'en peux pu",
    "jen peu pu",
    "je me rendrai pas à demain",
    "tout le monde serait mieux sans moi",
    "je suis un poids pour ma famille",
    "j'ai envie de disparaître",
    "jveu pu vivre",
    "I don't want to be here anymore",
    "everyone would be better off without me",
]

NOT_INDIRECT = [
    "Non, ce ne sera pas la peine.",  # "sera pas là" (won't be there) is a crisis; "pas la peine" is a polite no
    "à quoi bon acheter un char neuf",
    "j'en peux pu de la neige",
    "je vais disparaître une semaine au chalet",
    "j'ai le goût de disparaître sous ma couverture",
    "je me suis fait battre aux cartes",
    "mon frère m'a battu aux échecs",
    "je fais une overdose de chocolat",
    "c'est quoi le numéro de SOS violence conjugale? c'est pour une affiche au bureau",
    "je cherche de l'info sur la prévention du suicide pour mon cours",
    "j'ai pu d'espoir de trouver un logement",
    "arrêter de fumer pour de bon",
    "this traffic is killing me",
    # a bed for tonight is a shelter need (need_shelter), not despair
    "je sais pas où je vais passer la nuit",
    "jsais pas ou je vais passer la nuit a soir",
]


@pytest.mark.parametrize("text", HEALTH)
def test_health_questions_go_to_811(text):
    assert detect_crisis(text) == "crisis_health"


@pytest.mark.parametrize("text", INDIRECT_SUICIDE)
def test_indirect_suicide(text):
    assert detect_crisis(text) == "crisis_suicide"


@pytest.mark.parametrize("text", NOT_INDIRECT)
def test_not_indirect(text):
    assert detect_crisis(text) is None


def test_fever_with_danger_words_is_911():
    assert detect_crisis("mon bébé fait de la fièvre pis il respire pu") == "crisis_medical"


def test_component_turns_a_confident_911_guess_without_urgent_words_into_811():
    message = Message(data={"text": "ma fille est pas bien", "intent": {"name": "crisis_medical", "confidence": 0.95}})
    CrisisOverride({}).process([message])
    assert message.get("intent") == {"name": "crisis_health", "confidence": 1.0}


IDIOMS = [
    "je crève de faim",
    "on meurt de soif icitte",
    "mort de rire",
    "ça me tue ces factures-là",
    "les enfants me tuent à matin",
    "je me tue à l'ouvrage pour rien",
    "mon char est mort dans l'entrée",
    "mon cell m'a lâché",
    "la batterie est à plat",
    "c'est plate à mourir icitte",
    "le spectacle était vraiment mortel",
    "quelqu'un frappe à la porte",
    "j'ai frappé un chevreuil sur la 132",
    "je me suis fait battre aux échecs",
    "respire par le nez",
    "this commute is killing me",
    "my phone died",
    "i'm dying of laughter",
    "je suis tannée de la neige",
    "la série est pas mal violente",
    "c'est violent en tabarnak ce show-là",
    "faut que je tue les maringouins dans la chambre",
    "killing the weeds in my garden",
    "ma fille est tombée amoureuse",
    "je vais disparaître une fin de semaine au camp",
]

NOT_IDIOMS = [
    # crises, or ordinary sentences that only share a word with an idiom
    "il m'a lâché un coup de poing",
    "il va mourir de froid dehors",
    "he is killing me",
    "je suis tannée de la vie",
    "mon chum me frappe",
    "j'ai besoin de bouffe",
    "je me sens pas bien",
    "mon chum est violent",
    "il est violent avec les enfants",
    "on écoutait un film pis mon chum est devenu violent",
    "je veux disparaître pour toujours",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_known_idioms(text):
    assert known_idiom(text)


@pytest.mark.parametrize("text", NOT_IDIOMS)
def test_not_idioms(text):
    assert not known_idiom(text)


def _diet(text, ranking):
    """A message as DIET leaves it: its best guess and the ranking."""
    ranking = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


def _fallback_settings() -> dict:
    config = yaml.safe_load((Path(__file__).resolve().parents[3] / "config.yml").read_text(encoding="utf-8"))
    (entry,) = [c for c in config["pipeline"] if c["name"] == "FallbackClassifier"]
    return {key: entry[key] for key in ("threshold", "ambiguity_threshold")}


def _fallback(message):
    """The real FallbackClassifier of config.yml, after the override."""
    FallbackClassifier(_fallback_settings()).process([message])
    return message.get("intent")["name"]


def test_a_confident_diet_crisis_guess_is_kept():
    message = _diet("je me sens de trop partout", [("crisis_suicide", 0.97), ("need_listening", 0.02)])
    CrisisOverride({}).process([message])
    assert _fallback(message) == "crisis_suicide"


def test_an_unsure_diet_crisis_guess_gives_way_to_the_best_other_intent():
    message = _diet("mon char m'a pas fait de cadeau", [
        ("crisis_violence", DIET_CRISIS_MIN_CONFIDENCE - 0.05), ("out_of_scope", 0.04), ("crisis_medical", 0.01),
    ])
    CrisisOverride({}).process([message])
    intent = message.get("intent")
    assert intent == {"name": "out_of_scope", "confidence": 0.04}
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["out_of_scope", "crisis_violence", "crisis_medical"]
    assert all(r["confidence"] == 0.0 for r in ranking[1:])
    # DIET was not sure of anything else either: the fallback answers (categories, 211)
    assert _fallback(message) == "nlu_fallback"


def test_an_unsure_crisis_guess_with_a_sure_need_behind_becomes_the_need():
    message = _diet("j'ai pu rien dans le frigo", [("crisis_health", 0.5), ("need_food_aid", 0.45)])
    CrisisOverride({}).process([message])
    assert _fallback(message) == "need_food_aid"


def test_an_idiom_never_becomes_a_crisis_even_when_diet_is_sure():
    message = _diet("je meurs de faim", [("crisis_medical", 0.99), ("need_food_aid", 0.01)])
    CrisisOverride({}).process([message])
    assert message.get("intent")["name"] == "need_food_aid"


def test_a_crisis_pattern_wins_over_an_idiom_in_the_same_message():
    message = _diet("ça me tue tout ça, je veux mourir", [("out_of_scope", 0.9), ("crisis_suicide", 0.1)])
    CrisisOverride({}).process([message])
    assert _fallback(message) == "crisis_suicide"


@pytest.mark.parametrize("text", SUICIDE)
def test_suicide(text):
    assert detect_crisis(text) == "crisis_suicide"


@pytest.mark.parametrize("text", VIOLENCE)
def test_violence(text):
    assert detect_crisis(text) == "crisis_violence"


@pytest.mark.parametrize("text", MEDICAL)
def test_medical(text):
    assert detect_crisis(text) == "crisis_medical"


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text):
    assert detect_crisis(text) is None


def test_medical_wins_over_suicide():
    assert detect_crisis("j'ai pris trop de pilules pour en finir") == "crisis_medical"


def test_violence_with_injury_is_medical():
    assert detect_crisis("il m'a battue pis je saigne beaucoup") == "crisis_medical"


def test_none_input():
    assert detect_crisis(None) is None  # type: ignore[arg-type]


def test_component_overrides_diet_prediction():
    message = Message(
        data={
            "text": "chu pu capable de vivre",
            "intent": {"name": "need_phone_support", "confidence": 0.93},
            "intent_ranking": [
                {"name": "need_phone_support", "confidence": 0.93},
                {"name": "crisis_suicide", "confidence": 0.05},
                {"name": "greet", "confidence": 0.02},
            ],
        }
    )
    CrisisOverride({}).process([message])
    assert message.get("intent") == {"name": "crisis_suicide", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert ranking[0] == {"name": "crisis_suicide", "confidence": 1.0}
    assert [r["name"] for r in ranking].count("crisis_suicide") == 1
    # No second intent close enough to trip the fallback's ambiguity check.
    assert all(r["confidence"] == 0.0 for r in ranking[1:])


def test_component_leaves_other_messages_alone():
    intent = {"name": "need_food_aid", "confidence": 0.8}
    message = Message(data={"text": "jai faim", "intent": dict(intent)})
    CrisisOverride({}).process([message])
    assert message.get("intent") == intent
