"""Staff admin of the directory: accounts and roles, service editing with
history and restore, CSV import/export, unmet-needs statistics.

Mounted by bot/web.py under /admin (see directory.admin.routes); the
open-data API lives beside it in directory.api.
"""
