"""Two adjustments to Rasa, applied by Phare's Rasa entry point (`bot.rasa_server`).

- Logs: `rasa run` installs coloured text logs on the root logger after it
  has read any `--logging-config-file`; Phare hands that step to
  `bot.logging_setup` (JSON lines, no message text, no phone number).
- Speed: Rasa checks every action server answer with `jsonschema.validate()`,
  which first re-checks the schema itself against the JSON Schema
  meta-schema, at every action. Measured with py-spy under `make bench-load`,
  that was a third of the Rasa process's CPU. The schema never changes, so
  one compiled validator checks valid answers; an invalid answer still goes
  through Rasa's own code, which raises its own error message.
"""
from __future__ import annotations

from typing import Any, Dict

from bot.logging_setup import configure_logging


def structured_logging() -> None:
    import rasa.utils.io

    rasa.utils.io.configure_colored_logging = configure_logging


def compiled_action_validation() -> None:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    rasa_validation = getattr(RemoteAction._validate_action_result, "rasa_validation",
                              RemoteAction._validate_action_result)
    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        return rasa_validation(self, result)

    validate_action_result.rasa_validation = rasa_validation  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result


def apply() -> None:
    structured_logging()
    compiled_action_validation()
