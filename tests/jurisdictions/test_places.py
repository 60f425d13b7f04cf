"""Place names are matched by one key, and a US state is told in one place."""

import pytest

from jurisdictions.models import Jurisdiction, Level
from jurisdictions.places import PlaceIndex, name_key, place_key
from jurisdictions.zipdata import ZipRecord
from tests.factories import make_jurisdiction


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Doña Ana", "dona ana"),
        ("Doña Ana County", "DONA ANA COUNTY"),
        ("St. Louis", "Saint Louis"),
        ("St. Louis County", "Saint Louis County"),
        ("Port St. Lucie", "Port Saint Lucie"),
        ("Ste. Genevieve", "Sainte Genevieve"),
        ("Coeur d'Alene", "Coeur d’Alene"),
        ("Winston-Salem", "winston salem"),
        ("Washington, D.C.", "washington dc"),
    ],
)
def test_spellings_of_one_name_have_one_key(one, other):
    assert name_key(one) == name_key(other)
    assert place_key(one) == place_key(other)


def test_the_keys_of_known_names():
    assert name_key("Doña Ana") == "dona ana"
    assert name_key("St. Louis County") == "saint louis county"
    assert place_key("St. Louis County") == place_key("Saint Louis") == "saint louis"
    assert place_key("Denver (city and county)") == "denver"
    assert place_key("Sarasota County") == "sarasota"
    # "St" alone is not Saint: it is São Tomé and Príncipe's code.
    assert name_key("ST") == "st"


def _jurisdiction(code: str, name: str, level: str) -> Jurisdiction:
    return Jurisdiction(code=code, name=name, level=level)


def test_a_zip_record_finds_the_places_its_names_spell_differently():
    places = PlaceIndex(
        [
            _jurisdiction("US", "United States (federal)", Level.COUNTRY),
            _jurisdiction("US-MO", "Missouri", Level.STATE),
            _jurisdiction("US-MO-SAINT-LOUIS", "Saint Louis (city)", Level.CITY),
            _jurisdiction("US-MO-ST-LOUIS-COUNTY", "St. Louis County", Level.COUNTY),
            _jurisdiction("US-NM", "New Mexico", Level.STATE),
            _jurisdiction("US-NM-DONA-ANA-COUNTY", "Doña Ana County", Level.COUNTY),
            _jurisdiction("US-NM-LAS-CRUCES", "Las Cruces (city)", Level.CITY),
        ]
    )
    st_louis = ZipRecord("63101", "MO", "Saint Louis County", "St. Louis", ())
    assert [j.code for j in places.zip_places(st_louis).levels] == [
        "US", "US-MO", "US-MO-ST-LOUIS-COUNTY", "US-MO-SAINT-LOUIS",
    ]  # fmt: skip
    # Another name the ZIP serves counts where it has a record of its own.
    mesilla = ZipRecord("88001", "NM", "Dona Ana County", "Mesilla", ("Las Cruces",))
    found = places.zip_places(mesilla)
    assert [(p.level, p.name) for p in found.places] == [
        (Level.STATE, "New Mexico"), (Level.COUNTY, "Dona Ana County"),
        (Level.CITY, "Mesilla"), (Level.CITY, "Las Cruces"),
    ]  # fmt: skip
    assert [j.code for j in found.levels] == [
        "US", "US-NM", "US-NM-DONA-ANA-COUNTY", "US-NM-LAS-CRUCES",
    ]  # fmt: skip


@pytest.mark.django_db
def test_is_us_state_and_the_states_query_agree():
    us = make_jurisdiction("US", name="United States (federal)")
    texas = make_jurisdiction("US-TX", name="Texas", parent=us)
    guam = make_jurisdiction("US-GU", name="Guam", level=Level.TERRITORY, parent=us)
    make_jurisdiction("US-TX-AUSTIN", name="Austin (city)", level=Level.CITY, parent=texas)
    make_jurisdiction("GB", name="United Kingdom")
    states = {j.code for j in Jurisdiction.objects.all() if j.is_us_state}
    assert states == {texas.code, guam.code}
    assert set(Jurisdiction.objects.states().values_list("code", flat=True)) == states
