"""Reads for sellers: the batch check and the restricted-ZIP list.

Both answer from two indexes, so a ZIP costs a few dictionary lookups and no query:
- the offline ZIP data (jurisdictions.zipdata), indexed once per process;
- the place index (jurisdictions.places), kept per data generation, and a snapshot of the
  answers built from it, kept per place index and day (verification ages). Answers are
  memoised per set of levels: most ZIPs of a state share one.

A ZIP's levels are the lookup's (places.PlaceIndex.zip_places), the strictest rule per
product is `selectors.zip_rules` and each rule's entry the lookup's (serializers.zip_rule_data)
with the deciding level's citations.
"""

import datetime
import logging
import threading
from dataclasses import dataclass, field
from functools import cache

from django.utils import timezone

from jurisdictions.models import Category, Jurisdiction, Rule
from jurisdictions.places import PlaceIndex, place_index
from jurisdictions.pointintime import Certainty, on_label
from jurisdictions.selectors import ZIP_FORMAT, ZIP_RE, DecidedRule, zip_rules
from jurisdictions.serializers import citations_text, zip_rule_data
from jurisdictions.zipdata import ZipRecord, zip_index
from tracker.public.responses import json_body

log = logging.getLogger(__name__)

MAX_BATCH_ITEMS = 1000
CATEGORIES = frozenset(Category.values)  # Category.values builds a new list on every call
ZIP_PLACEMENT = (
    "ZIP codes are placed with the offline US ZIP data, which names one county and one main "
    "city for each ZIP code, and other place names the Postal Service accepts for it. A ZIP "
    "code is answered with the strictest rule of the federal level, its state, that county "
    "and those places where they have rules of their own. A ZIP code that crosses a county or "
    "city line is not split: partial overlaps are not known, so check an address near a "
    "boundary yourself."
)
NOTICE = "Information, not legal advice."


@cache
def zips_in_order() -> list[str]:
    return sorted(zip_index())


@dataclass(frozen=True, slots=True)
class ZipRules:
    by_category: dict[str, dict]
    # The batch check's "rules" member, rendered once: per category asked (None: all four).
    rendered: dict[str | None, bytes]


class RulesSnapshot:
    """The answers built from one place index (every US jurisdiction's rules as of one data
    generation, or as of `on`), memoised per set of levels."""

    def __init__(self, places: PlaceIndex, today: datetime.date, on: datetime.date | None = None):
        self.places = places
        self.today = today
        # `?on=`: the places answer as on that date (pointintime.as_in_force_on).
        self.on = on
        self.uncertain = {
            row.id: row.code
            for row in places.jurisdictions
            if on and row.in_force.certainty == Certainty.UNCERTAIN
        }
        self._answers: dict[tuple[int, ...], ZipRules] = {}
        # Per ZIP too: placing a ZIP builds its places, which cost more than the rest of its
        # answer; a snapshot lives for one data generation and day.
        self._by_zip: dict[str, ZipRules] = {}

    def rules(self, record: ZipRecord) -> ZipRules:
        """Per category, the strictest rule of the ZIP's levels, who decided it, its citations
        and verification; memoised per ZIP and per set of levels (shared: do not modify)."""
        answer = self._by_zip.get(record.zip_code)
        if answer is None:
            answer = self._by_zip[record.zip_code] = self._rules_of(record)
        return answer

    def _rules_of(self, record: ZipRecord) -> ZipRules:
        levels = self.places.zip_places(record).levels
        # By id, not by model instance: Model.__hash__ is slow enough to show in a batch.
        key = tuple(level.id for level in levels)
        answer = self._answers.get(key)
        if answer is None:
            decided = zip_rules(levels)
            rules = {category: self._entry(d) for category, d in decided.items()}
            if self.on:
                certainty = self._certainty(levels)
                rules = {category: {**rule, **certainty} for category, rule in rules.items()}
            rendered = {category: json_body({category: rule}) for category, rule in rules.items()}
            answer = ZipRules(rules, {**rendered, None: json_body(rules)})
            self._answers[key] = answer
        return answer

    def _certainty(self, levels: list[Jurisdiction]) -> dict:
        """With `on`: a level whose effective date is known only to the year or month around
        that date makes the answer uncertain; it then decides nothing (never a guess)."""
        uncertain = [self.uncertain[level.id] for level in levels if level.id in self.uncertain]
        known = any(level.current_status_id for level in levels)
        certainty = (
            Certainty.UNCERTAIN if uncertain else Certainty.KNOWN if known else Certainty.UNKNOWN
        )
        return {"certainty": certainty, "uncertain_in": uncertain}

    def _entry(self, decided: DecidedRule) -> dict:
        """The lookup's entry for the rule, and the citations of the level that decided it."""
        citations = decided.by.current_status.basis_citations if decided.by else []
        return {**zip_rule_data(decided, today=self.today), "citations": citations}


_lock = threading.Lock()
_snapshot: RulesSnapshot | None = None


def snapshot_for(on: datetime.date | None) -> RulesSnapshot:
    """Today's snapshot (kept per place index and day), or one built for `?on=` (two queries)."""
    if on is not None:
        return RulesSnapshot(place_index(on), timezone.localdate(), on)
    return rules_snapshot()


def rules_snapshot() -> RulesSnapshot:
    """The snapshot of today's place index, built once per process and day."""
    global _snapshot
    places, today = place_index(), timezone.localdate()
    current = _snapshot
    if current is not None and current.places is places and current.today == today:
        return current
    with _lock:
        if _snapshot is None or _snapshot.places is not places or _snapshot.today != today:
            _snapshot = RulesSnapshot(places, today)
        return _snapshot


# The batch check
#
# Answers are rendered to JSON once per set of levels (and places once per ZIP), so a batch
# is mostly a join of bytes: encoding 1,000 whole answers cost twice as much as finding them.

_CATEGORY_JSON = {None: b"null", **{category: json_body(category) for category in CATEGORIES}}
_places_rendered: dict[str, bytes] = {}


def _place_json(record: ZipRecord) -> bytes:
    rendered = _places_rendered.get(record.zip_code)
    if rendered is None:
        place = {"state": record.state, "county": record.county or None, "city": record.city}
        rendered = _places_rendered[record.zip_code] = json_body(place)
    return rendered


def _item_error(zip_code, category, code: str, message: str) -> bytes:
    return json_body(
        {
            "zip": zip_code if isinstance(zip_code, str) else None,
            "category": category if isinstance(category, str) else None,
            "error": {"code": code, "message": message},
        }
    )


class ItemError(ValueError):
    def __init__(self, zip_code, category, code: str, message: str):
        super().__init__(message)
        self.json = _item_error(zip_code, category, code, message)


def _check_item(item, snapshot: RulesSnapshot, index: dict[str, ZipRecord]) -> bytes:
    """The item's answer as JSON; raises ItemError when the item cannot be answered."""
    if not isinstance(item, dict):
        raise ItemError(None, None, "invalid_item", 'An item is an object: {"zip": "92101"}.')
    zip_code, category = item.get("zip"), item.get("category")
    # Typed first: a list or an object is unhashable, so `in CATEGORIES` would raise.
    if category is not None and (not isinstance(category, str) or category not in CATEGORIES):
        message = f"category must be one of: {', '.join(Category.values)} (or left out)."
        raise ItemError(zip_code, category, "invalid_category", message)
    match = ZIP_RE.match(zip_code.strip()) if isinstance(zip_code, str) else None
    if match is None:
        raise ItemError(zip_code, category, "invalid_zip", ZIP_FORMAT)
    record = index.get(match.group(1))
    if record is None:
        message = f"{match.group(1)} is not a ZIP code in the offline US ZIP data."
        raise ItemError(zip_code, category, "unknown_zip", message)
    return b"".join(
        (
            b'{"zip":', json_body(zip_code), b',"category":', _CATEGORY_JSON[category],
            b',"zip5":"', record.zip_code.encode(), b'","place":', _place_json(record),
            b',"rules":', snapshot.rules(record).rendered[category], b"}",
        )
    )  # fmt: skip


def batch_check_json(*, items: list, on: datetime.date | None = None) -> bytes:
    """The batch check's JSON body: one answer per item, in order; a malformed item or an
    unknown ZIP gets an error of its own. With `on`, the law in force on that date."""
    snapshot, index = snapshot_for(on), zip_index()
    results, errors = [], 0
    for item in items:
        try:
            results.append(_check_item(item, snapshot, index))
        except ItemError as error:
            results.append(error.json)
            errors += 1
    counts = json_body({"count": len(results), "answered": len(results) - errors, "errors": errors})
    notes = {"zip_placement": ZIP_PLACEMENT, "notice": NOTICE}
    if on is not None:
        notes["on"] = {"date": on.isoformat(), "label": on_label(on)}
    notes = json_body(notes)
    return b"".join((counts[:-1], b',"results":[', b",".join(results), b"],", notes[1:]))


# The restricted-ZIP list

JSON_COLUMNS = ["zip", "jurisdiction"]
DECIDER_COLUMNS = ["jurisdiction_name", "level", "scope", "citation", "verified_on"]
CSV_COLUMNS = [
    "zip", "state", "county", "city", "category", "rule", "jurisdiction", *DECIDER_COLUMNS,
]  # fmt: skip


@dataclass
class RestrictedZips:
    """The ZIPs where a category is banned, in ZIP order, and the jurisdictions that ban it
    there (each described once: a state's ban covers thousands of ZIPs)."""

    category: str
    zips: list[tuple[ZipRecord, str]]  # the ZIP and the code of the deciding jurisdiction
    jurisdictions: dict[str, dict]  # by code: DECIDER_COLUMNS
    on: datetime.date | None = None
    # With `on`: places whose law on that date is uncertain (their ZIPs are not listed).
    uncertain: list[str] = field(default_factory=list)

    def on_data(self) -> dict:
        return {
            "date": self.on.isoformat(),
            "label": on_label(self.on),
            "uncertain": self.uncertain,
            "note": "A place whose law on that date is uncertain (its effective date is known "
            "only to the year or month) bans nothing in this list: check it yourself.",
        }

    def json_rows(self) -> list[list[str]]:
        """JSON_COLUMNS: the ZIP and who bans it, kept short (a list can hold 20,000 ZIPs)."""
        return [[record.zip_code, code] for record, code in self.zips]

    def csv_rows(self):
        """One flat row per ZIP (CSV_COLUMNS) with its place names, for spreadsheets and
        shipping-rule imports."""
        for record, code in self.zips:
            yield {
                "zip": record.zip_code,
                "state": record.state,
                "county": record.county,
                "city": record.city,
                "category": self.category,
                "rule": Rule.BANNED,
                "jurisdiction": code,
                **self.jurisdictions[code],
            }


def restricted_zips(*, category: str, on: datetime.date | None = None) -> RestrictedZips:
    """Every ZIP where the category is banned (sale or possession) at any level, with the
    jurisdiction that decided it; with `on`, as in force on that date."""
    snapshot, index = snapshot_for(on), zip_index()
    zips, deciders = [], {}
    for zip5 in zips_in_order():
        record = index[zip5]
        entry = snapshot.rules(record).by_category[category]
        if entry["rule"] != Rule.BANNED:
            continue
        code = entry["decided_by"]["code"]
        if code not in deciders:
            verified = entry["last_verified"]
            deciders[code] = {
                "jurisdiction_name": entry["decided_by"]["name"],
                "level": entry["decided_by"]["level"],
                "scope": entry["scope"],
                "citation": citations_text(entry["citations"]),
                "verified_on": verified["on"] if verified else None,
            }
        zips.append((record, code))
    return RestrictedZips(category, zips, deciders, on, sorted(snapshot.uncertain.values()))
