"""Finding a place from what a visitor types: one resolver for the search box, the API and
the ZIP page.

Tried in this order, and the first step that matches answers: a US ZIP (or ZIP+4) code; an
exact code (ISO 3166-1 or 3166-2, with or without the ``US-`` prefix, or an OCD id); US
state names and countries' names and aliases; the names of the places we hold records for;
a place with its state ("Denver, CO"); US city and county names from the offline ZIP data;
close spellings ("did you mean"). Case, accents and punctuation are ignored. A query that
matches more than one place answers with all of them: the resolver never picks silently.
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pycountry
from django.conf import settings
from django.urls import reverse

from jurisdictions.models import Jurisdiction, Level, Status
from jurisdictions.places import QUALIFIER, PlaceIndex, name_key, place_index, place_key
from jurisdictions.selectors import OCD_RE, ZIP_FORMAT, ZIP_RE, jurisdiction_get
from jurisdictions.serializers import api_path, page_path
from jurisdictions.zipdata import zip_index

US = "US"
BROAD_LEVELS = {Level.COUNTRY, Level.STATE, Level.TERRITORY}
US_TERRITORY_COUNTRIES = {"PR", "GU", "VI", "AS", "MP", "UM"}
# Names people use that ISO does not (keys are places.name_key's).
COUNTRY_ALIASES = {
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": US,
    "america": US,
    "united states": US,
    "united states of america": US,
    "holland": "NL",
    "czech republic": "CZ",
    "korea": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "russia": "RU",
    "burma": "MM",
    "ivory coast": "CI",
    "turkey": "TR",
    "vatican": "VA",
    "vatican city": "VA",
    "swaziland": "SZ",
    "cape verde": "CV",
    "macedonia": "MK",
    "east timor": "TL",
    "uae": "AE",
    "emirates": "AE",
    "brunei": "BN",
    "palestine": "PS",
    "bosnia": "BA",
    "drc": "CD",
    "macau": "MO",
    "persia": "IR",
}
# Names of US states people use that are not the record's name ("Washington" is two).
STATE_ALIASES = {
    "washington dc": ["US-DC"],
    "washington": ["US-WA", "US-DC"],
}
# Cities known by a nickname, rewritten to the city and its state.
CITY_NICKNAMES = {"nyc": "new york ny", "new york city": "new york ny"}
TRAILING_COUNTRY = re.compile(r"\s+(usa|us|united states|united states of america|america)$")
# Digits of any script, spaces and dashes only, and not a ZIP: a ZIP typed with full-width or
# Arabic-Indic digits, or too short, is told the format (the API's `q` pattern says the same).
DIGITS = re.compile(r"[\d\s-]+")
TRIED = [
    "a US ZIP code (73301 or 73301-0001)",
    "a code: US-TX, TX, GB, US-CA-SAN-DIEGO",
    "US state names and postal abbreviations",
    "country names and the names people use for them (UK, Holland, USA)",
    "the names of the counties and cities we hold records for",
    "a place with its state (Denver, CO)",
    "US city and county names from the offline ZIP data",
    "close spellings",
]


class Kind:
    ZIP = "zip"
    PLACE = "place"
    CHOICES = "choices"
    SUGGESTIONS = "suggestions"
    NONE = "none"
    INVALID_ZIP = "invalid_zip"


@dataclass(frozen=True)
class Place:
    """A place the resolver can answer with: a jurisdiction we hold, or a country we do not."""

    code: str
    name: str
    level: str
    parent_name: str | None
    status: str  # unverified for a country without a page: the baseline applies
    listed: bool
    # Why this place answers when the query named something below it ("Austin", "Bavaria").
    via: str = ""

    @property
    def url(self) -> str:
        if self.listed:
            return page_path(self.code)
        return reverse("public:country-unlisted", kwargs={"code": self.code})

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass
class Resolution:
    query: str
    kind: str
    places: list[Place] = field(default_factory=list)
    zip_code: str | None = None
    message: str = ""
    tried: list[str] = field(default_factory=list)

    @property
    def place(self) -> Place | None:
        return self.places[0] if self.kind == Kind.PLACE else None


def _place_keys(name: str) -> set[str]:
    """A record's name and the short form people type: "Denver (city and county)" → denver,
    "Sarasota County" → "sarasota county" and "sarasota"."""
    return {name_key(QUALIFIER.sub("", name)), place_key(name)} - {""}


def place_of(jurisdiction: Jurisdiction, via: str = "") -> Place:
    return Place(
        code=jurisdiction.code,
        name=jurisdiction.name,
        level=jurisdiction.level,
        parent_name=_parent_name(jurisdiction.parent) if jurisdiction.parent else None,
        status=jurisdiction.status,
        listed=True,
        via=via,
    )


def _parent_name(parent: Jurisdiction) -> str:
    """The place a result lies in: "State in United States", not in the federal record's
    name, "United States (federal)", which names its law, not the country."""
    country = (
        pycountry.countries.get(alpha_2=parent.code) if parent.level == Level.COUNTRY else None
    )
    return country_name(country) if country else parent.name


def territory_code(code: str) -> str:
    """ISO 3166-1 gives the US territories country codes (PR); here they are US-PR."""
    return f"US-{code}" if code in US_TERRITORY_COUNTRIES else code


def country_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


def unlisted_country(alpha_2: str) -> Place | None:
    """A country of ISO 3166-1, as the answer for a country we hold no page for."""
    country = pycountry.countries.get(alpha_2=alpha_2.upper())
    if country is None or country.alpha_2 in US_TERRITORY_COUNTRIES:
        return None
    return Place(
        code=country.alpha_2,
        name=country_name(country),
        level=Level.COUNTRY,
        parent_name=None,
        status=Status.UNVERIFIED,
        listed=False,
    )


@cache
def _country_keys() -> dict[str, set[str]]:
    """Normalised country names (ISO name, common and official names, aliases) → alpha-2."""
    keys: dict[str, set[str]] = defaultdict(set)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                keys[name_key(name)].add(country.alpha_2)
                # "Korea, Republic of" is also typed "Korea" (ambiguous unless aliased).
                keys[name_key(name.split(",")[0])].add(country.alpha_2)
    for alias, code in COUNTRY_ALIASES.items():
        keys[alias] = {code}
    return dict(keys)


@cache
def _zip_data_places() -> dict[str, set[str]]:
    """US city and county names in the offline ZIP data → the postal codes of their states."""
    places: dict[str, set[str]] = defaultdict(set)
    for record in zip_index().values():
        for name in [record.city, record.county, *record.acceptable_cities]:
            if name:
                places[name_key(QUALIFIER.sub("", name))].add(record.state)
    return dict(places)


def lookup_tables_warm() -> None:
    """Build the ZIP index and the name tables now (a web process calls this before its first
    request: built on first use, they cost that request seconds)."""
    _country_keys()
    _zip_data_places()  # reads the ZIP index, building it


class Index:
    """The places a query can reach, built from our jurisdictions and ISO 3166: the place
    index's, by the names and aliases people type."""

    def __init__(self, places: PlaceIndex):
        self.by_code = places.by_code
        self.states = places.states  # by postal abbreviation
        self.broad: dict[str, set[str]] = defaultdict(set)
        self.local: dict[str, set[str]] = defaultdict(set)
        for j in places.jurisdictions:
            names = self.broad if j.level in BROAD_LEVELS else self.local
            for key in _place_keys(j.name):
                names[key].add(j.code)
        self.state_names = {key: j for j in self.states.values() for key in _place_keys(j.name)}
        for key, codes in STATE_ALIASES.items():
            self.broad[key] = {code for code in codes if code in self.by_code}

    def place(self, code: str, via: str = "") -> Place | None:
        """Our record for a code, or an ISO country we hold no page for."""
        code = territory_code(code)
        if code in self.by_code:
            return place_of(self.by_code[code], via)
        return unlisted_country(code) if len(code) == 2 else None

    def places(self, codes, via: str = "") -> list[Place]:
        found = {}
        for code in sorted(codes):
            place = self.place(code, via)
            if place is not None:
                found.setdefault(place.code, place)
        # Broader levels first, then by name.
        order = [Level.COUNTRY, Level.STATE, Level.TERRITORY, Level.COUNTY, Level.CITY]
        return sorted(found.values(), key=lambda p: (order.index(p.level), p.name))

    def state_named(self, key: str) -> Jurisdiction | None:
        """A US state, DC or territory from its postal abbreviation or its name."""
        return self.states.get(key.upper()) or self.state_names.get(key)


def resolve(query: str, jurisdictions: Iterable[Jurisdiction]) -> Resolution:
    """What a query names, among `jurisdictions` (with status and parent) and ISO 3166."""
    return _resolve_in(query, lambda: Index(PlaceIndex(list(jurisdictions))))


@lru_cache(maxsize=1)
def _index_of(places: PlaceIndex) -> Index:
    """Search's names for the current place index (kept with it, per data generation)."""
    return Index(places)


def _resolve_in(query: str, index_of: Callable[[], Index]) -> Resolution:
    """`index_of` is called only for a query that needs the places (not a ZIP code)."""
    raw = query.strip()
    query = " ".join("".join(ch for ch in query if ch.isprintable()).split())[:200]
    if not query:
        return Resolution(query=query, kind=Kind.NONE, tried=TRIED)
    if ZIP_RE.match(query):
        return Resolution(query=query, kind=Kind.ZIP, zip_code=query)
    if DIGITS.fullmatch(raw):
        return Resolution(query=query, kind=Kind.INVALID_ZIP, message=ZIP_FORMAT)
    index = index_of()
    key = TRAILING_COUNTRY.sub("", name_key(query))
    key = CITY_NICKNAMES.get(key, key)
    steps = (_by_code, _by_broad_name, _by_local_name, _with_state, _by_zip_data_name)
    for step in steps:
        if places := step(query, key, index):
            kind = Kind.PLACE if len(places) == 1 else Kind.CHOICES
            return Resolution(query=query, kind=kind, places=places)
    if suggestions := _close_spellings(key, index):
        return Resolution(query=query, kind=Kind.SUGGESTIONS, places=suggestions)
    return Resolution(query=query, kind=Kind.NONE, tried=TRIED)


def _by_code(query: str, key: str, index: Index) -> list[Place]:
    if OCD_RE.match(query):
        jurisdiction = jurisdiction_get(code=query)
        return [place_of(jurisdiction)] if jurisdiction else []
    code = key.replace(" ", "-").upper()
    if re.fullmatch(r"[A-Z]{2}", code):
        # CA, DE, ID, IL, IN…: a country's code and a state's postal abbreviation at once.
        state = index.states.get(code)
        codes = {code} if pycountry.countries.get(alpha_2=code) or code in index.by_code else set()
        return index.places(codes | ({state.code} if state else set()))
    if code in index.by_code:
        return [place_of(index.by_code[code])]
    if subdivision := pycountry.subdivisions.get(code=code):
        # An ISO 3166-2 code we hold no record for answers with its country.
        via = f"{subdivision.name} ({subdivision.code}) has no record of its own here"
        return index.places({subdivision.country_code}, via)
    return []


def _by_broad_name(query: str, key: str, index: Index) -> list[Place]:
    codes = set(index.broad.get(key, ())) | _country_keys().get(key, set())
    return index.places(codes)


def _by_local_name(query: str, key: str, index: Index) -> list[Place]:
    codes = index.local.get(key, set())
    if not codes:
        return []
    # The same name elsewhere in the US, where we hold no record, is a choice too.
    record_states = {code[3:5] for code in codes}
    elsewhere = _zip_data_places().get(key, set()) - record_states
    return index.places(codes) + _states_for(query, elsewhere, index)


def _states_for(name: str, postal_codes: set[str], index: Index) -> list[Place]:
    states = [index.states[postal] for postal in sorted(postal_codes) if postal in index.states]
    via = f"{name} has no record of its own here: the state's status applies"
    return [place_of(state, via) for state in states]


def _with_state(query: str, key: str, index: Index) -> list[Place]:
    """ "Denver, CO", "San Diego CA", "Sarasota County, Florida"."""
    words = key.split()
    for size in (1, 2, 3):
        if len(words) <= size:
            break
        state = index.state_named(" ".join(words[-size:]))
        if state is None:
            continue
        place_key = " ".join(words[:-size])
        codes = {
            code for code in index.local.get(place_key, ()) if code.startswith(state.code + "-")
        }
        if codes:
            return index.places(codes)
        if state.code[3:] in _zip_data_places().get(place_key, ()):
            name = " ".join(query.replace(",", " ").split()[:-size]) or query
            return _states_for(name, {state.code[3:]}, index)
    return []


def _by_zip_data_name(query: str, key: str, index: Index) -> list[Place]:
    return _states_for(query, _zip_data_places().get(key, set()), index)


def _close_spellings(key: str, index: Index) -> list[Place]:
    """Names one or two typing slips away, then record names that start with the query."""
    names = {**_country_keys(), **index.local, **index.broad}
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.75)
    codes = {code for name in close for code in names[name]}
    if not codes and len(key) >= 3:
        codes = {
            code
            for name, name_codes in {**index.local, **index.broad}.items()
            if name.startswith(key) or f" {key}" in name
            for code in name_codes
        }
    return index.places(codes)


def place_search(*, query: str) -> Resolution:
    """Resolve a visitor's query against every jurisdiction we hold (the place index: no
    query once it is built)."""
    return _resolve_in(query, lambda: _index_of(place_index()))


def resolution_data(resolution: Resolution) -> dict:
    """The API's answer (schema `Search` in jurisdictions/openapi.py)."""
    return {
        "query": resolution.query,
        "kind": resolution.kind,
        "zip": resolution.zip_code,
        "message": resolution.message or None,
        "results": [_place_data(place) for place in resolution.places],
        "tried": resolution.tried,
    }


def _place_data(place: Place) -> dict:
    api = api_path(place.code) if place.listed else None
    return {
        "code": place.code,
        "name": place.name,
        "level": place.level,
        "parent": place.parent_name,
        "status": place.status,
        "listed": place.listed,
        "via": place.via or None,
        "url": settings.SITE_URL + place.url,
        "api_url": settings.SITE_URL + api if api else None,
    }
