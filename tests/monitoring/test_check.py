"""source_check against real HTTP servers on 127.0.0.1, on the real database and Redis."""

import datetime
import json

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from werkzeug import Response

from tests.monitoring.conftest import STATUTE, make_pdf, page
from tracker.monitoring.models import ChangeProposal, Check, Outcome, Relevance, Snapshot, Source
from tracker.monitoring.services import source_check

pytestmark = pytest.mark.django_db


class Site:
    """A page whose body the test changes; records the conditional headers it was sent."""

    def __init__(self, httpserver, body, *, path="/law", content_type="text/html; charset=utf-8"):
        self.body, self.status, self.headers, self.seen = body, 200, {}, []
        self.content_type = content_type
        httpserver.expect_request(path).respond_with_handler(self.handle)
        self.url = httpserver.url_for(path)

    def handle(self, request):
        self.seen.append(dict(request.headers))
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return Response(body, self.status, self.headers, content_type=self.content_type)


def check(source) -> str:
    return source_check(source_id=source.pk).outcome


def outcomes(source) -> list[str]:
    return list(source.checks.order_by("id").values_list("outcome", flat=True))


def test_it_ends_an_etag_round_trip_in_304_without_a_new_snapshot(httpserver, make_source):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(page(*STATUTE), headers={"ETag": '"v1"'}, content_type="text/html")

    httpserver.expect_request("/law").respond_with_handler(handler)
    source = make_source(httpserver.url_for("/law"))
    assert [check(source), check(source)] == [Outcome.BASELINE, Outcome.NOT_MODIFIED]
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert Snapshot.objects.filter(source=source).count() == 1
    assert Check.objects.get(source=source, outcome=Outcome.NOT_MODIFIED).http_status == 304


def test_it_ends_a_last_modified_round_trip_in_304(httpserver, make_source):
    stamp = "Wed, 18 Nov 2026 09:00:00 GMT"

    def handler(request):
        if request.headers.get("If-Modified-Since") == stamp:
            return Response(status=304)
        return Response(page(*STATUTE), headers={"Last-Modified": stamp}, content_type="text/html")

    httpserver.expect_request("/law").respond_with_handler(handler)
    source = make_source(httpserver.url_for("/law"))
    assert [check(source), check(source)] == [Outcome.BASELINE, Outcome.NOT_MODIFIED]
    assert Snapshot.objects.filter(source=source).count() == 1


def test_a_real_change_makes_exactly_one_proposal_with_the_diff_and_relevance(
    httpserver, make_source
):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url)
    check(source)
    site.body = page(*STATUTE, "Section 5. The sale of kratom to a person under 21 is prohibited.")
    assert check(source) == Outcome.UNCONFIRMED  # seen once: re-fetched before believed
    assert not ChangeProposal.objects.exists()
    assert check(source) == Outcome.CHANGED
    assert check(source) == Outcome.UNCHANGED
    proposal = ChangeProposal.objects.get()
    assert proposal.source == source
    assert proposal.state == "pending"
    assert proposal.relevance == Relevance.HIGH and proposal.relevance_score >= 3
    assert "+Section 5. The sale of kratom to a person under 21 is prohibited." in proposal.diff
    assert proposal.old_snapshot.text == "\n".join(STATUTE)
    source.refresh_from_db()
    assert source.current_snapshot == proposal.new_snapshot


def test_a_change_without_kratom_terms_is_proposed_as_low_relevance(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url)
    check(source)
    site.body = page(*STATUTE, "Section 5. Fines are doubled for a second violation.")
    check(source), check(source)
    proposal = ChangeProposal.objects.get()
    assert (proposal.relevance, proposal.relevance_score) == (Relevance.LOW, 0)


def test_a_text_seen_once_and_gone_is_not_proposed(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url)
    check(source)
    site.body = page(*STATUTE, "Section 5. A glitch.")
    assert check(source) == Outcome.UNCONFIRMED
    site.body = page(*STATUTE)
    assert check(source) == Outcome.UNCHANGED
    source.refresh_from_db()
    assert source.candidate_hash == ""
    assert not ChangeProposal.objects.exists()


def test_timestamp_token_and_whitespace_changes_make_no_proposal(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE, "Page generated on 20 November 2026 at 10:00 UTC"))
    source = make_source(site.url)
    check(source)
    site.body = page(
        *[f"  {line}\n " for line in STATUTE],
        "Page generated on 21 November 2026 at 11:30 UTC",
        extra='<p>csrftoken=AbCdEf0123456789xyz</p><input type="hidden" value="tok99">',
    )
    assert [check(source), check(source)] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    assert not ChangeProposal.objects.exists()
    assert Snapshot.objects.count() == 1


def test_a_flapping_page_is_not_proposed_again_and_again(httpserver, make_source):
    a, b = page(*STATUTE), page(*STATUTE, "Section 5. Kratom products must carry a warning.")
    site = Site(httpserver, a)
    source = make_source(site.url)
    check(source)
    for _ in range(3):
        for body in (b, a):
            site.body = body
            check(source), check(source)
    # And a page that alternates on every request never confirms anything.
    for body in (b, a, b, a):
        site.body = body
        check(source)
    assert ChangeProposal.objects.count() == 1
    assert outcomes(source).count(Outcome.REVERTED) == 5
    assert Snapshot.objects.filter(source=source).count() == 2


def test_a_pdf_text_change_is_found_and_a_metadata_change_is_not(httpserver, make_source):
    site = Site(httpserver, make_pdf(STATUTE, producer="A"), content_type="application/pdf")
    source = make_source(site.url, kind="pdf")
    check(source)
    site.body = make_pdf(STATUTE, title="Notice (revised)", producer="B")
    assert [check(source), check(source)] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    site.body = make_pdf([*STATUTE, "Section 5. 7-hydroxymitragynine is a Schedule I substance."])
    assert [check(source), check(source)] == [Outcome.UNCONFIRMED, Outcome.CHANGED]
    proposal = ChangeProposal.objects.get()
    assert "+Section 5. 7-hydroxymitragynine is a Schedule I substance." in proposal.diff
    assert proposal.relevance == Relevance.HIGH


def test_a_json_source_with_a_new_document_makes_a_proposal(httpserver, make_source):
    def search(*documents):
        results = [
            {"document_number": n, "title": t, "excerpts": f"match {i}"}
            for i, (n, t) in enumerate(documents)
        ]
        return json.dumps({"count": len(results), "results": results, "description": "x"})

    old = ("2026-17429", "Temporary placement of mitragynine pseudoindoxyl in Schedule I")
    new = ("2026-20943", "Notice of intent: 7-hydroxymitragynine threshold")
    site = Site(httpserver, search(old), content_type="application/json")
    source = make_source(site.url, kind="json", selector="results.*.document_number,title")
    check(source)
    site.body = search(new, old)
    assert [check(source), check(source)] == [Outcome.UNCONFIRMED, Outcome.CHANGED]
    diff = ChangeProposal.objects.get().diff
    assert "+document_number: 2026-20943 | title: Notice of intent: 7-hydroxymitragynine" in diff


def test_a_503_with_retry_after_puts_the_next_check_no_earlier(httpserver, make_source):
    site = Site(httpserver, "Service Unavailable")
    site.status, site.headers = 503, {"Retry-After": "7200"}
    source = make_source(site.url)
    before = timezone.now()
    assert check(source) == Outcome.FAILED
    source.refresh_from_db()
    assert source.next_check_at >= before + datetime.timedelta(seconds=7200)
    failed = Check.objects.get(source=source)
    assert (failed.http_status, failed.error) == (503, "HTTP 503 (Retry-After 7200 s)")


def test_a_429_with_an_http_date_retry_after_is_honoured(httpserver, make_source):
    site = Site(httpserver, "slow down")
    later = timezone.now() + datetime.timedelta(hours=3)
    site.status, site.headers = 429, {"Retry-After": later.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    source = make_source(site.url)
    check(source)
    source.refresh_from_db()
    assert source.next_check_at >= later - datetime.timedelta(seconds=1)


def test_failures_back_off_and_five_in_a_row_flag_the_source(httpserver, make_source, settings):
    settings.MONITORING_JITTER_FRACTION = 0
    site = Site(httpserver, "Not here")
    site.status = 404
    source = make_source(site.url)
    delays = []
    for _ in range(5):
        assert Source.objects.get(pk=source.pk).flagged_at is None
        check(source)
        source.refresh_from_db()
        delays.append(round((source.next_check_at - source.last_checked_at).total_seconds()))
    assert delays == [300, 600, 1200, 2400, 4800]
    assert source.flagged_at is not None
    assert (source.consecutive_failures, source.last_error) == (5, "HTTP 404")
    assert not Snapshot.objects.exists()
    site.status, site.body = 200, page(*STATUTE)
    check(source)
    source.refresh_from_db()
    assert (source.consecutive_failures, source.flagged_at, source.last_error) == (0, None, "")


def test_binary_garbage_is_a_failed_check_with_a_clear_error(httpserver, make_source):
    site = Site(httpserver, bytes(range(256)) * 64, content_type="text/html")
    source = make_source(site.url)
    assert check(source) == Outcome.FAILED
    assert Check.objects.get().error == "the response is binary (text/html), not html"
    assert not Snapshot.objects.exists()


def test_a_redirect_to_a_private_address_is_refused(httpserver, make_source):
    site = Site(httpserver, "")
    site.status, site.headers = 302, {"Location": "http://10.0.0.7/admin"}
    source = make_source(site.url)
    assert check(source) == Outcome.FAILED
    assert "non-public address (10.0.0.7); refused" in Check.objects.get().error


@pytest.mark.parametrize(
    "broken",
    [
        page("We are down for maintenance. Please try again later."),
        page(STATUTE[0]),  # lost most of its text, served with 200
        "<html><body><nav>menu</nav></body></html>",  # nothing left
    ],
)
def test_a_maintenance_or_empty_page_is_a_failed_check_and_no_proposal(
    httpserver, make_source, broken
):
    site = Site(httpserver, page(*STATUTE, *STATUTE))
    source = make_source(site.url)
    check(source)
    site.body = broken
    assert [check(source), check(source)] == [Outcome.FAILED, Outcome.FAILED]
    assert not ChangeProposal.objects.exists()
    source.refresh_from_db()
    assert source.current_snapshot.text == "\n".join(STATUTE * 2)


def test_a_selector_that_stops_matching_is_a_failed_check(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url, selector="main#law")
    check(source)
    site.body = page(*STATUTE).replace('id="law"', 'id="content"')
    assert check(source) == Outcome.FAILED
    assert Check.objects.last().error == "the CSS selector 'main#law' matched nothing"


def test_a_response_over_the_cap_is_a_failed_check(httpserver, make_source, settings):
    settings.MONITORING_MAX_BYTES = 10_000
    site = Site(httpserver, page("x" * 20_000))
    source = make_source(site.url)
    assert check(source) == Outcome.FAILED
    assert "over the 10000-byte cap" in Check.objects.get().error


def test_the_request_names_the_service(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    check(make_source(site.url))
    assert site.seen[0]["User-Agent"].startswith("KratomStatusTracker/")
    assert "/about/" in site.seen[0]["User-Agent"]


def test_a_second_check_while_one_runs_is_skipped(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url)
    redis.Redis.from_url(settings.REDIS_URL).set(f"monitoring:source:{source.pk}:claim", "x")
    result = source_check(source_id=source.pk)
    assert (result.outcome, result.skipped) == (None, "another check of this source is running")
    assert site.seen == [] and not Check.objects.exists()


def test_a_new_ignore_pattern_applies_to_bytes_already_seen(httpserver, make_source):
    site = Site(httpserver, page(*STATUTE))
    source = make_source(site.url)
    check(source)
    unchanged = Check.objects.latest("id")
    assert check(source) == Outcome.UNCHANGED
    assert Check.objects.latest("id").content_hash == unchanged.content_hash
    # A curator adds an ignore pattern: the same bytes now read differently.
    Source.objects.filter(pk=source.pk).update(ignore_patterns=r"Section 4\..*")
    assert check(Source.objects.get(pk=source.pk)) == Outcome.UNCONFIRMED


def test_the_check_path_reads_a_source_exactly_as_the_orm_does(make_source):
    from tracker.monitoring.selectors import sources_for_check

    source = make_source("https://law.example.gov/kratom", selector="#law")
    other = make_source("https://law.example.gov/other")
    Source.objects.filter(pk=source.pk).update(
        etag='"abc"', last_checked_at=timezone.now(), check_interval=datetime.timedelta(hours=6)
    )
    expected = Source.objects.get(pk=source.pk)
    read = sources_for_check(source_ids=[source.pk, other.pk, other.pk + 1000])
    assert set(read) == {source.pk, other.pk}  # a deleted source is simply absent
    for field in Source._meta.concrete_fields:
        assert getattr(read[source.pk], field.attname) == getattr(expected, field.attname), (
            field.name
        )
