"""Open States against a real HTTP server on loopback answering as the API does."""

import datetime

import pytest

from tests.measures.provider_payloads import openstates_action, openstates_bill, openstates_page
from tests.measures.provider_server import json_answer
from tracker.measures.models import (
    Measure,
    MeasureAction,
    Provider,
    ProviderRequest,
    ProviderState,
    RequestOutcome,
    Review,
    RunOutcome,
    Stage,
)
from tracker.measures.sync import provider_run

pytestmark = pytest.mark.django_db
OUT_OF_KEY = {
    "detail": "Invalid API Key. Login and visit https://openstates.org/account/profile/ for your API key."
}


@pytest.fixture
def openstates(settings, provider_server, places, frozen):
    settings.OPENSTATES_API_URL = provider_server.url
    settings.OPENSTATES_API_KEY = "test-key"
    settings.OPENSTATES_REQUESTS_PER_MINUTE = 60000  # no spacing in tests
    return provider_server


def _serve(server, pages: list[list[dict]]):
    """/bills answers page by page, and only with bills updated since `updated_since`."""

    def bills(query):
        since = query["updated_since"][0]
        page = int(query["page"][0])
        fresh = [b for b in pages[page - 1] if b["updated_at"][:10] >= since]
        return json_answer(openstates_page(fresh, page=page, max_page=len(pages)))

    server.routes["/bills"] = bills


def _run():
    return provider_run(provider=Provider.OPENSTATES)


def test_it_reads_every_page_and_keeps_a_bill_not_about_kratom_as_a_lead(openstates):
    _serve(
        openstates,
        [[openstates_bill(0), openstates_bill(1, real_title=True)], [openstates_bill(2)]],
    )
    run = _run()
    assert (run.outcome, run.measures_created, run.actions_created) == (RunOutcome.OK, 3, 3)
    assert openstates.paths() == ["/bills", "/bills"]
    path, query, headers = openstates.requests[0]
    assert query["jurisdiction"] == ["tx"] and query["include"] == [
        "actions", "sources", "versions", "sponsorships", "abstracts"
    ]  # fmt: skip
    assert headers["X-API-KEY"] == "test-key"
    kratom = Measure.objects.get(provider_key="ocd-bill/00000000-0000-4000-8000-000000000000")
    assert (kratom.jurisdiction.code, kratom.identifier, kratom.review) == (
        "US-TX",
        "HB 100",
        Review.RELEVANT,
    )
    assert (
        kratom.sponsors == ["A. Member"]
        and kratom.official_url == "https://capitol.example.gov/tx/HB100"
    )
    assert kratom.attention_since is not None
    immigration = Measure.objects.get(identifier="HB 101")
    assert immigration.review == Review.LEAD and immigration.attention_since is None
    assert ProviderRequest.objects.filter(run=run, outcome=RequestOutcome.OK).count() == 2
    assert ProviderState.objects.get(provider=Provider.OPENSTATES).last_success_at is not None


def test_a_second_run_asks_only_for_what_changed_since_and_writes_nothing(openstates):
    bill = openstates_bill(0)
    bill["updated_at"] = "2026-12-01T10:00:00+00:00"
    _serve(openstates, [[bill]])
    _run()
    first_since = openstates.requests[0][1]["updated_since"][0]
    again = _run()
    assert openstates.requests[-1][1]["updated_since"] == ["2026-12-07"] != [first_since]
    assert (again.measures_created, again.measures_updated, again.actions_created) == (0, 0, 0)
    assert Measure.objects.count() == 1 and MeasureAction.objects.count() == 1


def test_a_stage_change_is_one_action_and_one_worklist_item(openstates):
    bill = openstates_bill(0)
    _serve(openstates, [[bill]])
    _run()
    Measure.objects.update(attention_since=None)  # a curator reviewed it
    bill = openstates_bill(0)
    bill["updated_at"] = "2026-12-07T11:00:00+00:00"  # the API moves it with every change
    bill["actions"].append(openstates_action(2, "2026-12-07", "Passed the House", ["passage"]))
    _serve(openstates, [[bill]])
    run = _run()
    assert (run.measures_updated, run.actions_created) == (1, 1)
    measure = Measure.objects.get()
    assert (measure.stage, measure.stage_date) == (
        Stage.PASSED_ONE_CHAMBER,
        datetime.date(2026, 12, 7),
    )
    assert measure.attention_reason == "stage: Introduced → Passed one chamber"
    senate = openstates_action(3, "2026-12-07", "Passed the Senate", ["passage"], chamber="upper")
    bill["actions"].append(senate)
    _run()
    measure.refresh_from_db()
    assert measure.stage == Stage.PASSED_BOTH and measure.actions.count() == 3


def test_a_429_pauses_the_provider_for_its_retry_after_and_writes_nothing(openstates, frozen):
    openstates.routes["/bills"] = lambda q: json_answer(
        {"detail": "exceeded limit of 10/min: 11"}, 429, {"Retry-After": "120"}
    )
    run = _run()
    assert run.outcome == RunOutcome.PAUSED and Measure.objects.count() == 0
    assert ProviderRequest.objects.get().outcome == RequestOutcome.RATE_LIMITED
    state = ProviderState.objects.get(provider=Provider.OPENSTATES)
    assert state.paused_until == frozen + datetime.timedelta(seconds=120)
    assert _run().outcome == RunOutcome.PAUSED and len(openstates.requests) == 1  # no request


def test_the_daily_budget_stops_a_run_and_the_admin_can_see_it(openstates, settings):
    settings.OPENSTATES_REQUESTS_PER_DAY = 1
    _serve(openstates, [[openstates_bill(0)], [openstates_bill(2)]])
    run = _run()
    assert run.outcome == RunOutcome.PAUSED and "budget of 1 requests is spent" in run.error
    assert len(openstates.requests) == 1
    state = ProviderState.objects.get(provider=Provider.OPENSTATES)
    assert state.requests_today == 1 and state.paused_until.date() == datetime.date(2026, 12, 8)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (json_answer({"detail": "Internal Server Error"}, 500), "HTTP 500"),
        ((200, {"Content-Type": "application/json"}, b'{"results": [{"id": '), "malformed payload"),
        (json_answer({"results": [openstates_bill(0)]}), "malformed payload: KeyError"),  # partial
        (json_answer(openstates_page([openstates_bill(0)] * 40)), "over the 20000-byte cap"),
        (json_answer(OUT_OF_KEY, 401), "the key was refused (HTTP 401)"),
    ],
    ids=["500", "malformed", "partial", "oversized", "key-refused"],
)
def test_a_failed_request_is_recorded_and_changes_nothing(openstates, settings, answer, error):
    settings.OUTBOUND_MAX_BYTES = 20000
    openstates.routes["/bills"] = lambda q: answer
    run = _run()
    assert run.outcome == RunOutcome.FAILED and error in run.error
    request = ProviderRequest.objects.get(run=run)
    assert request.outcome in (RequestOutcome.FAILED, RequestOutcome.REFUSED) and request.error
    assert Measure.objects.count() == 0
    state = ProviderState.objects.get(provider=Provider.OPENSTATES)
    assert state.cursors == {} and state.last_success_at is None and error in state.last_error


def test_without_a_key_the_provider_is_off(openstates, settings):
    settings.OPENSTATES_API_KEY = ""
    assert _run() is None and openstates.requests == []


def test_a_record_that_breaks_a_rule_fails_the_run_recorded(openstates):
    nameless = openstates_bill(0)
    nameless["identifier"] = ""
    _serve(openstates, [[nameless]])
    run = _run()
    assert run.outcome == RunOutcome.FAILED and run.error.startswith("record refused:")
    assert Measure.objects.count() == 0
    assert ProviderState.objects.get(provider=Provider.OPENSTATES).lease_until is None
