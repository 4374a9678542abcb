"""`python -m web --port 8000` starts the web server (see web.app)."""
from __future__ import annotations

# Before the imports of web.app, so that their import-time warnings are JSON lines too.
from bot.logging_setup import configure_logging as _configure_early

_configure_early()

from web.app import main  # noqa: E402

raise SystemExit(main())
