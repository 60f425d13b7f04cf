"""Where a ZIP code lies among our jurisdictions, and the one key place names are matched by.

The ZIP page, the lookup API, the batch check, the restricted-ZIP lists and search all read
places here: every US jurisdiction is indexed once per data generation (jurisdictions.generation)
and a ZIP record's places are a few dictionary lookups.
"""

import datetime
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache

import redis

from jurisdictions.generation import public_generation
from jurisdictions.models import Jurisdiction, Level
from jurisdictions.pointintime import as_in_force_on
from jurisdictions.zipdata import ZipRecord

log = logging.getLogger(__name__)

FEDERAL_CODE = "US"
LOCAL_LEVELS = (Level.COUNTY, Level.CITY)
QUALIFIER = re.compile(r"\s*\([^)]*\)")  # "Denver (city and county)"
LEVEL_WORDS = re.compile(r" (county|parish|borough|municipio|census area)$")
SAINT = {"st": "saint", "ste": "sainte"}


def name_key(text: str) -> str:
    """A name as it is matched: no accents, no case, punctuation as spaces, "St." as "Saint":
    "Doña Ana" → "dona ana", "St. Louis County" → "saint louis county"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['’`.]", "", text.replace("&", " and "))
    words = re.sub(r"[\W_]+", " ", text).split()
    # Before a name only: "ST" alone is São Tomé and Príncipe's code.
    words = [SAINT.get(word, word) for word in words[:-1]] + words[-1:]
    return " ".join(words).removeprefix("the ")


def place_key(name: str) -> str:
    """A county's or city's key, without its qualifier or level word: "Denver (city and
    county)" → "denver", "St. Louis County" and "Saint Louis" → "saint louis"."""
    return LEVEL_WORDS.sub("", name_key(QUALIFIER.sub("", name)))


# Memoised for the ZIP data's names only, which repeat thousands of times (never a query's).
_data_key = cache(place_key)


@dataclass(frozen=True, slots=True)
class PlaceAnswer:
    """One level of a ZIP answer: the place the ZIP data names, and our record of it, if any."""

    level: str
    name: str
    jurisdiction: Jurisdiction | None

    @property
    def status(self) -> str | None:
        return self.jurisdiction.status if self.jurisdiction else None


@dataclass(frozen=True, slots=True)
class ZipPlaces:
    """The places of a ZIP code: its state, counties and cities, and the federal level."""

    federal: Jurisdiction | None
    state: PlaceAnswer
    counties: tuple[PlaceAnswer, ...]
    cities: tuple[PlaceAnswer, ...]

    @property
    def places(self) -> list[PlaceAnswer]:
        return [self.state, *self.counties, *self.cities]

    @property
    def levels(self) -> list[Jurisdiction]:
        """The federal level and every place with a record, broadest first."""
        return [j for j in (self.federal, *(p.jurisdiction for p in self.places)) if j is not None]


def _unique(names) -> list[tuple[str, str]]:
    """(name, key) of each name once, by key, in order."""
    seen = {}
    for name in names:
        if name:
            seen.setdefault(_data_key(name), name)
    return [(name, key) for key, name in seen.items()]


class PlaceIndex:
    """Every jurisdiction by code; the federal level, the US states and their counties and
    cities by the keys of their names (the first in code order where two share one)."""

    def __init__(self, jurisdictions: list[Jurisdiction]):
        self.jurisdictions = jurisdictions
        self.by_code = {j.code: j for j in jurisdictions}
        self.federal = self.by_code.get(FEDERAL_CODE)
        # By postal abbreviation: "TX" → Texas.
        self.states = {j.code[3:]: j for j in jurisdictions if j.is_us_state}
        self.locals: dict[str, dict[tuple[str, str], Jurisdiction]] = {}
        for j in jurisdictions:
            parts = j.code.split("-")
            if j.level in LOCAL_LEVELS and parts[0] == FEDERAL_CODE and len(parts) > 2:
                by_key = self.locals.setdefault(parts[1], {})
                by_key.setdefault((j.level, place_key(j.name)), j)

    def zip_places(self, record: ZipRecord) -> ZipPlaces:
        """The state, the county (or counties) and city the ZIP data names for the ZIP, with
        our record of each; and the other place names it serves that have a record of their
        own (a ZIP is answered for all of them)."""
        state = self.states.get(record.state)
        local = self.locals.get(record.state, {})
        counties = tuple(
            PlaceAnswer(Level.COUNTY, name, local.get((Level.COUNTY, key)))
            for name, key in _unique((record.county, *record.other_counties))
        )
        main = _data_key(record.city)
        cities = (PlaceAnswer(Level.CITY, record.city, local.get((Level.CITY, main))),)
        if not record.city:
            cities = ()
        elif local:  # most states have no local records: no other name can match
            cities += tuple(
                PlaceAnswer(Level.CITY, name, local[(Level.CITY, key)])
                for name, key in _unique(record.acceptable_cities)
                if key != main and (Level.CITY, key) in local
            )
        state_place = PlaceAnswer(Level.STATE, state.name if state else record.state, state)
        return ZipPlaces(self.federal, state_place, counties, cities)


def _index_build(on: datetime.date | None = None) -> PlaceIndex:
    """Every jurisdiction (search reads the countries too); for `on`, the US's as on that day."""
    rows = Jurisdiction.objects.with_status().select_related("parent").order_by("code")
    if on is None:
        return PlaceIndex(list(rows))
    rows = list(rows.in_us())
    as_in_force_on(rows, on)
    return PlaceIndex(rows)


_lock = threading.Lock()
_kept: tuple[str, PlaceIndex] | None = None


def place_index(on: datetime.date | None = None) -> PlaceIndex:
    """Today's index, built once per data generation in each process (one query); with `on`,
    one built for that date (pointintime.as_in_force_on), never kept."""
    global _kept
    if on is not None:
        return _index_build(on)
    try:
        generation = public_generation()
    except redis.RedisError:
        # Without the generation a kept index may be stale: read the database each time.
        log.exception("Public cache generation unavailable; building the place index anew")
        return _index_build()
    kept = _kept
    if kept is not None and kept[0] == generation:
        return kept[1]
    with _lock:
        if _kept is None or _kept[0] != generation:
            _kept = (generation, _index_build())
        return _kept[1]
