"""Adjustments to Rasa 3.6.21, applied by Phare's Rasa entry point (`bot.rasa_server`).

- Version guard: every patch below reaches into Rasa's internals as they are
  in 3.6.21; on any other version Phare refuses to start, in French and English,
  rather than run half-patched.
- Action timeout: Rasa waits up to 300 s for the action server
  (`RemoteAction.run` passes `rasa.core.constants.DEFAULT_REQUEST_TIMEOUT` to
  `EndpointConfig.request`; the endpoint's own settings have no timeout key).
  A hung action server then held every channel past its proxy's timeout.
  PHARE_ACTION_TIMEOUT (5 s by default) replaces that value for action calls;
  the failed action is logged by Rasa and the never-silent net answers with 211.

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

from typing import Any

from bot.logging_setup import configure_logging
from phare.settings import settings

SUPPORTED_RASA = "3.6.21"


class UnsupportedRasa(RuntimeError):
    pass


def check_rasa_version(version: str | None = None) -> None:
    """Refuse, loudly and in both languages, any Rasa other than the one the patches were written for."""
    if version is None:
        import rasa

        version = rasa.__version__
    if version != SUPPORTED_RASA:
        raise UnsupportedRasa(
            f"Phare exige Rasa {SUPPORTED_RASA}, mais Rasa {version} est installé : ses correctifs "
            f"(bot/rasa_patches.py) touchent l'intérieur de Rasa {SUPPORTED_RASA}. Réinstallez avec « make install ». / "
            f"Phare requires Rasa {SUPPORTED_RASA}, but Rasa {version} is installed: its patches "
            f"(bot/rasa_patches.py) reach into Rasa {SUPPORTED_RASA}'s internals. Reinstall with `make install`."
        )


def bounded_action_calls(timeout: float | None = None) -> None:
    import rasa.core.actions.action as action_module

    action_module.DEFAULT_REQUEST_TIMEOUT = settings().action_timeout if timeout is None else timeout


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

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        return rasa_validation(self, result)

    validate_action_result.rasa_validation = rasa_validation  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result


def apply() -> None:
    check_rasa_version()
    structured_logging()
    compiled_action_validation()
    bounded_action_calls()
