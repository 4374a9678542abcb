"""Rasa's own command line (`python -m bot.rasa_server run …`) with Phare's adjustments.

JSON logs from the first line, and a faster check of the action server's
answers (see `bot.rasa_patches`). Everything else is `rasa`.
"""
from __future__ import annotations

import os
import sys

from bot.logging_setup import configure_logging
from phare.settings import SettingError, settings

try:
    settings()
except SettingError as exc:
    print(exc, file=sys.stderr)
    raise SystemExit(2) from None
# Before Rasa is imported, so that its import-time warnings are JSON lines too;
# TensorFlow's C++ core writes straight to stderr, so only its errors get through
# (Rasa sets the same value, but only after TensorFlow is imported).
configure_logging()
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"

from rasa.__main__ import main  # noqa: E402

from bot import rasa_patches  # noqa: E402

if __name__ == "__main__":
    rasa_patches.apply()
    main()
