"""The checkout's root conftest: pytest puts this directory first on sys.path.

Test modules are packages under `tests/` (an `__init__.py` in every folder),
so they are imported by their full dotted name (`tests.bot.channels.sms.test_sms_channel`)
and two test files may share a base name in different folders. Shared helpers
are imported as `tests.support`, and `directory`, `bot`, `web`… resolve to this
checkout whatever the current directory. The fixtures are in `tests/conftest.py`.
"""
