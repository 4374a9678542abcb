"""Rasa's own command line (`python -m bot.rasa_server run …`) with Phare's JSON logs.

`rasa run` installs coloured text logs on the root logger after it has read
any `--logging-config-file`, replacing the stream handler that file set up.
This entry point hands that one step to `bot.logging_setup` instead, so every
line the Rasa process writes is a JSON object without message text or phone
number, as in the action and web processes. Everything else is `rasa`.
"""
from __future__ import annotations

from bot.logging_setup import configure_logging

# Before Rasa is imported, so that its import-time warnings are JSON lines too.
configure_logging()

import rasa.utils.io  # noqa: E402
from rasa.__main__ import main  # noqa: E402


def _structured_logging(log_level) -> None:
    configure_logging(log_level)


if __name__ == "__main__":
    rasa.utils.io.configure_colored_logging = _structured_logging
    main()
