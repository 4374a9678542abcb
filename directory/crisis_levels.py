"""The crisis levels counted in the need log (`NeedLog.crisis_level`), and their French names for staff.

A level is the line Phare gave: 911 for a medical emergency, 1 866 APPELLE
for suicidal distress, SOS violence conjugale for violence, Info-Santé 811
for a health question. Only the count is kept: no text, no category.
"""
from __future__ import annotations

MEDICAL = "medical"
SUICIDE = "suicide"
VIOLENCE = "violence"
HEALTH = "health"

# Most urgent first: the order of the dashboard and of the unmet-needs page.
LABELS: dict[str, str] = {
    MEDICAL: "urgence médicale (911)",
    SUICIDE: "prévention du suicide (1 866 APPELLE)",
    VIOLENCE: "violence (SOS violence conjugale)",
    HEALTH: "question de santé (Info-Santé 811)",
}
UNKNOWN = "niveau non noté"  # rows written before levels were recorded


def label(level: str | None) -> str:
    return LABELS.get(level or "", UNKNOWN)


def ordered(counts: dict[str | None, int]) -> list[tuple[str, int]]:
    """(French name, count) for every level, most urgent first, zeros included; unrecorded levels last if any."""
    rows = [(name, counts.get(level, 0)) for level, name in LABELS.items()]
    other = sum(n for level, n in counts.items() if level not in LABELS)
    if other:
        rows.append((UNKNOWN, other))
    return rows
