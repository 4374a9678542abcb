"""The services shown in the previous answer, read back from the directory (I/O edge).

`shown_services` holds their ids; `need` and `place_ref` the search that
found them. The search is run again (details are read fresh at every call,
so an edit made in the admin shows at once) and filtered on those ids.
"""
from __future__ import annotations

from rasa_sdk import Tracker

from directory.gazetteer import default_gazetteer
from directory.search import ServiceResult

from .context import now, run_search
from .followups import shown_in_order
from .place import place_from_ref


def shown_services(tracker: Tracker) -> list[ServiceResult]:
    ids = [i for i in (tracker.get_slot("shown_services") or []) if isinstance(i, str)]
    category = tracker.get_slot("need")
    place = place_from_ref(tracker.get_slot("place_ref"), default_gazetteer())
    if not ids or not category or place is None:
        return []
    outcome, _ = run_search(category, place, now(), limit=100)
    return shown_in_order(list(outcome.results) + list(outcome.nearby), ids)
