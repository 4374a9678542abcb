"""The staff admin's blueprint (under /admin): every controller module registers its pages on it.

One module per resource; importing them here is what mounts their routes.
"""
from __future__ import annotations

from . import (  # noqa: F401
    campaigns,
    categories,
    confirm,
    coverage,
    dashboard,
    exchange,
    followup,
    invitations,
    needs,
    organizations,
    services,
    session_routes,
    users,
)
from .pages import blueprint

__all__ = ["blueprint"]
