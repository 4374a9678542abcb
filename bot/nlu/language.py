"""Which language a message is written in, and what Phare does with it.

`detect_language` wraps py3langid (its model ships inside the package: no
download) with guards measured on short messages: langid alone reads "ok
merci bye" as English, joual ("y a tu un frigo a matane") as Spanish, "on est
4 pis on a rien a manger" and "c'est gentil" as English (confidence 0.97 and
0.99), and "i need a shelter bed tonight in Rivière-du-Loup" as French (the
place name). So a message changes the conversation's language only when it has
at least three words that are not shared by French and English ("ok", "bye"…),
langid is confident, and the language's own small words agree: English needs
more English function words ("the", "need", "where"…) than French ones ("je",
"pas", "pour"…), French needs at least as many French ones, Spanish needs two
words only Spanish has. Three English function words and no French one make a
message English whatever langid says (place names fool it). Anything else
returns None: the conversation keeps its language (French by default).

`LanguageDetector` is a Rasa 3.6 graph component: it adds a `language`
entity ("fr", "en" or "es") that fills the `language` slot (domain.yml), so
the answers stay in that language for the rest of the conversation. A
message in another language than French or English becomes the
`other_language` intent (a short note, in that language, that the 211 offers
interpreters) unless it is a crisis.
"""
from __future__ import annotations

import functools
import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from directory.text import strip_accents

from .stateless import StatelessComponent

LANGUAGES = ("fr", "en", "es")
OTHER_LANGUAGE_INTENT = "other_language"
MIN_WORDS = 3
MIN_CONFIDENCE = 0.95

# Words French and English residents both write: they say nothing of the language.
_NEUTRAL = frozenset(
    "ok okay oki bye allo hello hi help merci thanks svp please oui yes non no go lol sorry cool super "
    "top taxi stop info ou le la a i".split()
)
# Words only Spanish has (folded): required before a message is taken as Spanish.
_SPANISH_ONLY = frozenset(
    "hola necesito ayuda favor hablas habla espanol comida quiero tengo donde gracias puedo usted ustedes "
    "buenos buenas dias necesitamos trabajo vivienda estoy tiene hay como".split()
)

# Words of one language only (folded; none that both languages use, like "on", "a", "me", "ou"):
# function words, contractions and elisions, and the words residents use most for their needs.
_ENGLISH_ONLY = frozenset(
    "the is are am was were be been being i you your my we our they them their he she his her it its this that these "
    "those there need needs want looking where what when how who which any some can could would should will do does "
    "did have has had get got and of to in for with from at near now later tonight today tomorrow anyone anybody "
    "someone something just not don isn aren didn doesn won 'm 't 's 're 've 'll 'd food bank shelter speak "
    "english feel feeling living life call show tell give more other since outside".split()
) - _NEUTRAL
_FRENCH_ONLY = frozenset(
    "je tu il elle nous vous ils elles les des du un une est ca pas pour avec mon ma mes ton ta tes son sa ses "
    "notre votre leur qui que quoi quand comment pis chu jsuis suis ai avons besoin rien faim manger nourriture "
    "aide cherche bonjour salut gentil y dans sur chez mais donc aussi tres trop bien ben c' j' l' d' m' t' s' n' "
    "qu' frigo gratuit bouffe epicerie depannage logement loyer panier comptoir popote cuisine anti-gaspillage".split()
) - _NEUTRAL
_FRENCH_ELISIONS = frozenset("c j l d m t s n qu jusqu".split())
_ENGLISH_CONTRACTIONS = frozenset("m t s re ve ll d".split())


def _words(text: str) -> list[str]:
    """Folded words; a hyphenated name stays one ("riviere-du-loup" has no "du"); "j'ai" is j' + ai, "don't" don + 't."""
    words: list[str] = []
    folded = strip_accents(text or "").lower().replace("\u2019", "'")
    for token in re.findall(r"[a-z0-9]+(?:['-][a-z0-9]+)*", folded):
        head, apostrophe, tail = token.partition("'")
        if apostrophe and head in _FRENCH_ELISIONS:
            words += [head + "'", tail]
        elif apostrophe and tail in _ENGLISH_CONTRACTIONS:
            words += [head, "'" + tail]
        else:
            words.append(token)
    return words


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ "fr", "en" or "es" when the message clearly is; None when it cannot tell."""
    words = [w for w in _words(text) if not w.isdigit()]
    telling = [w for w in words if w not in _NEUTRAL]
    if len(telling) < MIN_WORDS:
        return None
    english = sum(w in _ENGLISH_ONLY for w in words)
    french = sum(w in _FRENCH_ONLY for w in words)
    if english >= 3 and french == 0:
        return "en"
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return None
    if language == "en" and french and english <= french:
        return None
    if language == "fr" and french < english:
        return None
    if language == "es" and len(set(words) & _SPANISH_ONLY) < 2:
        return None
    return language


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(StatelessComponent):
    """Adds the `language` entity; other languages become `other_language` (never over a crisis)."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button's payload
            language = detect_language(text)
            if language is None:
                continue
            entities = list(message.get(ENTITIES) or [])
            entities.append({"entity": "language", "value": language, "start": 0, "end": len(text),
                             "extractor": "LanguageDetector", "confidence_entity": 1.0})
            message.set(ENTITIES, entities, add_to_output=True)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
            if language not in ("fr", "en") and not intent.startswith("crisis_"):
                forced = {INTENT_NAME_KEY: OTHER_LANGUAGE_INTENT, "confidence": 1.0}
                message.set(INTENT, forced, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [dict(forced)], add_to_output=True)
        return messages
