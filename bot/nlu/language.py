"""Which language a message is written in, and what Phare does with it.

`detect_language` wraps py3langid (its model ships inside the package: no
download) with guards measured on short messages: langid alone reads "ok
merci bye" as English and joual ("y a tu un frigo a matane") as Spanish.
So a message changes the conversation's language only when it has at least
three words that are not shared by French and English ("ok", "bye", place
names…), langid is confident, and, for Spanish, the message also uses words
that only Spanish has. Anything else returns None: the conversation keeps
its language (French by default).

`LanguageDetector` is a Rasa 3.6 graph component: it adds a `language`
entity ("fr", "en" or "es") that fills the `language` slot (domain.yml), so
the answers stay in that language for the rest of the conversation. A
message in another language than French or English becomes the
`other_language` intent (a short note, in that language, that the 211 offers
interpreters) unless it is a crisis.
"""
from __future__ import annotations

import functools

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from directory.text import fold

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


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str) -> str | None:
    """ "fr", "en" or "es" when the message clearly is; None when it cannot tell."""
    words = [w for w in fold(text or "").split() if not w.isdigit()]
    telling = [w for w in words if w not in _NEUTRAL]
    if len(telling) < MIN_WORDS:
        return None
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
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
