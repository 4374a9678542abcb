"""Postal codes extracted by regex only, with no annotated training example.

Rasa 3.6's RegexEntityExtractor keeps only the regexes whose name is an
entity *annotated in some training example* (`use_only_entities=True` is
hard-coded in its `train`). Annotating postal codes in the NLU data would also
teach DIETClassifier to extract `postal_code`, and the contract is one
extractor per entity. This subclass instead keeps the regexes named in its
`entities` config option, so `regex: postal_code` in data/nlu/regex.yml is
enough and DIET never sees a postal_code annotation.
"""
from __future__ import annotations

from typing import Any

import rasa.shared.utils.io
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.nlu.utils import pattern_utils
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class PostalCodeExtractor(RegexEntityExtractor):
    """RegexEntityExtractor restricted to the regexes named in `entities`."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **RegexEntityExtractor.get_default_config(),
            "use_lookup_tables": False,
            "use_regexes": True,
            # names of the `regex:` / `lookup:` entries to extract as entities
            "entities": ["postal_code"],
        }

    def train(self, training_data: TrainingData) -> Resource:
        wanted = set(self._config.get("entities") or [])
        patterns = pattern_utils.extract_patterns(
            training_data,
            use_lookup_tables=self._config["use_lookup_tables"],
            use_regexes=self._config["use_regexes"],
            use_only_entities=False,
            use_word_boundaries=self._config["use_word_boundaries"],
        )
        self.patterns = [p for p in patterns if p["name"] in wanted]
        if not self.patterns:
            rasa.shared.utils.io.raise_warning(
                f"PostalCodeExtractor found no regex named {sorted(wanted)} in the "
                f"training data; add one to data/nlu/regex.yml."
            )
        self.persist()
        return self._resource
