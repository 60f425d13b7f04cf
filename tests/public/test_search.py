"""The place resolver, table-driven over the curated reference data (seeds/), and the search
page and API that use it."""

import re

import pytest

from jurisdictions.baseline import baseline_paragraphs
from jurisdictions.models import Jurisdiction
from jurisdictions.seeding import read_status_rows
from tests.factories import make_jurisdiction
from tests.public.public_data import publish_sample
from tracker.public.search import Kind, resolve

PLACE, CHOICES, SUGGESTIONS = Kind.PLACE, Kind.CHOICES, Kind.SUGGESTIONS

# (query, kind, codes): for a place or choices, exactly these places in this order (broader
# levels first, then by name); for suggestions, these places among those offered.
CASES = [
    # Exact codes: ISO 3166-1, ISO 3166-2 with and without the US- prefix, any case.
    ("TX", PLACE, ["US-TX"]),
    ("tx", PLACE, ["US-TX"]),
    ("US-TX", PLACE, ["US-TX"]),
    ("us tx", PLACE, ["US-TX"]),
    ("Us-Tx", PLACE, ["US-TX"]),
    ("OK", PLACE, ["US-OK"]),
    ("PR", PLACE, ["US-PR"]),
    ("US-PR", PLACE, ["US-PR"]),
    ("GU", PLACE, ["US-GU"]),
    ("VI", PLACE, ["US-VI"]),
    ("DC", PLACE, ["US-DC"]),
    ("GB", PLACE, ["GB"]),
    ("gb", PLACE, ["GB"]),
    ("TH", PLACE, ["TH"]),
    ("US", PLACE, ["US"]),
    ("BR", PLACE, ["BR"]),
    ("US-CA-SAN-DIEGO", PLACE, ["US-CA-SAN-DIEGO"]),
    ("us-co-denver", PLACE, ["US-CO-DENVER"]),
    ("GB-ENG", PLACE, ["GB"]),
    ("DE-BY", PLACE, ["DE"]),
    # Two-letter codes that are both a country and a US state: never picked silently.
    ("CA", CHOICES, ["CA", "US-CA"]),
    ("DE", CHOICES, ["DE", "US-DE"]),
    ("ID", CHOICES, ["ID", "US-ID"]),
    ("IL", CHOICES, ["IL", "US-IL"]),
    ("IN", CHOICES, ["IN", "US-IN"]),
    ("GA", CHOICES, ["GA", "US-GA"]),
    # State names, before counties and cities; names that are two places.
    ("Texas", PLACE, ["US-TX"]),
    ("TEXAS", PLACE, ["US-TX"]),
    ("  texas  ", PLACE, ["US-TX"]),
    ("Tex\x00as", PLACE, ["US-TX"]),
    ("Téxas", PLACE, ["US-TX"]),
    ("New York", PLACE, ["US-NY"]),
    ("district of columbia", PLACE, ["US-DC"]),
    ("Washington DC", PLACE, ["US-DC"]),
    ("Washington, D.C.", PLACE, ["US-DC"]),
    ("Puerto Rico", PLACE, ["US-PR"]),
    ("Washington", CHOICES, ["US-DC", "US-WA"]),
    ("Georgia", CHOICES, ["GE", "US-GA"]),
    # Country names and the names people use for them.
    ("UK", PLACE, ["GB"]),
    ("U.K.", PLACE, ["GB"]),
    ("Britain", PLACE, ["GB"]),
    ("Great Britain", PLACE, ["GB"]),
    ("England", PLACE, ["GB"]),
    ("Scotland", PLACE, ["GB"]),
    ("Wales", PLACE, ["GB"]),
    ("Northern Ireland", PLACE, ["GB"]),
    ("United Kingdom", PLACE, ["GB"]),
    ("Ukraine", PLACE, ["UA"]),
    ("USA", PLACE, ["US"]),
    ("U.S.A.", PLACE, ["US"]),
    ("America", PLACE, ["US"]),
    ("United States", PLACE, ["US"]),
    ("Holland", PLACE, ["NL"]),
    ("the Netherlands", PLACE, ["NL"]),
    ("Czechia", PLACE, ["CZ"]),
    ("Czech Republic", PLACE, ["CZ"]),
    ("South Korea", PLACE, ["KR"]),
    ("Korea", PLACE, ["KR"]),
    ("North Korea", PLACE, ["KP"]),
    ("Brazil", PLACE, ["BR"]),
    ("Mexico", PLACE, ["MX"]),
    ("Viet Nam", PLACE, ["VN"]),
    ("Vietnam", PLACE, ["VN"]),
    ("Côte d'Ivoire", PLACE, ["CI"]),
    ("Ivory Coast", PLACE, ["CI"]),
    ("Türkiye", PLACE, ["TR"]),
    ("Turkey", PLACE, ["TR"]),
    ("Réunion", PLACE, ["RE"]),
    ("Congo", CHOICES, ["CG", "CD"]),
    # Places with their state.
    ("Denver, CO", PLACE, ["US-CO-DENVER"]),
    ("Denver CO", PLACE, ["US-CO-DENVER"]),
    ("denver, colorado", PLACE, ["US-CO-DENVER"]),
    ("Denver, CO, USA", PLACE, ["US-CO-DENVER"]),
    ("San Diego CA", PLACE, ["US-CA-SAN-DIEGO"]),
    ("San Diego, California", PLACE, ["US-CA-SAN-DIEGO"]),
    ("Sarasota County, Florida", PLACE, ["US-FL-SARASOTA-COUNTY"]),
    ("Sarasota County FL", PLACE, ["US-FL-SARASOTA-COUNTY"]),
    ("Kansas City, MO", PLACE, ["US-MO-KANSAS-CITY"]),
    ("Spokane Valley, WA", PLACE, ["US-WA-SPOKANE-VALLEY"]),
    ("Idaho Falls, ID", PLACE, ["US-ID-IDAHO-FALLS"]),
    ("Glen Carbon, Illinois", PLACE, ["US-IL-GLEN-CARBON"]),
    # A city we hold no record for answers with its state, and says so.
    ("Austin, TX", PLACE, ["US-TX"]),
    ("NYC", PLACE, ["US-NY"]),
    # Local names alone.
    ("Sarasota County", PLACE, ["US-FL-SARASOTA-COUNTY"]),
    ("Cle Elum", PLACE, ["US-WA-CLE-ELUM"]),
    # Close spellings: "did you mean".
    ("Texsa", SUGGESTIONS, ["US-TX"]),
    ("Louisianna", SUGGESTIONS, ["US-LA"]),
    ("Calfornia", SUGGESTIONS, ["US-CA"]),
    ("Brazill", SUGGESTIONS, ["BR"]),
    ("Tailand", SUGGESTIONS, ["TH"]),
]


@pytest.fixture(scope="module")
def jurisdictions():
    """The reference data's jurisdictions, in memory: the resolver is a pure function."""
    built = {}
    for row in read_status_rows():
        parent = built.get(row["parent_code"])
        built[row["code"]] = Jurisdiction(
            code=row["code"], name=row["name"], level=row["level"], parent=parent
        )
    return list(built.values())


def test_the_table_covers_at_least_sixty_queries():
    assert len(CASES) >= 60


@pytest.mark.parametrize(("query", "kind", "codes"), CASES)
def test_the_resolver_finds_the_place_or_the_choices(jurisdictions, query, kind, codes):
    result = resolve(query, jurisdictions)
    found = [place.code for place in result.places]
    assert result.kind == kind, (query, result.kind, found)
    if kind == SUGGESTIONS:
        assert set(codes) <= set(found), (query, found)
    else:
        assert found == codes, (query, found)


@pytest.mark.parametrize("zip_code", ["73301", "73301-0001"])
def test_a_zip_or_zip_plus_4_is_a_zip(jurisdictions, zip_code):
    result = resolve(zip_code, jurisdictions)
    assert (result.kind, result.zip_code) == (Kind.ZIP, zip_code)


@pytest.mark.parametrize("query", ["１２３４５", "١٢٣٤٥", "۷۳۳۰۱", "7330"])
def test_digits_that_are_not_a_zip_are_told_the_format(jurisdictions, query):
    result = resolve(query, jurisdictions)
    assert result.kind == Kind.INVALID_ZIP and "digits 0-9" in result.message


def test_a_country_without_a_page_is_not_verified_and_gets_the_baseline(jurisdictions):
    (brazil,) = resolve("Brazil", jurisdictions).places
    assert (brazil.code, brazil.listed, brazil.status) == ("BR", False, "unverified")
    assert brazil.url == "/countries/BR/"


def test_a_city_without_a_record_names_its_state_and_says_why(jurisdictions):
    (texas,) = resolve("Austin, TX", jurisdictions).places
    assert texas.code == "US-TX" and "Austin has no record of its own" in texas.via
    (england,) = resolve("GB-ENG", jurisdictions).places
    assert "England (GB-ENG) has no record of its own" in england.via


def test_a_city_name_in_several_states_lists_each(jurisdictions):
    result = resolve("Springfield", jurisdictions)
    codes = [place.code for place in result.places]
    assert result.kind == Kind.CHOICES and {"US-IL", "US-MA", "US-MO", "US-OR"} <= set(codes)
    assert all("Springfield has no record of its own" in place.via for place in result.places)
    # Our record first, then the other states with a Denver of their own.
    denver = [place.code for place in resolve("Denver", jurisdictions).places]
    assert denver[0] == "US-CO-DENVER" and {"US-IA", "US-NC", "US-PA"} <= set(denver)


def test_no_result_says_what_was_tried(jurisdictions):
    result = resolve("Mordor", jurisdictions)
    assert result.kind == Kind.NONE and result.places == []
    assert any("ZIP" in step for step in result.tried) and len(result.tried) >= 6


# The page and the API, against the database.


@pytest.fixture
def published(db):
    places = publish_sample()
    for code, name in [
        ("US-GA", "Georgia"),
        ("US-WA", "Washington"),
        ("US-DC", "District of Columbia"),
    ]:
        make_jurisdiction(code, name=name, parent=places["us"])
    return places


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_search_box_goes_to_the_one_place_or_lists_the_choices(client, published):
    assert client.get("/search", {"q": "tx"}).url == "/j/US-TX/"
    assert client.get("/search", {"q": "Brazil"}).url == "/countries/BR/"
    assert client.get("/search", {"q": "73301-0001"}).url == "/lookup?zip=73301-0001"
    georgia = client.get("/search", {"q": "Georgia"})
    html = _text(georgia)
    assert georgia.status_code == 200 and "2 places match “Georgia”" in html
    assert 'href="/j/US-GA/">Georgia</a> (State in United States, <code>US-GA</code>)' in html
    assert 'href="/countries/GE/">Georgia</a> (Country)' in html and "not verified here" in html
    austin = _text(client.get("/search", {"q": "Austin, TX"}))
    assert "Austin has no record of its own here: the state&#x27;s status applies" in austin
    near = _text(client.get("/search", {"q": "Texsa"}))
    assert "Did you mean" in near and 'href="/j/US-TX/"' in near
    nothing = client.get("/search", {"q": "Mordor"})
    assert nothing.status_code == 404 and "We tried" in _text(nothing)


def test_a_place_typed_into_the_zip_box_is_offered_beside_the_zip_format(client, published):
    response = client.get("/lookup", {"zip": "Texas"})
    html = _text(response)
    assert response.status_code == 400 and "digits 0-9" in html
    assert 'href="/j/US-TX/">Texas</a> (State in United States)' in html


def test_a_country_without_a_page_says_not_verified_and_shows_the_baseline(client, published):
    page = client.get("/countries/BR/")
    html = _text(page)
    assert page.status_code == 200 and "Kratom in Brazil" in html
    assert "Not verified here" in html and baseline_paragraphs()[0][:60] in html
    assert client.get("/countries/th/").url == "/j/TH/"
    assert client.get("/countries/GU/").url == "/j/US-GU/"  # a US territory's ISO code
    assert client.get("/countries/ZZ/").status_code == 404


def test_the_api_answers_the_search_box_questions(client, published):
    def search(q):
        return client.get("/api/v1/search", {"q": q})

    uk = search("UK").json()
    assert uk["kind"] == "place" and uk["results"][0]["code"] == "GB"
    assert uk["results"][0]["listed"] is False and uk["results"][0]["api_url"] is None
    assert uk["results"][0]["url"].endswith("/countries/GB/")
    california = search("CA").json()
    assert california["kind"] == "choices"
    assert [r["code"] for r in california["results"]] == ["CA", "US-CA"]
    assert search("73301").json()["zip"] == "73301"
    assert search("Texsa").json()["kind"] == "suggestions"
    assert search("Mordor").json()["tried"]
    missing = client.get("/api/v1/search")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_q"
    assert search("x" * 201).json()["error"]["code"] == "invalid_q"


@pytest.mark.parametrize("digits", ["１２３４５", "١٢٣٤٥", "۷۳۳۰۱", "７３３０１-０００１"])
def test_zip_codes_accept_ascii_digits_only(client, published, digits):
    """Full-width and Arabic-Indic digits are digits to Python's \\d, and the ZIP data raised
    on them: every place a ZIP is read answers 400, never 500."""
    for url, params in [("/api/v1/lookup", {"zip": digits}), ("/api/v1/search", {"q": digits})]:
        response = client.get(url, params)
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "invalid_zip"
    for url, params in [("/lookup", {"zip": digits}), ("/search", {"q": digits})]:
        response = client.get(url, params)
        assert response.status_code == 400 and "digits 0-9" in _text(response)
