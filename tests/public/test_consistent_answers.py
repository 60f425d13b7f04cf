"""Answers that never contradict themselves (issue: a known ban never hidden behind
"unverified"; thresholds are rules; one legend; consistent answers), on the seeded data."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from jurisdictions.citations import citations_clean
from jurisdictions.models import Jurisdiction, Rule, StatusVersion
from jurisdictions.rules import RULE_STATUS, RULE_SYMBOLS, STATUS_SYMBOLS
from tests.factories import make_jurisdiction, record_status
from tracker.monitoring.worklist import Reason, worklist

pytestmark = pytest.mark.django_db

# The whole module runs on one day: pages say how old a verification is and what is upcoming.
TODAY = datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def seeded():
    call_command("seed", stdout=None)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("code", ["US-OH", "US-CA"])
def test_a_known_ban_shows_in_the_api_badge_table_and_map_although_the_leaf_is_unknown(
    client, seeded, code
):
    detail = client.get(f"/api/v1/jurisdictions/{code}").json()
    assert detail["status"] == "restricted"
    assert detail["current"]["rules"]["leaf"]["rule"] == Rule.UNKNOWN
    assert detail["current"]["rules"]["7oh"]["rule"] == Rule.BANNED
    badge = client.get(f"/j/{code}/badge.svg").content.decode()
    assert "! restricted · leaf" in badge and "not verified" in badge
    home = _text(client.get("/"))
    row = re.search(
        rf'<a href="/j/{code}/">[^<]+</a></th> <td data-label="Status">(.*?)</td>', home
    )
    assert 'status-restricted"' in row.group(1) and "Restricted" in row.group(1)
    seven_oh_map = _text(client.get("/?map=7oh"))
    assert re.search(rf'data-code="{code}" data-rule="banned"', seven_oh_map)
    assert re.search(
        r"<title>[A-Z]{2}, \w+ \(restricted\): 7-OH products banned",
        seven_oh_map,
    )


def test_ohio_says_what_was_verified_and_what_was_not(client, seeded):
    html = _text(client.get("/j/US-OH/"))
    assert "Last verified" not in html and "No curator has verified" not in html
    assert (
        '<dt>Verified</dt><dd id="verified-rules">Extracts, 7-OH products and synthetic '
        "alkaloids: from the reference data as of "
    ) in html
    assert "Leaf: not verified.</dd>" in html
    assert (
        '<p class="meaning" id="answer-sentence">Extracts and 7-OH products are banned by the '
        "state; synthetic alkaloids are banned federally; leaf: not verified.</p>"
    ) in html


def test_a_cap_is_a_regulated_rule_and_a_threshold_ban_is_a_ban(client, seeded):
    texas = client.get("/api/v1/jurisdictions/US-TX").json()["current"]
    assert texas["status"] == "regulated"
    assert texas["rules"]["7oh"] == {
        "category": "7oh",
        "rule": "regulated",
        "scope": None,
        "min_age": 18,
        "limit": "7-OH cap: 2% of alkaloid fraction",
    }
    assert texas["seven_oh_rule"] == "Regulated: 7-OH cap: 2% of alkaloid fraction"
    florida = client.get("/api/v1/jurisdictions/US-FL").json()["current"]
    assert (florida["rules"]["7oh"]["rule"], florida["rules"]["7oh"]["scope"]) == (
        "banned",
        "possession",
    )
    assert florida["seven_oh_rule"].startswith("Banned (possession): Schedule I above 1 mg/g")


def test_seattle_answers_every_level_and_never_cites_a_bill_that_was_not_enacted(client, seeded):
    sentence = "No state or local kratom law; synthetic alkaloids are banned federally."
    html = _text(client.get("/lookup", {"zip": "98101"}))
    assert f'<p class="meaning" id="answer-sentence">{sentence}</p>' in html
    assert "No kratom-specific law was found here" not in html
    assert client.get("/api/v1/lookup", {"zip": "98101"}).json()["answer"]["sentence"] == sentence
    washington = _text(client.get("/j/US-WA/"))
    assert "No state kratom law; synthetic alkaloids are banned federally." in washington
    for page in (html, washington):
        assert "not enacted" not in page
    citations = client.get("/api/v1/jurisdictions/US-WA").json()["current"]["citations"]
    assert citations == [
        {"title": "", "url": "https://mrsc.org/stay-informed/mrsc-insight/may-2026/kratom-bans",
         "text": ""}
    ]  # fmt: skip
    # California keeps its law and drops the bill that is still pending.
    california = client.get("/api/v1/jurisdictions/US-CA").json()["current"]["citations"]
    assert [c["text"] for c in california] == [
        "Sherman Food, Drug, and Cosmetic Law (Cal. Health & Safety Code div. 104 pt. 5)"
    ]


def test_a_dated_change_in_a_summary_is_a_lead_to_verify_never_upcoming_none(client, seeded):
    html = _text(client.get("/j/US-KY/"))
    assert "bans sales from 2027-01-01" in html  # the summary names it ...
    assert '<div class="upcoming-box" id="unscheduled-change">' in html  # ... and so does the page
    assert "Upcoming change: not verified" in html and "<strong>1 January 2027</strong>" in html
    kentucky = next(item for item in worklist() if item.jurisdiction.code == "US-KY")
    assert Reason.LEAD in kentucky.reasons  # on the curators' "Verify next" list
    api = client.get("/api/v1/jurisdictions/US-KY").json()
    assert (api["upcoming"], api["unverified_changes_from"]) == (None, ["2027-01-01"])


def test_the_same_symbol_means_the_same_thing_in_every_legend_and_on_the_map(client, seeded):
    for rule, status in RULE_STATUS.items():
        assert RULE_SYMBOLS[rule] == STATUS_SYMBOLS[status]
    assert len(set(STATUS_SYMBOLS.values())) == len(STATUS_SYMBOLS)
    for page in ("/", "/about/", "/j/US-OH/", "/lookup?zip=98101"):
        html = _text(client.get(page))
        pairs = re.findall(
            r'<span class="status status-(\w+)"><span class="symbol" aria-hidden="true">(.)</span> (\w[\w ]*)',
            html,
        )
        assert pairs, page
        colour_of_symbol = {}
        for colour, symbol, word in pairs:
            assert word.strip(), (page, symbol)  # a word always beside the symbol
            assert colour_of_symbol.setdefault(symbol, colour) == colour, (page, symbol, word)


def test_a_version_recorded_with_a_bill_that_is_not_law_is_never_answered_with_it(client):
    washington = make_jurisdiction("US-WA", name="Washington")
    seeded = record_status(washington, "legal")
    # As the seed recorded it before bills were kept out of citations (the service now
    # refuses such a citation, so the row is written as the old seed wrote it).
    fields = {f.attname: getattr(seeded, f.attname) for f in StatusVersion._meta.concrete_fields}
    fields.pop("id")
    fields["citations"] = [
        {"title": "", "url": "https://mrsc.org/kratom-bans", "text": "HB 2291 (2026, not enacted)"},
        {"title": "", "url": "", "text": "none (HB 717/SB 463 of 2025 not enacted)"},
    ]
    [old] = StatusVersion.objects.bulk_create([StatusVersion(**fields)])
    Jurisdiction.objects.filter(pk=washington.pk).update(current_status=old)
    api = client.get("/api/v1/jurisdictions/US-WA").json()["current"]["citations"]
    assert api == [{"title": "", "url": "https://mrsc.org/kratom-bans", "text": ""}]
    page = _text(client.get("/j/US-WA/"))
    assert "not enacted" not in page and 'href="https://mrsc.org/kratom-bans"' in page


def test_a_curator_cannot_cite_a_bill_that_is_not_law_as_the_basis():
    with pytest.raises(ValidationError, match="names a measure that is not law"):
        citations_clean([{"url": "", "text": "SB 262 (2026, pending)"}])
    assert citations_clean([{"url": "", "text": "Ala. Code § 20-2-23"}])
