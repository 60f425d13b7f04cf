"""Hostile and broken official pages, served for real on loopback: each check ends, in time, as a
recorded check with its reason, and leaves the process's memory bounded.

The deadline is shortened to 2 s so the suite stays quick; the bounds are the same code paths
as with the 60 s default.
"""

import contextlib
import ipaddress
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from tests.monitoring import hostile
from tests.monitoring.conftest import make_pdf
from tracker.lib.deadline import Deadline
from tracker.monitoring import extract
from tracker.monitoring.models import Check, Outcome, Source, SourceKind
from tracker.monitoring.services import source_check

pytestmark = pytest.mark.django_db
DEADLINE = 2.0
# Time for the database writes and the test server around the deadline.
MARGIN = 1.5
# What one hostile check may add to this process's resident memory. A growth bound, not an
# absolute one: the process also holds whatever the tests before it loaded (the suite runs
# many files per process). The worker test bounds a whole worker's peak.
RSS_GROWTH_CEILING_KB = 150 * 1024


@pytest.fixture(autouse=True)
def _short_deadline(settings):
    settings.OUTBOUND_DEADLINE_SECONDS = DEADLINE
    settings.OUTBOUND_CONNECT_TIMEOUT = settings.OUTBOUND_READ_TIMEOUT = DEADLINE


@pytest.fixture(scope="module")
def origin():
    with hostile.HostileOrigin(hostile.hostile_pages()) as server:
        yield server


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc")


def current_text(check: Check) -> str:
    return Source.objects.get(pk=check.source_id).current_snapshot.text


def checked(source: Source) -> tuple[Check, float]:
    rss_before = rss_kb()
    started = time.monotonic()
    result = source_check(source_id=source.pk)
    took = time.monotonic() - started
    assert result.check_id, "the check was not recorded"
    assert took < DEADLINE + MARGIN, f"the check took {took:.1f} s"
    assert rss_kb() - rss_before < RSS_GROWTH_CEILING_KB
    return Check.objects.get(pk=result.check_id), took


def assert_failed(source: Source, reason: str) -> Check:
    check, _ = checked(source)
    assert check.outcome == Outcome.FAILED
    assert reason in check.error
    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert reason in source.last_error
    return check


@pytest.mark.parametrize(
    "path",
    [
        "/deep",
        "/tags",
        "/unclosed",
        "/pdf-bomb",
        "/gzip-bomb",
        "/binary",
        "/bad-utf8",
        "/deep-json",
        "/loop",
    ],
)
def test_a_hostile_page_is_a_failed_check_with_its_reason(origin, make_source, path):
    page = origin.pages[path]
    assert_failed(make_source(origin.url(path), kind=page.kind), page.expected)


def test_a_page_built_to_make_patterns_backtrack_is_read_in_time(origin, make_source):
    check, _ = checked(make_source(origin.url("/backtrack"), kind=SourceKind.TEXT))
    assert check.outcome == Outcome.BASELINE
    assert "Section 1. Official text." in current_text(check)


def test_a_pdf_with_a_malformed_xref_is_recovered_or_failed_never_raised(origin, make_source):
    check, _ = checked(make_source(origin.url("/pdf-xref"), kind=SourceKind.PDF))
    # pypdf rebuilds a broken cross-reference table by scanning the file.
    assert check.outcome == Outcome.BASELINE
    assert "Kratom may be sold to adults." in current_text(check)


def test_response_headers_dripping_past_the_deadline_fail_the_check(make_source):
    with hostile.header_drip() as server:
        assert_failed(make_source(server.url), "overall deadline")


def test_a_body_dripping_past_the_deadline_fails_the_check(make_source):
    with hostile.body_drip() as server:
        assert_failed(make_source(server.url), "deadline")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused_with_the_guard_on(
    settings, make_source, target
):
    # The origin is on 127.0.0.2, the only non-public address the guard lets through here.
    settings.OUTBOUND_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.2/32")]
    pages = {"/moved": hostile.Page(b"", status=302)}
    with hostile.HostileOrigin(pages, host="127.0.0.2") as origin:
        port = origin.server.server_address[1]
        pages["/moved"].headers["Location"] = target.format(port=port)
        assert_failed(make_source(origin.url("/moved")), "non-public address")


def test_normalising_a_megabyte_built_to_backtrack_takes_well_under_a_second():
    text = hostile.backtracking_text().decode()
    started = time.monotonic()
    normalised = extract.normalise(text, ignore_patterns=[r"(a+)+b", r"(\s*)*#"])
    assert time.monotonic() - started < 1.0
    assert normalised.startswith("Section 1. Official text.")


def test_a_curator_pattern_the_linear_engine_cannot_run_is_refused_when_saved(make_source):
    with pytest.raises(ValidationError, match="look-around"):
        make_source("https://example.org/law", ignore_patterns="Visits: (?=\\d+)")
    with pytest.raises(ValidationError, match="back-references"):
        make_source("https://example.org/law", ignore_patterns="(\\w+) \\1")


def test_a_stored_pattern_the_linear_engine_cannot_run_fails_the_check(origin, make_source):
    source = make_source(origin.url("/backtrack"), kind=SourceKind.TEXT)
    Source.objects.filter(pk=source.pk).update(ignore_patterns="Visits: (?=\\d+)")
    assert_failed(source, "cannot be used")


def test_a_library_error_is_recorded_with_its_class(origin, make_source):
    # json.loads refuses an integer of more than 4300 digits with a plain ValueError, which no
    # extraction step expects: the check records it by its class, the test does not see it.
    page = origin.pages["/huge-number"]
    check = assert_failed(make_source(origin.url("/huge-number"), kind=page.kind), "ValueError")
    assert "4300" in check.error


def test_big_pages_wait_for_a_heavy_extraction_slot_within_their_deadline(settings):
    pdf = make_pdf(["Section 1. Kratom may be sold to adults."])
    with contextlib.ExitStack() as held:
        for _ in range(settings.MONITORING_HEAVY_EXTRACTIONS):  # every slot taken
            held.enter_context(extract.heavy_slot(Deadline.after(10)))
        with pytest.raises(extract.ExtractionError, match="no heavy-extraction slot"):
            extract.extract_text(kind=SourceKind.PDF, body=pdf, deadline=Deadline.after(0.2))
    extraction = extract.extract_text(kind=SourceKind.PDF, body=pdf, deadline=Deadline.after(10))
    assert "Kratom may be sold" in extraction.text
