"""The batch check answers a ZIP code exactly as the lookup does: the whole entry (place,
rules, who decided each, verification and citations), for every ZIP of a sample of 500 of the
reference data (seeds/)."""

import json
import random

import pytest

from jurisdictions.places import place_index
from jurisdictions.zipdata import zip_index
from tests.wsgi_client import WsgiClient

SAMPLE_SIZE = 500
SEED = 19


@pytest.fixture
def seeded(seeded_db, db, settings):
    # 500 lookups from one client; the limits have their own tests.
    settings.API_RATE_LIMIT = 1_000_000


def zip_sample() -> list[str]:
    """The same 500 ZIP codes every run: half of them placed in a county or city of the
    reference data (where the two readers could differ), half drawn from all the others."""
    index, places = zip_index(), place_index()
    with_local = [z for z in sorted(index) if len(places.zip_places(index[z]).levels) > 2]
    others = sorted(set(index) - set(with_local))
    chosen = random.Random(SEED).sample(with_local, min(len(with_local), SAMPLE_SIZE // 2))
    rest = random.Random(SEED).sample(others, SAMPLE_SIZE - len(chosen))
    return sorted(chosen + rest)


def lookup_as_batch_entry(zip_code: str, lookup: dict, citations: dict[str, list]) -> dict:
    """What the batch check must answer for a ZIP, from the lookup's answer."""
    state, counties, cities = lookup["state"], lookup["counties"], lookup["cities"]
    return {
        "zip": zip_code,
        "category": None,
        "zip5": lookup["zip"],
        "place": {
            "state": state["jurisdiction"]["code"][3:] if state["jurisdiction"] else state["name"],
            "county": counties[0]["name"] if counties else None,
            "city": cities[0]["name"] if cities else "",
        },
        "rules": {
            category: {
                **rule,
                "citations": citations[rule["decided_by"]["code"]] if rule["decided_by"] else [],
            }
            for category, rule in lookup["rules"].items()
        },
    }


def test_the_batch_check_gives_the_lookups_whole_entry_for_500_zips(seeded):
    client = WsgiClient()
    zips = zip_sample()
    assert len(zips) == SAMPLE_SIZE
    response = client.post(
        "/api/v1/check",
        json.dumps({"items": [{"zip": z} for z in zips]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    entries = response.json()["results"]
    citations = {}
    deciding_local = 0
    for zip_code, entry in zip(zips, entries, strict=True):
        lookup = client.get("/api/v1/lookup", {"zip": zip_code}).json()
        for rule in lookup["rules"].values():
            code = (rule["decided_by"] or {}).get("code")
            if code and code not in citations:
                detail = client.get(f"/api/v1/jurisdictions/{code}").json()
                citations[code] = detail["current"]["citations"]
            deciding_local += code is not None and code.count("-") > 1
        assert entry == lookup_as_batch_entry(zip_code, lookup, citations), zip_code
    # The sample reaches the places with rules of their own, not only states.
    assert deciding_local > 100
