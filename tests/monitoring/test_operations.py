"""Seeding of sources, the check_sources command, and the admin pages."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_jurisdiction, make_proposal, make_user
from tests.monitoring.conftest import STATUTE, page
from tests.monitoring.support import queued_tasks
from tracker.monitoring.models import Check, Outcome, Snapshot, Source
from tracker.monitoring.seeding import source_rows

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_creates_a_source_per_official_url_once():
    first = run("seed")
    rows = source_rows()
    assert Source.objects.count() == len(rows)
    assert "Seeds loaded." in first
    again = run("seed")
    assert "Nothing to change" in again
    assert Source.objects.count() == len(rows)
    federal_search = Source.objects.get(url__startswith="https://www.federalregister.gov/api/")
    assert federal_search.selector == "results.*.document_number,title,type,publication_date"
    assert not Source.objects.get(url__startswith="https://api.regulations.gov/").enabled
    # First looks are spread over the first hour, not all due at once.
    spread = Source.objects.order_by("next_check_at").values_list("next_check_at", flat=True)
    assert spread.last() - spread.first() > datetime.timedelta(minutes=30)


def test_the_seeded_sources_evidence_names_no_internal_lookup_identifiers():
    # The reference data's wording: where a URL was seen, not the lookups that found it.
    internal = re.compile(r"GitHub index|corpus|\bid \d{6,}")
    rows = [row for row, _wanted in source_rows()]
    assert len(rows) == 127 + 24
    assert [row["url"] for row in rows if internal.search(row["evidence"])] == []


def test_seed_leaves_a_curators_changes_alone():
    run("seed")
    source = Source.objects.filter(kind="html").first()
    Source.objects.filter(pk=source.pk).update(selector="#content", enabled=False)
    run("seed")
    source.refresh_from_db()
    assert (source.selector, source.enabled) == ("#content", False)


def test_check_sources_sync_checks_here_and_prints_a_summary(httpserver, make_source):
    httpserver.expect_request("/a").respond_with_data(page(*STATUTE), content_type="text/html")
    httpserver.expect_request("/b").respond_with_data("nope", status=500)
    make_source(httpserver.url_for("/a"), code="US-TX")
    make_source(httpserver.url_for("/b"), code="US-TX")
    make_source("https://law.example.gov/elsewhere", code="US-OK")
    output = run("check_sources", "us-tx", "--sync")
    assert "2/2" in output
    # A source's first check records its first text: it is not "unchanged".
    assert output.strip().endswith(
        "checked 2, first text 1, not modified 0, unchanged 0, back to a recent text 0, "
        "awaiting confirmation 0, changed 0, failed 1"
    )
    assert sorted(Check.objects.values_list("outcome", flat=True)) == [
        Outcome.BASELINE,
        Outcome.FAILED,
    ]


def test_check_sources_without_sync_queues_the_checks(
    make_source, django_capture_on_commit_callbacks
):
    one = make_source("https://law.example.gov/a")
    make_source("https://law.example.gov/b")
    with django_capture_on_commit_callbacks(execute=True):
        output = run("check_sources", "--source", str(one.pk))
    assert "Queued 1 check(s)." in output
    assert len(queued_tasks()) == 1
    assert not Check.objects.exists()


def test_check_sources_names_what_it_cannot_find():
    with pytest.raises(CommandError, match="no source with id 999"):
        run("check_sources", "--source", "999")
    with pytest.raises(CommandError, match="no source matches"):
        run("check_sources", "XX")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def make_checked_sources(make_source, count: int, *, batch: str):
    for i in range(count):
        source = make_source(f"https://law.example.gov/{batch}/{i}", code=f"US-T{i % 3}")
        snapshot = Snapshot.objects.create(source=source, content_hash=f"{i:064d}", text="t")
        Source.objects.filter(pk=source.pk).update(
            current_snapshot=snapshot,
            current_hash=snapshot.content_hash,
            consecutive_failures=i % 6,
            last_error="HTTP 500",
        )
        Check.objects.create(source=source, started_at=timezone.now(), outcome=Outcome.UNCHANGED)


@pytest.mark.parametrize(
    "name",
    [
        "monitoring_source_changelist",
        "monitoring_check_changelist",
        "monitoring_snapshot_changelist",
    ],
)
def test_admin_lists_do_not_query_per_row(
    admin_client, make_source, django_assert_max_num_queries, name
):
    make_checked_sources(make_source, 2, batch="a")
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(reverse(f"admin:{name}")).status_code == 200
    make_checked_sources(make_source, 12, batch="b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(reverse(f"admin:{name}")).status_code == 200


def test_admin_shows_health_and_queues_a_check_now(
    admin_client, make_source, django_capture_on_commit_callbacks
):
    source = make_source("https://law.example.gov/a")
    Source.objects.filter(pk=source.pk).update(
        consecutive_failures=5, last_error="HTTP 503", flagged_at=timezone.now()
    )
    listing = admin_client.get(reverse("admin:monitoring_source_changelist")).content.decode()
    assert "flagged" in listing and "HTTP 503" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:monitoring_source_changelist"),
            {"action": "check_now", "_selected_action": [source.pk]},
        )
    assert response.status_code == 302
    assert len(queued_tasks()) == 1


def test_admin_says_a_source_never_checked_is_not_checked_yet(admin_client, make_source):
    never = make_source("https://law.example.gov/never")
    checked = make_source("https://law.example.gov/checked")
    Source.objects.filter(pk=checked.pk).update(last_checked_at=timezone.now())
    listing = admin_client.get(reverse("admin:monitoring_source_changelist")).content.decode()
    rows = {
        row.split('"', 1)[0]: row for row in listing.split('<a href="/admin/monitoring/source/')[1:]
    }
    assert "not checked yet" in rows[f"{never.pk}/change/"]
    checked_row = rows[f"{checked.pk}/change/"]
    assert "not checked yet" not in checked_row and ">ok<" in checked_row


def test_admin_snapshot_page_shows_the_normalised_text(admin_client, make_source):
    source = make_source("https://law.example.gov/a")
    snapshot = Snapshot.objects.create(source=source, content_hash="a" * 64, text="Sec. 1 <kratom>")
    response = admin_client.get(reverse("admin:monitoring_snapshot_change", args=[snapshot.pk]))
    assert "Sec. 1 &lt;kratom&gt;" in response.content.decode()


def checked_source(make_source, url: str) -> Source:
    source = make_source(url)
    snapshot = Snapshot.objects.create(source=source, content_hash="c" * 64, text="Sec. 1")
    Source.objects.filter(pk=source.pk).update(
        current_snapshot=snapshot, current_hash=snapshot.content_hash, candidate_hash="d" * 64
    )
    Check.objects.create(source=source, started_at=timezone.now(), outcome=Outcome.UNCHANGED)
    return source


def test_admin_deletes_a_checked_source_with_its_snapshots_and_checks(admin_client, make_source):
    source = checked_source(make_source, "https://law.example.gov/a")
    url = reverse("admin:monitoring_source_delete", args=[source.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
    assert not Snapshot.objects.exists() and not Check.objects.exists()


def test_admin_bulk_delete_of_checked_sources_works(admin_client, make_source):
    sources = [checked_source(make_source, f"https://law.example.gov/{i}") for i in range(2)]
    response = admin_client.post(
        reverse("admin:monitoring_source_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in sources], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Source.objects.exists() and not Snapshot.objects.exists()


def test_admin_refuses_to_delete_a_source_with_proposals_and_says_why(admin_client):
    proposal = make_proposal(make_jurisdiction("US-TX"))
    url = reverse("admin:monitoring_source_delete", args=[proposal.source_id])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete source" in response.content.decode()  # and it lists the proposals
    assert Source.objects.filter(pk=proposal.source_id).exists()
