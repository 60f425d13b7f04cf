"""Extraction and normalisation, on bodies built here (no fetching)."""

import json

import pytest

from tests.monitoring.conftest import STATUTE, make_pdf, page
from tracker.lib.deadline import Deadline
from tracker.monitoring import extract
from tracker.monitoring.models import SourceKind


def text_of(body, kind=SourceKind.HTML, selector="", content_type="text/html; charset=utf-8"):
    extraction = extract.extract_text(
        kind=kind, body=body if isinstance(body, bytes) else body.encode(), selector=selector,
        content_type=content_type, deadline=Deadline.after(60),
    )  # fmt: skip
    return extract.normalise(extraction.text)


def test_it_drops_page_chrome_and_keeps_one_line_per_block():
    text = text_of(page("First <b>bold</b>\n   words.", "Second."))
    assert text == "First bold words.\nSecond."


def test_it_keeps_only_what_the_selector_matches():
    html = page("Inside.", extra='<div id="aside">Outside.</div>')
    assert text_of(html, selector="#law") == "Inside."


def test_a_selector_that_matches_nothing_is_an_error():
    with pytest.raises(extract.ExtractionError, match="matched nothing"):
        text_of(page("x"), selector="#gone")


@pytest.mark.parametrize(
    "volatile",
    [
        "Page generated on 21 November 2026 at 10:14:03 UTC",
        "Last updated: 11/21/2026",
        "Last modified Nov. 21, 2026 4:05 PM EST",
        "You are visitor number 1,234,567",
        "Page views: 98765",
        "csrftoken=Zx8f0aQ91LmNbVcX",
        "sessionid: 8a7sd6f5a4sd3f2a1sdf",
        "Request ID: 7f3a9c2e-11aa",
        "d41d8cd98f00b204e9800998ecf8427e",
    ],
)
def test_it_removes_volatile_fragments(volatile):
    assert text_of(page("Section 1. Kratom.", volatile)) == text_of(page("Section 1. Kratom."))


def test_it_keeps_dates_that_are_part_of_the_law():
    text = text_of(page("This act takes effect January 1, 2027."))
    assert "January 1, 2027" in text


def test_unicode_variants_and_whitespace_normalise_to_the_same_text():
    plain = text_of(page("Mitragyna speciosa is kratom."))
    fancy = text_of(page("Mitragyna\u00a0speciosa   is\tkratom.", "   "))
    assert plain == fancy
    assert extract.normalise("ﬁne ＡＢＣ") == "fine ABC"


def test_a_sources_own_ignore_patterns_are_removed():
    raw = "Section 1.\nBuild 4411 deployed"
    assert extract.normalise(raw, ignore_patterns=[r"Build \d+ deployed"]) == "Section 1."


def test_it_reads_the_configured_json_path():
    document = {
        "count": 2,
        "results": [
            {"document_number": "2026-1", "title": "Kratom rule", "excerpts": "…"},
            {"document_number": "2026-2", "title": "7-OH notice", "excerpts": "…"},
        ],
    }
    text = text_of(
        json.dumps(document), SourceKind.JSON, "results.*.document_number,title", "application/json"
    )
    assert text == (
        "document_number: 2026-1 | title: Kratom rule\ndocument_number: 2026-2 | title: 7-OH notice"
    )


def test_a_json_path_that_matches_nothing_is_an_error():
    with pytest.raises(extract.ExtractionError, match="matched nothing"):
        text_of('{"results": []}', SourceKind.JSON, "results.*.title", "application/json")


def test_pdf_text_is_extracted_and_metadata_is_not_part_of_it():
    one = text_of(make_pdf(STATUTE, producer="A"), SourceKind.PDF, content_type="application/pdf")
    two = text_of(make_pdf(STATUTE, producer="B"), SourceKind.PDF, content_type="application/pdf")
    assert one == two
    assert "Section 2. A retailer may not sell" in one


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (bytes(range(256)) * 40, SourceKind.HTML, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x01" * 500, SourceKind.TEXT, "binary"),
        (bytes(range(1, 32)) * 300, SourceKind.TEXT, "does not decode as text"),
        (b"<html>not a pdf</html>", SourceKind.PDF, "not a PDF"),
        (b"%PDF-1.4\n garbage garbage", SourceKind.PDF, "cannot be read"),
        (b"{not json", SourceKind.JSON, "not JSON"),
        (b"   \n ", SourceKind.HTML, "empty"),
    ],
)
def test_garbage_is_a_clear_error(body, kind, message):
    with pytest.raises(extract.ExtractionError, match=message):
        extract.extract_text(kind=kind, body=body, content_type="", deadline=Deadline.after(60))


def test_a_maintenance_page_or_a_collapsed_page_is_a_problem_not_a_text():
    long_text = "\n".join(STATUTE * 3)
    assert "maintenance" in extract.text_problem(
        new="This site is down for maintenance.", old=long_text, shrink_ratio=0.5
    )
    assert "shrank" in extract.text_problem(new=STATUTE[0], old=long_text, shrink_ratio=0.5)
    assert (
        extract.text_problem(new=long_text + "\nSection 5.", old=long_text, shrink_ratio=0.5)
        is None
    )
