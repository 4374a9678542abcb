"""The 8 MRC of the Bas-Saint-Laurent, read once from the geography data (the one place for MRC facts).

Ids, names, seats, neighbours and demo accent colours all come from
`data/geography/mrc.tsv` and `data/geography/mrc_neighbours.tsv`; search,
coverage, the demo pages and anyone else ask this module rather than keep
their own list. Also the region's one time zone.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

GEOGRAPHY_DIR = Path(__file__).resolve().parent / "data" / "geography"

# IANA name, as HSDS asks; Québec follows Toronto's rules.
TIMEZONE = "America/Toronto"
TZ = ZoneInfo(TIMEZONE)


@dataclass(frozen=True)
class MrcInfo:
    id: str
    name: str  # "La Mitis"
    code: str  # MAMH code, "090"
    seat: str
    aliases: tuple[str, ...]
    accent: str  # demo-page colour (at least 4.5:1 with white text)
    short: str  # column heading in tables ("RDL", "Matapédia")
    neighbours: tuple[str, ...]  # MRC ids that touch this one, closest first

    @property
    def display(self) -> str:
        """"MRC de La Mitis", "MRC des Basques"."""
        if self.name.startswith("Les "):
            return f"MRC des {self.name[4:]}"
        return f"MRC de {self.name}"


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle, delimiter="\t")]


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


@lru_cache(maxsize=4)
def load_mrcs(directory: Path = GEOGRAPHY_DIR) -> tuple[MrcInfo, ...]:
    """The MRC in the data's order (west to east is not implied)."""
    neighbours = {row["mrc_id"]: _split(row["neighbours"]) for row in _read_tsv(directory / "mrc_neighbours.tsv")}
    rows = _read_tsv(directory / "mrc.tsv")
    ids = {row["id"] for row in rows}
    for mrc_id, others in neighbours.items():
        unknown = (set(others) | {mrc_id}) - ids
        if unknown:
            raise ValueError(f"mrc_neighbours.tsv: MRC inconnue(s) {sorted(unknown)}")
    return tuple(
        MrcInfo(
            id=row["id"],
            name=row["name"],
            code=row["code"],
            seat=row["seat"],
            aliases=_split(row.get("aliases", "")),
            accent=row.get("accent", ""),
            short=row.get("short") or row["name"],
            neighbours=neighbours.get(row["id"], ()),
        )
        for row in rows
    )


def mrcs() -> tuple[MrcInfo, ...]:
    return load_mrcs()


def mrc_ids() -> tuple[str, ...]:
    return tuple(m.id for m in load_mrcs())


@lru_cache(maxsize=1)
def _by_id() -> dict[str, MrcInfo]:
    return {m.id: m for m in load_mrcs()}


def mrc(mrc_id: str) -> MrcInfo | None:
    return _by_id().get(mrc_id)


def neighbours(mrc_id: str) -> tuple[str, ...]:
    info = mrc(mrc_id)
    return info.neighbours if info else ()


__all__ = ["GEOGRAPHY_DIR", "MrcInfo", "TIMEZONE", "TZ", "load_mrcs", "mrc", "mrc_ids", "mrcs", "neighbours"]
