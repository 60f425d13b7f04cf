"""The source admin: a curator adds and edits every field a source needs, with clear errors."""

import datetime

import pytest
from django.utils import timezone

from jurisdictions.models import Decision
from tests.factories import make_curator, make_jurisdiction
from tracker.monitoring.models import Source, SourceKind

pytestmark = pytest.mark.django_db
ADD = "/admin/monitoring/source/add/"
EDITABLE = [
    "jurisdiction",
    "url",
    "title",
    "what",
    "kind",
    "selector",
    "ignore_patterns",
    "check_interval",
    "enabled",
    "kratom_specific",
]


@pytest.fixture
def curator_client(client):
    client.force_login(make_curator("carol"))
    return client


@pytest.fixture
def texas():
    return make_jurisdiction("US-TX", name="Texas")


def source_form(texas, **changes) -> dict:
    form = {
        "jurisdiction": texas.pk,
        "url": "http://127.0.0.1/Docs/HS/htm/HS.444.htm",
        "title": "Texas KCPA (Ch. 444)",
        "what": "statute",
        "kind": "html",
        "selector": "main#law p",
        "ignore_patterns": "Last updated: .*",
        "check_interval": "6 hours",
        "enabled": "on",
        "kratom_specific": "on",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_the_add_page_offers_every_field_a_curator_needs(curator_client, texas):
    response = curator_client.get(ADD)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == set(EDITABLE)


def test_a_curator_adds_a_source_and_its_first_check_is_queued(
    curator_client, texas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = curator_client.post(ADD, source_form(texas), follow=True)
    assert response.status_code == 200, response.context["adminform"].form.errors
    source = Source.objects.get()
    assert (source.jurisdiction, source.url, source.title, source.what) == (
        texas,
        "http://127.0.0.1/Docs/HS/htm/HS.444.htm",
        "Texas KCPA (Ch. 444)",
        "statute",
    )
    assert (source.kind, source.selector, source.ignore_patterns) == (
        SourceKind.HTML,
        "main#law p",
        "Last updated: .*",
    )
    assert source.check_interval == datetime.timedelta(hours=6)
    assert source.enabled and source.kratom_specific
    # Queued now, so the dispatcher leaves it alone while the check waits in the queue.
    assert len(callbacks) == 1 and source.next_check_at > timezone.now()
    assert "Its first check is queued." in response.content.decode()


def test_editing_shows_every_field_and_saves_them(curator_client, texas):
    source = Source.objects.create(
        jurisdiction=texas, url="https://law.example.gov/a", check_interval=datetime.timedelta(7)
    )
    change = f"/admin/monitoring/source/{source.pk}/change/"
    page = curator_client.get(change)
    form = page.context["adminform"].form
    assert set(form.fields) == set(EDITABLE)
    assert 'value="1 week"' in page.content.decode()
    response = curator_client.post(
        change, source_form(texas, url="http://127.0.0.1/b", enabled=None, kind="json",
                            selector="results.*.title", check_interval="1 day")
    )  # fmt: skip
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.url, source.enabled, source.kind, source.selector) == (
        "http://127.0.0.1/b",
        False,
        SourceKind.JSON,
        "results.*.title",
    )
    assert source.check_interval == datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "url", "non-public address"),
        ({"url": "ftp://law.example.gov/a"}, "url", "URL scheme must be http or https"),
        ({"selector": "main >"}, "selector", "Not a valid CSS selector"),
        ({"kind": "auto"}, "selector", "With a selector, set the kind"),
        ({"kind": "pdf"}, "selector", "PDF document sources take no selector"),
        ({"kind": "json", "selector": "results..title"}, "selector", "Not a JSON path"),
        ({"ignore_patterns": "(?<=Updated) .*"}, "ignore_patterns", "not a usable regular"),
        ({"check_interval": "2 minutes"}, "check_interval", "At least 5 minutes"),
        ({"check_interval": "soon"}, "check_interval", "Enter a valid duration"),
        ({"jurisdiction": ""}, "jurisdiction", "This field is required"),
    ],
)
def test_a_bad_field_is_a_form_error_beside_it_and_nothing_is_saved(
    curator_client, texas, settings, changes, field, message
):
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # production policy: no private address
    response = curator_client.post(ADD, source_form(texas, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]), errors
    assert not Source.objects.exists()


def test_the_same_url_twice_for_a_jurisdiction_is_a_form_error(curator_client, texas):
    assert curator_client.post(ADD, source_form(texas)).status_code == 302
    response = curator_client.post(ADD, source_form(texas))
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)
    assert Source.objects.count() == 1


def test_changing_how_a_page_is_read_takes_a_new_baseline_audited(
    curator_client, texas, django_capture_on_commit_callbacks
):
    source = Source.objects.create(
        jurisdiction=texas, url="http://127.0.0.1/a", kind="html", etag='"v1"', candidate_hash="c"
    )
    change = f"/admin/monitoring/source/{source.pk}/change/"
    form = source_form(texas, url="http://127.0.0.1/a", selector="#law")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = curator_client.post(change, form, follow=True)
    assert "takes a new baseline" in response.content.decode()
    source.refresh_from_db()
    assert (source.etag, source.candidate_hash) == ("", "") and len(callbacks) == 1
    decision = Decision.objects.get()
    assert decision.action == "rebaseline" and "selector" in decision.reason

    # A change that does not touch the reading (the title) keeps the baseline.
    Source.objects.filter(pk=source.pk).update(etag='"v2"')
    curator_client.post(change, {**form, "title": "Renamed"})
    source.refresh_from_db()
    assert (source.title, source.etag) == ("Renamed", '"v2"') and Decision.objects.count() == 1
