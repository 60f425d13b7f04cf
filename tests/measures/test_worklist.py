"""Measures in "Verify next": new ones and stage changes become items above stale statuses,
one with a date within 30 days above leads; the item page reviews them and records the
status version an enacted measure brings."""

import datetime

import pytest
import time_machine

from jurisdictions.models import StatusVersion
from tests.factories import make_curator, make_jurisdiction, record_status, rules_post
from tests.measures.factories import make_measure
from tracker.measures.models import Measure, NextDateKind, Provider, Review, Stage
from tracker.measures.services import ActionFacts, MeasureFacts, measure_upsert
from tracker.monitoring.worklist import Reason, worklist

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _facts(jurisdiction, **changed) -> MeasureFacts:
    values = {
        "jurisdiction_id": jurisdiction.pk,
        "kind": "bill",
        "identifier": "HB 968",
        "title": "Mitragynine and 7-OH as Schedule I controlled substances",
        "stage": Stage.INTRODUCED,
        "stage_date": datetime.date(2026, 1, 12),
        "actions": [ActionFacts(datetime.date(2026, 1, 12), "Introduced", Stage.INTRODUCED)],
        **changed,
    }
    return MeasureFacts(**values)


def _reasons(code):
    return next((i.reasons for i in worklist(today=TODAY) if i.jurisdiction.code == code), {})


def test_a_new_measure_is_an_item_above_stale_statuses_and_a_near_date_above_leads():
    stale = make_jurisdiction("US-AL")
    record_status(stale, "legal", as_of=datetime.date(2026, 1, 1))
    georgia = make_jurisdiction("US-GA")
    measure_upsert(provider=Provider.OPENSTATES, provider_key="ga-968", facts=_facts(georgia))
    soon = make_jurisdiction("US-VA")
    make_measure(
        soon, next_date=datetime.date(2026, 12, 20), next_date_kind=NextDateKind.HEARING,
        attention_since=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    order = [(i.jurisdiction.code, i.first_reason) for i in worklist(today=TODAY)]
    assert order == [
        ("US-VA", Reason.MEASURE_SOON),
        ("US-GA", Reason.MEASURE),
        ("US-AL", Reason.STALE),
    ]


def test_a_stage_change_is_one_action_and_one_item_and_a_failure_closes_it():
    georgia = make_jurisdiction("US-GA")
    first = measure_upsert(
        provider=Provider.OPENSTATES, provider_key="ga-968", facts=_facts(georgia)
    )
    Measure.objects.filter(pk=first.measure.pk).update(attention_since=None)  # reviewed
    assert _reasons("US-GA") == {}
    passed = ActionFacts(datetime.date(2026, 3, 6), "Passed House", Stage.PASSED_ONE_CHAMBER)
    facts = _facts(
        georgia, stage=Stage.PASSED_ONE_CHAMBER, actions=[*_facts(georgia).actions, passed]
    )
    moved = measure_upsert(provider=Provider.OPENSTATES, provider_key="ga-968", facts=facts)
    assert (moved.updated, moved.actions_created) == (True, 1)
    assert _reasons("US-GA") == {Reason.MEASURE: "1 measure(s) to review"}
    moved.measure.refresh_from_db()
    assert moved.measure.attention_reason == "stage: Introduced → Passed one chamber"
    again = measure_upsert(provider=Provider.OPENSTATES, provider_key="ga-968", facts=facts)
    assert (again.created, again.updated, again.actions_created) == (False, False, 0)
    died = ActionFacts(datetime.date(2026, 4, 2), "Died in committee", Stage.FAILED)
    facts = _facts(georgia, stage=Stage.FAILED, actions=[*facts.actions, died])
    measure_upsert(provider=Provider.OPENSTATES, provider_key="ga-968", facts=facts)
    assert _reasons("US-GA") == {}
    assert moved.measure.actions.count() == 3


def test_the_item_page_shows_the_timeline_and_rules_and_saves_a_review(client):
    curator = make_curator()
    client.force_login(curator)
    georgia = make_jurisdiction("US-GA")
    record_status(georgia, "regulated", min_age=21)
    result = measure_upsert(
        provider=Provider.OPENSTATES,
        provider_key="ga-968",
        facts=_facts(georgia, official_url="https://www.legis.ga.gov/legislation/69999"),
    )
    measure = result.measure
    html = client.get(f"/admin/monitoring/worklist/{georgia.pk}/").content.decode()
    assert f'id="measure-{measure.pk}"' in html and "Introduced" in html
    assert 'href="https://www.legis.ga.gov/legislation/69999"' in html
    assert "<td>Regulated</td>" in html  # the rule in force, beside the would-change field
    prefix = f"measure-{measure.pk}"
    response = client.post(
        f"/admin/monitoring/worklist/{georgia.pk}/",
        {
            "action": "measure_review",
            "measure": measure.pk,
            "position": 0,
            f"{prefix}-review": Review.RELEVANT,
            f"{prefix}-change_leaf": "banned",
            f"{prefix}-change_extract": "banned",
            f"{prefix}-change_7oh": "banned",
            f"{prefix}-change_synthetic": "unchanged",
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.changes["leaf"] == "banned" and measure.changes_confirmed_by == curator
    assert measure.attention_since is None and measure.reviewed_by == curator
    assert Reason.MEASURE not in _reasons("US-GA")


def test_an_enacted_measure_records_its_upcoming_version_citing_it_with_four_eyes(client):
    client.force_login(make_curator())
    tennessee = make_jurisdiction("US-TN")
    record_status(tennessee, "regulated", min_age=21)
    measure = make_measure(
        tennessee,
        identifier="HB 1649",
        provider=Provider.REFERENCE,
        stage=Stage.ENACTED,
        next_date=datetime.date(2027, 7, 1),
        next_date_kind=NextDateKind.EFFECTIVE,
        official_url="https://wapp.capitol.tn.gov/apps/BillInfo/Default.aspx?BillNumber=HB1649",
        change_leaf="banned",
        change_7oh="banned",
        attention_since=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )
    url = f"/admin/monitoring/worklist/{tennessee.pk}/"
    html = client.get(f"{url}?measure={measure.pk}").content.decode()
    assert 'id="record-from-measure"' in html and 'value="2027-07-01"' in html
    assert (
        'value="https://wapp.capitol.tn.gov/apps/BillInfo/Default.aspx?BillNumber=HB1649"' in html
    )
    form = client.get(f"{url}?measure={measure.pk}").context["form"]
    assert form.initial["rule_leaf"] == "banned" and form.initial["scope_leaf"] == "unknown"
    citations = form.initial["citations"]
    data = {
        "action": "record",
        "measure": measure.pk,
        "position": 0,
        **rules_post("banned"),
        "summary": "Kratom becomes a controlled substance on 2027-07-01.",
        "as_of": "2026-12-07",
        "effective_date": "2027-07-01",
        "effective_date_precision": "day",
        "citations-TOTAL_FORMS": str(len(citations)),
        "citations-INITIAL_FORMS": str(len(citations)),  # as the page's management form says
        "seen_version": tennessee.current_status_id,
    }
    for index, citation in enumerate(citations):
        data.update({f"citations-{index}-{k}": citation[k] for k in ("url", "text", "title")})
    response = client.post(url, data)
    assert response.status_code == 302
    # A new ban waits for a second curator, as for any status; it cites the measure.
    approval = tennessee.approvals.pending().get()
    assert approval.effective_date == datetime.date(2027, 7, 1)
    assert any("HB 1649" in c["text"] for c in approval.citations)
    assert StatusVersion.objects.filter(jurisdiction=tennessee).count() == 1
    measure.refresh_from_db()
    assert measure.attention_since is None
