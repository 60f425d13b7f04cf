"""A source created with its URL alone: each check decides the kind from the response
(Content-Type, then the first bytes) and records it. Real HTTP servers on 127.0.0.1."""

import contextlib
import json
import tracemalloc

import pytest

from tests.factories import make_jurisdiction
from tests.monitoring.conftest import STATUTE, make_pdf
from tests.monitoring.test_check import Site, check
from tracker.lib.deadline import Deadline
from tracker.monitoring import extract
from tracker.monitoring.extract import extract_text
from tracker.monitoring.kinds import kind_detect
from tracker.monitoring.models import ChangeProposal, Check, Outcome, Source, SourceKind

pytestmark = pytest.mark.django_db

KRATOM_LINE = "Section 5. The sale of kratom to a person under 21 is prohibited."


def _source_by_url(url: str) -> Source:
    """What a curator does in the admin with nothing but a URL: every other field default."""
    source = Source(jurisdiction=make_jurisdiction("US-TX"), url=url)
    source.full_clean()
    source.save()
    assert source.kind == SourceKind.AUTO
    return source


def test_a_pdf_source_by_url_alone_reads_the_pdf_and_proposes_a_text_change(httpserver):
    site = Site(httpserver, make_pdf(STATUTE), path="/notice.pdf", content_type="application/pdf")
    source = _source_by_url(site.url)
    assert check(source) == Outcome.BASELINE
    source.refresh_from_db()
    assert source.detected_kind == SourceKind.PDF
    assert "Section 2. A retailer may not sell" in source.current_snapshot.text
    site.body = make_pdf([*STATUTE, KRATOM_LINE])
    assert [check(source), check(source)] == [Outcome.UNCONFIRMED, Outcome.CHANGED]
    assert f"+{KRATOM_LINE}" in ChangeProposal.objects.get(source=source).diff


def _document(*, reordered: bool = False, indent=None, bill_status: str = "In committee") -> str:
    bill = {"number": "HB 1234", "title": "Kratom Consumer Protection Act", "status": bill_status}
    document = {"session": "2026", "bills": [bill], "updated": "fixed"}
    if reordered:
        document = {key: document[key] for key in reversed(document)}
        document["bills"] = [{key: bill[key] for key in reversed(bill)}]
    return json.dumps(document, indent=indent)


def test_a_json_source_by_url_alone_ignores_key_order_and_formatting_but_not_text(httpserver):
    # Served as text/plain, as some legislature APIs do: the first bytes decide.
    site = Site(httpserver, _document(), path="/bills", content_type="text/plain")
    source = _source_by_url(site.url)
    assert check(source) == Outcome.BASELINE
    source.refresh_from_db()
    assert source.detected_kind == SourceKind.JSON
    site.body = _document(reordered=True, indent=4)
    assert check(source) == Outcome.UNCHANGED
    assert not ChangeProposal.objects.exists()
    site.body = _document(reordered=True, bill_status="Signed by the governor")
    assert [check(source), check(source)] == [Outcome.UNCONFIRMED, Outcome.CHANGED]
    assert "Signed by the governor" in ChangeProposal.objects.get(source=source).diff


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("application/pdf", b"anything", SourceKind.PDF),
        ("application/octet-stream", b"\n%PDF-1.7 ...", SourceKind.PDF),
        ("application/vnd.api+json", b"{}", SourceKind.JSON),
        ("", b'\xef\xbb\xbf [{"a": 1}]', SourceKind.JSON),
        ("text/html; charset=utf-8", b"{}", SourceKind.HTML),
        ("", b"<!doctype html><p>law</p>", SourceKind.HTML),
        ("text/plain", b"Section 1. Definitions.", SourceKind.TEXT),
    ],
)
def test_the_content_type_decides_then_the_first_bytes(content_type, body, kind):
    assert kind_detect(content_type=content_type, body=body) == kind


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("text/plain", b"{not json", SourceKind.TEXT),
        ("", b"[Repealed by Acts 2025, ch. 12]", SourceKind.TEXT),
        ("", b'\xef\xbb\xbf [{"a": 1}]', SourceKind.JSON),
    ],
)
def test_a_body_that_only_looks_like_json_is_read_as_text(content_type, body, kind):
    # Whether it parses is learnt by the extraction's one parse, inside its guards.
    extraction = extract_text(
        kind=SourceKind.AUTO, body=body, content_type=content_type, deadline=Deadline.after(10)
    )
    assert extraction.kind == kind


def _failed_check(source: Source) -> Check:
    assert check(source) == Outcome.FAILED
    return Check.objects.get(source=source)


def test_a_big_json_body_is_parsed_only_inside_the_memory_guard(httpserver, settings):
    # About 2 MB of valid JSON; parsing it builds some 700,000 dicts (about 50 MB). With every
    # heavy-extraction slot taken it must be refused untouched: if kind detection parsed it
    # first, outside the guard, the check would allocate those 50 MB before failing.
    body = b"[" + b"{}," * 700_000 + b"{}]"
    settings.OUTBOUND_DEADLINE_SECONDS = 1
    source = _source_by_url(Site(httpserver, body, content_type="text/plain").url)
    with contextlib.ExitStack() as held:
        for _ in range(settings.MONITORING_HEAVY_EXTRACTIONS):
            held.enter_context(extract.heavy_slot(Deadline.after(30)))
        tracemalloc.start()
        try:
            failed = _failed_check(source)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "no heavy-extraction slot" in failed.error
    assert peak < 10 * len(body)


def test_a_json_body_over_the_size_cap_is_refused_before_it_is_read(httpserver, settings):
    settings.MONITORING_MAX_BYTES = 64 * 1024
    body = json.dumps({"bills": [{"number": f"HB {n}"} for n in range(20_000)]})
    source = _source_by_url(Site(httpserver, body, content_type="application/json").url)
    assert "over the 65536-byte cap" in _failed_check(source).error


def test_a_binary_body_is_refused_not_read_as_text(httpserver):
    body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    source = _source_by_url(Site(httpserver, body, content_type="application/octet-stream").url)
    assert "the response is binary" in _failed_check(source).error
