"""Who serves where: the one SQL condition on ServiceArea shared by search, coverage, the admin and the API.

An area is the whole region, a whole MRC or one municipality (its MRC is
stored with it by every writer: seed, admin form, CSV import, restore). A
resident of a municipality is served by areas naming that municipality, its
MRC or the region; a resident who names only an MRC, by the MRC, any of its
municipalities or the region. Values may be literals or `bindparam`s (search
builds its statements once and binds at execution).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql import ColumnElement, Select

from .models import ServiceArea


def area_serves(kind: str, mrc_id: Any = None, municipality_id: Any = None, *, region: bool = True) -> ColumnElement[Any]:
    """SQL condition on ServiceArea: this area serves a place of `kind` ("municipality", "mrc", "region").

    `region=False` leaves out region-wide areas ("local to this MRC", as the
    coverage report and the staff's MRC scope mean it).
    """
    parts: list[ColumnElement[Any]] = []
    if kind == "municipality":
        parts.append(and_(ServiceArea.scope == "municipality", ServiceArea.municipality_id == municipality_id))
        parts.append(and_(ServiceArea.scope == "mrc", ServiceArea.mrc_id == mrc_id))
    elif kind == "mrc":
        parts.append(and_(ServiceArea.scope.in_(("mrc", "municipality")), ServiceArea.mrc_id == mrc_id))
    if region:
        parts.append(ServiceArea.scope == "region")
    if not parts:
        return false()
    return parts[0] if len(parts) == 1 else or_(*parts)


def services_serving(kind: str, mrc_id: Any = None, municipality_id: Any = None, *, region: bool = True) -> Select:
    """SELECT of the ids of services with an area that serves the place (for `Service.id.in_(…)`)."""
    return select(ServiceArea.service_id).where(area_serves(kind, mrc_id, municipality_id, region=region))


def services_local_to_mrc(mrc_id: Any) -> Select:
    """Ids of services offered in this MRC or one of its municipalities (region-wide lines left out)."""
    return services_serving("mrc", mrc_id, region=False)


def services_region_wide() -> Select:
    return services_serving("region")


__all__ = ["area_serves", "services_local_to_mrc", "services_region_wide", "services_serving"]
