import datetime
import re

import pytest
from django.test import override_settings

from jurisdictions.generation import public_generation_bump
from jurisdictions.models import Jurisdiction, Lead, Level
from jurisdictions.selectors import zip_answer
from jurisdictions.zipdata import ZipRecord
from tests.factories import make_jurisdiction, make_user, record_status
from tests.public.public_data import TODAY, publish_sample
from tests.wsgi_client import WsgiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Every request through the WSGI application, as gunicorn sends it: cached public reads
    are answered by the fast path in front of Django (jurisdictions/fastpath.py)."""
    return WsgiClient()


PAGES = ["/", "/j/US-TX/", "/j/US-GU/", "/lookup?zip=92101", "/about/", "/search?q=san"]


@pytest.fixture
def sample():
    return publish_sample()


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_home_page_has_search_map_legend_tables_and_changes(client, sample):
    record_status(sample["thailand"], "banned", user=make_user(), today=TODAY)
    html = _text(client.get("/"))
    assert 'role="search"' in html and 'name="q"' in html
    # Each state on the map links to its page, carries its code, and is labelled by its
    # status and its rule for the map's product (the leaf unless a view link chose another):
    # its <title>, which is also its tooltip.
    assert re.search(
        r'<a href="/j/US-TX/" class="state" data-code="US-TX" data-rule="regulated">\s*'
        r"<title>TX, Texas \(regulated\): Leaf regulated</title>",
        html,
    )
    assert 'class="shape shape-regulated"' in html
    assert "<title>CA, California (restricted): Leaf regulated</title>" in html
    # On the map, not in our data yet.
    assert "<title>FL, Florida (unverified): Leaf not verified</title>" in html
    assert (
        'aria-label="Legend: Leaf"' in html
        and "Nobody has verified this rule here: check the law yourself." in html
    )
    assert "Kratom is a controlled or prohibited substance here." not in html
    assert '<a href="?map=7oh#map-title">7-OH products</a>' in html
    seven_oh = _text(client.get("/?map=7oh"))
    assert '<strong aria-current="page">7-OH products</strong>' in seven_oh
    assert "<title>CA, California (restricted): 7-OH products banned (sale)</title>" in seven_oh
    assert "<title>TX, Texas (regulated): 7-OH products regulated</title>" in seven_oh
    assert 'id="unknown-map"' not in html + seven_oh
    assert "<caption>US states, DC and territories</caption>" in html
    assert '<a href="/j/TH/">Thailand</a>' in html
    assert "Recent confirmed changes" in html and "Legal → " in html


def test_a_map_that_does_not_exist_is_a_400_that_names_the_maps(client, sample):
    response = client.get("/", {"map": "bogus"})
    assert response.status_code == 400
    html = _text(response)
    assert "There is no map called “bogus”" in html
    assert "<code>?map=7oh</code> (7-OH products)" in html
    assert "Showing the Leaf map." in html
    assert '<strong aria-current="page">Leaf</strong>' in html


def test_a_jurisdiction_page_shows_the_whole_answer(client, sample):
    html = _text(client.get("/j/US-TX/"))
    assert "Kratom in Texas" in html and "Regulated" in html
    assert re.search(
        r'id="answer-sentence">Leaf, extracts and 7-OH products are regulated by the state', html
    )
    assert "<dt>Minimum age</dt><dd>18</dd>" in html
    assert "capped at 2% of alkaloids" in html
    assert "<dt>Effective</dt><dd>2019</dd>" in html  # a year-only date shows the year only
    assert "January 2019" not in html
    assert (
        '<a href="https://law.example.gov/kratom" rel="noopener noreferrer external">Test Code 1-2-3</a>'
        in html
    )
    # What was verified and what was not, never "last verified" beside a "not verified".
    assert (
        '<dt>Verified</dt><dd id="verified-rules">Leaf, extracts and 7-OH products: from the '
        'reference data as of <time datetime="2026-11-01">1 Nov 2026</time>' in html
    )
    assert "Synthetic alkaloids: not verified.</dd>" in html
    assert "Last verified" not in html
    assert "Upcoming change" in html and "1 March 2027" in html
    assert html.count('<li id="v') == 3  # history timeline
    assert "Not legal advice." in html
    assert 'action="/j/US-TX/report/"' in html


def test_a_curator_verified_page_says_so(client, sample):
    record_status(sample["thailand"], "banned", user=make_user(), today=TODAY)
    assert "by a curator" in _text(client.get("/j/TH/"))


def test_an_unverified_page_shows_the_baseline_with_its_provenance(client, sample):
    html = _text(client.get("/j/US-GU/"))
    assert "Unverified: what is known in general" in html
    assert "Not legal advice." in html
    # Worded for a visitor: not verified, and where the guidance comes from, on About.
    assert "We have not verified the law here yet" in html
    assert "as we last verified it" not in html
    assert "four consumer articles about kratom" in html and 'href="/about/#sources"' in html
    # About credits the articles by title (or subject), never by internal file name.
    about = _text(client.get("/about/"))
    assert "“Kratom Benefits For Depression Management”" in about
    assert "an untitled article on kratom and anxiety;" in about
    assert ".txt" not in about


def test_a_state_page_lists_its_local_exceptions(client, sample):
    html = _text(client.get("/j/US-CA/"))
    assert "Local exceptions" in html
    assert '<a href="/j/US-CA-SAN-DIEGO/">San Diego (city)</a>' in html
    city = _text(client.get("/j/US-CA-SAN-DIEGO/"))
    assert "The law of California applies here too" in city


def test_a_lower_case_code_redirects_and_an_unknown_one_is_404(client, sample):
    assert client.get("/j/us-tx/").url == "/j/US-TX/"
    assert client.get("/j/US-ZZ/").status_code == 404


def test_the_zip_lookup_shows_each_level_and_the_most_restrictive(client, sample):
    html = _text(client.get("/lookup", {"zip": "92101"}))
    assert "Kratom at ZIP code 92101" in html
    assert re.search(r"Answer: <span class=\"status status-banned\">", html)
    assert "San Diego (city)" in html and "California" in html
    assert "San Diego County" in html and "Unverified" in html
    assert "main county" in html
    assert "US federal law applies everywhere as well" in html


@pytest.mark.parametrize("raw", ["9210", "ABCDE", "", "921011"])
def test_a_malformed_zip_is_a_400_page_that_explains(client, raw):
    response = client.get("/lookup", {"zip": raw})
    assert response.status_code == 400
    assert "five digits" in _text(response)


def test_an_unknown_zip_is_a_404_page(client):
    response = client.get("/lookup", {"zip": "00000"})
    assert response.status_code == 404
    assert "not a ZIP code in the offline US ZIP data" in _text(response)


def test_a_zip_that_spans_two_counties_says_so_and_takes_the_stricter(sample):
    """The offline data names one county per ZIP; this feeds the resolver a record naming
    two, as a data set with county splits would, to show the answer and the note."""
    make_jurisdiction(
        "US-CA-ORANGE-COUNTY", name="Orange County", level=Level.COUNTY, parent=sample["california"]
    )
    banned_county = Jurisdiction.objects.get(code="US-CA-ORANGE-COUNTY")
    record_status(banned_county, "banned", today=TODAY)
    record = ZipRecord(
        zip_code="99999",
        state="CA",
        county="San Diego County",
        city="Oceanside",
        acceptable_cities=(),
        other_counties=("Orange County",),
    )
    answer = zip_answer(record=record)
    assert [c.name for c in answer.counties] == ["San Diego County", "Orange County"]
    assert answer.answer.jurisdiction == banned_county
    assert any(
        "spans more than one county (San Diego County, Orange County)" in n for n in answer.notes
    )


def test_a_zip_without_a_county_in_the_data_says_so(client, sample):
    # 00604 (Aguadilla, PR) has no county in the offline data.
    answer = client.get("/api/v1/lookup", {"zip": "00604"}).json()
    assert answer["counties"] == []
    assert any("names no county" in note for note in answer["notes"])


def test_search_reaches_a_state_a_zip_or_candidates(client, sample):
    assert client.get("/search", {"q": "texas"}).url == "/j/US-TX/"
    assert client.get("/search", {"q": "us-ca"}).url == "/j/US-CA/"
    assert client.get("/search", {"q": "73301"}).url == "/lookup?zip=73301"
    candidates = client.get("/search", {"q": "San Diego"})
    assert candidates.status_code == 200 and "San Diego County" in _text(candidates)
    assert client.get("/search", {"q": "Tex\x00as"}).url == "/j/US-TX/"
    nothing = client.get("/search", {"q": "Atlantis"})
    assert nothing.status_code == 404 and "Nothing matches" in _text(nothing)


def test_the_about_page_explains_statuses_sources_verification_and_alerts(client):
    html = _text(client.get("/about/"))
    for phrase in [
        "What each status means",
        "Where the facts come from",
        "How curators verify",
        "Webhook alerts",
        "No verified rule here says whether kratom leaf is legal",
    ]:
        assert phrase in html


def test_the_badge_is_an_svg_with_the_status_in_text(client, sample):
    response = client.get("/j/US-CA/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    # The sample's California has no extract rule: the badge says so beside its headline.
    assert ">! restricted · extracts not verified</text>" in response.content.decode()
    assert "ETag" in response


def test_the_changes_feed_lists_curator_confirmations_newest_first(client, sample):
    record_status(sample["thailand"], "banned", user=make_user(), today=TODAY)
    feed = client.get("/feeds/changes.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    # The entry says what changed, product by product.
    assert "<title>Thailand: Leaf: allowed → banned (possession);" in body
    assert "Texas" not in body  # reference-data versions are not changes
    texas_feed = client.get("/j/US-TX/feed.atom").content.decode()
    assert texas_feed.count("<entry>") == 3 and "Effective 2019." in texas_feed


def test_a_correction_lands_as_a_public_lead(client, sample):
    response = client.post(
        "/j/US-TX/report/",
        {
            "summary": "The age limit is now 21 since HB 1.",
            "source_url": "https://capitol.texas.gov/hb1",
            "contact_email": "a@example.org",
            "website": "",
        },
    )
    assert response.status_code == 302 and response.url == "/j/US-TX/report/thanks/"
    lead = Lead.objects.get()
    assert (lead.jurisdiction.code, lead.origin, lead.state) == ("US-TX", "public", "open")
    assert (
        lead.source_url == "https://capitol.texas.gov/hb1" and lead.contact_email == "a@example.org"
    )


def test_a_bad_correction_is_refused_with_its_errors_and_escaped(client, sample):
    response = client.post(
        "/j/US-TX/report/",
        {"summary": "<script>alert(1)</script>", "source_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Enter a valid URL." in html or "must start with http" in html
    assert not Lead.objects.exists()


def test_the_honeypot_thanks_a_bot_and_keeps_nothing(client, sample):
    response = client.post(
        "/j/US-TX/report/",
        {
            "summary": "Buy cheap pills here now",
            "source_url": "https://spam.example",
            "website": "https://spam.example",
        },
    )
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_a_cross_site_post_is_refused(client, sample):
    response = client.post(
        "/j/US-TX/report/",
        {"summary": "x" * 20, "source_url": "https://a.gov"},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert not Lead.objects.exists()


@override_settings(CORRECTION_RATE_LIMIT=2)
def test_corrections_are_rate_limited_per_client(client, sample):
    data = {"summary": "The age limit is now 21.", "source_url": "https://capitol.texas.gov/hb1"}
    for _ in range(2):
        assert client.post("/j/US-TX/report/", data).status_code == 302
    limited = client.post("/j/US-TX/report/", data)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert Lead.objects.count() == 2


def test_visitor_text_is_never_shown_on_public_pages(client, sample):
    client.post(
        "/j/US-TX/report/", {"summary": "SECRET-VISITOR-TEXT here", "source_url": "https://a.gov/x"}
    )
    public_generation_bump()
    for path in ["/j/US-TX/", "/", "/api/v1/jurisdictions/US-TX", "/api/v1/export.csv"]:
        assert "SECRET-VISITOR-TEXT" not in client.get(path).content.decode()


def test_pages_carry_security_headers_and_no_inline_script(client, sample):
    for path in PAGES:
        response = client.get(path, secure=True)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"].startswith("max-age=")
        assert "<script" not in response.content.decode()
        assert " style=" not in response.content.decode()


def test_pages_answer_304_to_their_etag(client, sample):
    first = client.get("/j/US-TX/")
    assert client.get("/j/US-TX/", headers={"if-none-match": first["ETag"]}).status_code == 304


def test_a_confirmed_change_shows_on_the_page(client, sample, django_capture_on_commit_callbacks):
    assert "Legal" in _text(client.get("/j/TH/"))
    with django_capture_on_commit_callbacks(execute=True):
        record_status(sample["thailand"], "banned", user=make_user(), today=TODAY)
    assert 'Status: <span class="status status-banned">' in _text(client.get("/j/TH/"))


def _grow(count: int) -> None:
    us = Jurisdiction.objects.get(code="US")
    california = Jurisdiction.objects.get(code="US-CA")
    for n in range(count):
        state = make_jurisdiction(f"US-Z{n}", name=f"Zstate {n}", parent=us)
        record_status(state, "legal", today=TODAY)
        record_status(state, "regulated", user=make_user(f"curator{n}"), today=TODAY)
        city = make_jurisdiction(
            f"US-CA-TOWN{n}", name=f"Town {n}", level=Level.CITY, parent=california
        )
        record_status(city, "banned", today=TODAY)
        record_status(city, "legal", today=TODAY)
        make_jurisdiction(f"Q{chr(65 + n)}", name=f"Country {n}")


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # Each but the feed has one query for the pending measures (jurisdictions.pending).
        ("/", 4),
        ("/?map=7oh", 4),
        ("/j/US-CA/", 4),
        ("/j/US-TX/", 4),
        ("/j/US-CA-SAN-DIEGO/", 4),
        ("/lookup?zip=92101", 2),
        ("/feeds/changes.atom", 1),
    ],
)
def test_page_query_counts_do_not_grow_with_data(
    client, sample, django_assert_num_queries, path, queries
):
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    _grow(5)
    public_generation_bump()
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_feeds_link_to_the_site_url_whoever_asks(client, sample, settings):
    settings.SITE_URL = "https://kratom.example.org"
    body = client.get("/j/US-TX/feed.atom", HTTP_HOST="localhost").content.decode()
    assert 'href="https://kratom.example.org/j/US-TX/feed.atom"' in body
    assert "<id>https://kratom.example.org/j/US-TX/#v" in body


def test_a_city_page_shows_its_rules_beside_the_states_and_the_federal(client, sample):
    record_status(sample["us"], "legal")
    html = _text(client.get("/j/US-CA-SAN-DIEGO/"))
    table = html[html.index('id="rules"') : html.index("</table>", html.index('id="rules"'))]
    assert '<th scope="col">California (state)</th>' in table
    assert '<th scope="col">United States (federal)</th>' in table
    leaf = table[table.index('data-category="leaf"') :]
    leaf = leaf[: leaf.index("</tr>")]
    # The city's own ban, then California's regulated leaf, then the federal allowed leaf.
    assert leaf.index("Banned (possession)") < leaf.index("Regulated") < leaf.index("Allowed")


def test_a_feed_entry_for_an_age_only_change_names_the_age(client, sample):
    texas = sample["texas"]
    record_status(texas, "regulated", min_age=18, user=make_user("first"), today=TODAY)
    record_status(texas, "regulated", min_age=21, user=make_user("second"), today=TODAY)
    body = client.get("/feeds/changes.atom").content.decode()
    assert "<title>Texas: Leaf: minimum age 18 → 21" in body
    assert "Regulated → Regulated" not in body
    home = client.get("/").content.decode()
    assert "minimum age 18 → 21" in home  # "Recent confirmed changes" says the same


def test_a_feed_entry_for_an_effective_date_change_names_the_dates(client, sample):
    texas = sample["texas"]
    first, second = datetime.date(2020, 1, 1), datetime.date(2021, 3, 1)
    record_status(texas, "regulated", effective_date=first, user=make_user("a"), today=TODAY)
    record_status(texas, "regulated", effective_date=second, user=make_user("b"), today=TODAY)
    body = client.get("/feeds/changes.atom").content.decode()
    assert "<title>Texas: effective date 1 January 2020 → 1 March 2021</title>" in body
