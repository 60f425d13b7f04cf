"""A curator adds a source in the admin, in Chromium, and sees a real worker record its first
check of a page served on 127.0.0.1."""

import time

import pytest

from tests.e2e.test_curator_review import log_in
from tests.factories import make_curator, make_jurisdiction
from tests.monitoring.conftest import STATUTE
from tests.monitoring.conftest import page as statute_page
from tracker.monitoring.models import Check, Outcome, Source

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def choose_in_autocomplete(page, field: str, typed: str, option: str):
    """Pick a value in the admin's autocomplete box (select2) as a person does."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.click(f".select2-results__option:text('{option}')")


def test_a_curator_adds_a_source_and_sees_its_first_check(
    live_server, page, httpserver, celery_worker_process
):
    httpserver.expect_request("/kcpa").respond_with_data(
        statute_page(*STATUTE), content_type="text/html"
    )
    make_jurisdiction("US-TX", name="Texas")
    make_curator("carol")
    celery_worker_process(concurrency=2)

    log_in(page, live_server.url, "carol")
    page.goto(live_server.url + "/admin/monitoring/source/add/")
    choose_in_autocomplete(page, "jurisdiction", "Tex", "Texas (US-TX)")
    page.fill("#id_url", httpserver.url_for("/kcpa"))
    page.fill("#id_title", "Texas KCPA (Ch. 444)")
    page.select_option("#id_kind", "html")
    page.fill("#id_selector", "main#law")
    page.fill("#id_check_interval", "12 hours")
    page.check("#id_kratom_specific")
    page.click("input[name=_save]")
    assert "Its first check is queued." in page.inner_text("ul.messagelist")

    # The list says "not checked yet" until the worker has recorded the check.
    deadline = time.monotonic() + 60
    while "not checked yet" in page.inner_text("#result_list"):
        assert time.monotonic() < deadline, "the first check was not recorded within 60 s"
        time.sleep(0.5)
        page.reload()
    assert "Texas KCPA (Ch. 444)" in page.inner_text("#result_list")

    source = Source.objects.get()
    page.goto(f"{live_server.url}/admin/monitoring/source/{source.pk}/change/")
    page.click("text=every check of this source")
    log = page.inner_text("#result_list")
    assert "First text recorded" in log and "200" in log
    check = Check.objects.get(source=source)
    assert check.outcome == Outcome.BASELINE
    assert source.current_snapshot.text.startswith("Section 1. Definitions.")
