"""Staff admin of the directory: accounts and roles, service editing with
history and restore, CSV import/export, unmet-needs statistics.

Mounted by web.app under /admin: `routes.blueprint` gathers one controller
module per resource (`services.py`, `organizations.py`...), all built on
`pages.py` (request context, templates, `admin_page`); `policy.py` says who
may do what. The open-data API lives beside it in web.api.
"""
