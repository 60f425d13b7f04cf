"""What is coming in a place, for the public reads: the pending measures.

Measures live in tracker.measures, which builds on this app; this app never imports it
(tests/test_layering.py). tracker.measures registers its reader here when the app registry is
ready (MeasuresConfig.ready); without one, nothing is pending.
"""

from collections.abc import Callable

# (places) → {jurisdiction id: [measure entries in the API's shape, soonest next date first]}
_reader: Callable[[list], dict[int, list[dict]]] | None = None


def pending_reader_register(reader: Callable[[list], dict[int, list[dict]]]) -> None:
    global _reader
    _reader = reader


def pending_of(places: list) -> dict[int, list[dict]]:
    """The public pending measures of these places (one query for all of them)."""
    places = [place for place in places if place is not None]
    return _reader(places) if _reader and places else {}


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
