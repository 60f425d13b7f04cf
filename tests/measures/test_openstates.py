"""Open States against a real HTTP server on loopback answering as the API does (the
failures every provider shares are in test_provider_contract)."""

import datetime

import pytest

from tests.measures.provider_payloads import openstates_action, openstates_bill
from tests.measures.provider_routes import openstates_serve
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


def _run():
    return provider_run(provider=Provider.OPENSTATES)


def test_it_reads_every_page_and_keeps_a_bill_not_about_kratom_as_a_lead(openstates):
    openstates_serve(
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
    openstates_serve(openstates, [[bill]])
    _run()
    first_since = openstates.requests[0][1]["updated_since"][0]
    again = _run()
    assert openstates.requests[-1][1]["updated_since"] == ["2026-12-07"] != [first_since]
    assert (again.measures_created, again.measures_updated, again.actions_created) == (0, 0, 0)
    assert Measure.objects.count() == 1 and MeasureAction.objects.count() == 1


def test_a_stage_change_is_one_action_and_one_worklist_item(openstates):
    bill = openstates_bill(0)
    openstates_serve(openstates, [[bill]])
    _run()
    Measure.objects.update(attention_since=None)  # a curator reviewed it
    bill = openstates_bill(0)
    bill["updated_at"] = "2026-12-07T11:00:00+00:00"  # the API moves it with every change
    bill["actions"].append(openstates_action(2, "2026-12-07", "Passed the House", ["passage"]))
    openstates_serve(openstates, [[bill]])
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


def test_the_daily_budget_stops_a_run_and_the_admin_can_see_it(openstates, settings):
    settings.OPENSTATES_REQUESTS_PER_DAY = 1
    openstates_serve(openstates, [[openstates_bill(0)], [openstates_bill(2)]])
    run = _run()
    assert run.outcome == RunOutcome.PAUSED and "budget of 1 requests is spent" in run.error
    assert len(openstates.requests) == 1
    state = ProviderState.objects.get(provider=Provider.OPENSTATES)
    assert state.requests_today == 1 and state.paused_until.date() == datetime.date(2026, 12, 8)


def test_without_a_key_the_provider_is_off(openstates, settings):
    settings.OPENSTATES_API_KEY = ""
    assert _run() is None and openstates.requests == []


def test_a_record_that_breaks_a_rule_fails_the_run_recorded(openstates):
    nameless = openstates_bill(0)
    nameless["identifier"] = ""
    openstates_serve(openstates, [[nameless]])
    run = _run()
    assert run.outcome == RunOutcome.FAILED and run.error.startswith("record refused:")
    assert Measure.objects.count() == 0
    assert ProviderState.objects.get(provider=Provider.OPENSTATES).lease_until is None
