"""Honest age: who verified a status and how long ago, and a stale notice past
VERIFICATION_STALE_DAYS on the page, the ZIP answer, the map, the badge and the API."""

import datetime
import re

import pytest
import time_machine

from jurisdictions.models import Level
from jurisdictions.services.decisions import status_reverify
from tests.factories import CITATION, make_curator, make_jurisdiction, record_status

pytestmark = pytest.mark.django_db

VERIFIED = datetime.date(2026, 6, 25)
DAY_90 = VERIFIED + datetime.timedelta(days=90)
DAY_91 = VERIFIED + datetime.timedelta(days=91)
STALE = "May be out of date."


@pytest.fixture
def florida(settings):
    settings.VERIFICATION_STALE_DAYS = 90
    us = make_jurisdiction("US", name="United States (federal)")
    florida = make_jurisdiction("US-FL", name="Florida", parent=us)
    record_status(florida, "regulated", min_age=21, as_of=VERIFIED, today=VERIFIED)
    return florida


def _text(response) -> str:
    return re.sub(r"<[^>]+>", "", re.sub(r"\s+", " ", response.content.decode()))


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False)


@pytest.mark.parametrize(("day", "stale"), [(DAY_90, False), (DAY_91, True)])
def test_the_page_says_who_verified_when_and_is_stale_only_past_90_days(
    client, florida, day, stale
):
    with _at(day):
        html = client.get("/j/US-FL/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    days = (day - VERIFIED).days
    assert f"from the reference data as of 25 Jun 2026 ({days} days ago)" in text
    assert (STALE in text) is stale
    if stale:
        # The notice links the official text the answer rests on.
        notice = re.search(r'<p class="stale-notice".*?</p>', html, re.S).group(0)
        assert f'href="{CITATION["url"]}"' in notice
        assert "last verified 91 days ago" in notice


@pytest.mark.parametrize(("day", "stale"), [(DAY_90, False), (DAY_91, True)])
def test_the_zip_answer_marks_each_stale_deciding_level(client, florida, day, stale):
    county = make_jurisdiction(
        "US-FL-MIAMI-DADE", name="Miami-Dade County", level=Level.COUNTY, parent=florida
    )
    # A county verified recently: only Florida, which decided the other rules, is stale.
    record_status(county, "banned", as_of=DAY_90, today=DAY_90)
    with _at(day):
        html = client.get("/lookup?zip=33101").content.decode()
    notices = re.findall(r'<p class="stale-notice"[^>]*data-stale="([A-Z-]+)"', html)
    assert notices == (["US-FL"] if stale else [])


@pytest.mark.parametrize(("day", "stale"), [(DAY_90, False), (DAY_91, True)])
def test_the_api_gives_on_by_age_and_stale(client, florida, day, stale):
    with _at(day):
        body = client.get("/api/v1/jurisdictions/US-FL").json()
        zip_body = client.get("/api/v1/lookup?zip=33101").json()
    expected = {
        "on": "2026-06-25",
        "by": "curated reference data",
        "age_days": (day - VERIFIED).days,
        "stale": stale,
    }
    assert body["last_verified"] == expected
    assert zip_body["rules"]["leaf"]["last_verified"] == expected


@pytest.mark.parametrize(("day", "stale"), [(DAY_90, False), (DAY_91, True)])
def test_the_map_marks_stale_states_and_the_legend_explains_the_mark(client, florida, day, stale):
    with _at(day):
        html = client.get("/").content.decode()
    marked = re.search(r'class="state stale" data-code="US-FL"[^>]*data-stale="1"', html)
    assert bool(marked) is stale
    assert ('class="state" data-code="US-FL"' in html) is not stale
    assert "Not verified for more than 90 days: the answer may be out of date" in html


def test_the_badge_labels_a_stale_status_with_its_age(client, florida):
    with _at(DAY_91):
        svg = client.get("/j/US-FL/badge.svg").content.decode()
    assert "regulated · verified Jun 2026" in svg and "(may be out of date)" in svg


def test_a_curator_reverify_credits_the_curator_on_the_page_and_in_the_api(client, florida):
    curator = make_curator()
    with _at(DAY_91):
        status_reverify(actor=curator, jurisdiction=florida)
        text = re.sub(r"\s+", " ", _text(client.get("/j/US-FL/")))
        body = client.get("/api/v1/jurisdictions/US-FL").json()
    assert "verified by a curator on 24 Sep 2026 (0 days ago)" in text
    verified_row = re.split(r"Last verified|Verified", text, maxsplit=1)[1].split("Official")[0]
    assert "reference data" not in verified_row
    assert STALE not in text
    assert body["last_verified"] == {
        "on": DAY_91.isoformat(),
        "by": "curator",
        "age_days": 0,
        "stale": False,
    }


def test_a_newer_seed_verification_is_credited_to_the_reference_data(florida):
    curator = make_curator()
    with _at(DAY_90):
        status_reverify(actor=curator, jurisdiction=florida)
    record_status(florida, "regulated", min_age=21, as_of=DAY_91, today=DAY_91)
    florida.refresh_from_db()
    assert florida.last_verified_on == DAY_91 and florida.last_verified_by is None
