"""What is coming in a place, for the public reads: pending measures and their stage changes.

Measures live in tracker.measures, which builds on this app; this app never imports it
(tests/test_layering.py). tracker.measures registers its reader here when the app registry is
ready (MeasuresConfig.ready); without one, nothing is pending.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MeasuresReader:
    # (places) → {jurisdiction id: [measures in the API's shape, soonest next date first]}
    pending: Callable[[list], dict[int, list[dict]]]
    # (place, how many) → its public measures' stage changes, newest first: {"measure",
    # "stage", "stage_label", "date", "description", "recorded_at", "id"}
    stage_changes: Callable[[object, int], list[dict]]


_reader: MeasuresReader | None = None


def measures_reader_register(reader: MeasuresReader) -> None:
    global _reader
    _reader = reader


def pending_of(places: list) -> dict[int, list[dict]]:
    """The public pending measures of these places (one query for all of them)."""
    places = [place for place in places if place is not None]
    return _reader.pending(places) if _reader and places else {}


def stage_changes_of(jurisdiction, limit: int) -> list[dict]:
    return _reader.stage_changes(jurisdiction, limit) if _reader else []


def pending_by_category(entries: list[dict], rules: dict) -> dict[str, list[dict]]:
    """Per product category: the measures that would change its answer (`rules`: category →
    ProductRule in force), each named once per category it would change."""
    return {
        category: [
            entry
            for entry in entries
            if entry["would_change"][category] not in ("unchanged", "unknown", rule.rule)
        ]
        for category, rule in rules.items()
    }
