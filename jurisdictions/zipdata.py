"""The offline US ZIP data (the `zipcodes` package), indexed once per process.

`zipcodes.matching` scans the whole data set on every call (about 1.5 ms); a seller's batch
of a thousand ZIP codes needs each in microseconds, so the records are read once, in
slices, kept as small tuples, and looked up in a dict.
"""

import sys
import threading
from dataclasses import dataclass

import zipcodes

_lock = threading.Lock()
_index: dict[str, "ZipRecord"] | None = None


@dataclass(frozen=True, slots=True)
class ZipRecord:
    zip_code: str
    state: str  # postal abbreviation, e.g. "CA"
    county: str  # as the data names it, e.g. "San Diego County"; "" when it names none
    city: str
    acceptable_cities: tuple[str, ...]
    # Counties the ZIP code crosses besides `county`: the offline data names none; a data set
    # with county splits would (the ZIP is then answered for every county).
    other_counties: tuple[str, ...] = ()


def _record(row: dict) -> ZipRecord:
    intern = sys.intern  # the same state, county and city names repeat thousands of times
    return ZipRecord(
        zip_code=row["zip_code"],
        state=intern(row["state"]),
        county=intern(row.get("county") or ""),
        city=intern(row.get("city") or ""),
        acceptable_cities=tuple(intern(name) for name in row.get("acceptable_cities") or ()),
    )


def zip_index() -> dict[str, ZipRecord]:
    """Every ZIP code of the data, by its five digits (built on first use, then shared)."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                index = {}
                # By two-digit prefix: the whole list at once costs three times the memory.
                for prefix in range(100):
                    for row in zipcodes.similar_to(f"{prefix:02d}"):
                        index[row["zip_code"]] = _record(row)
                _index = index
    return _index


def zip_record(zip5: str) -> ZipRecord | None:
    return zip_index().get(zip5)
