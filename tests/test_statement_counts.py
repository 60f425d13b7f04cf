"""What a write costs in SQL statements, pinned so it cannot creep back.

A test runs inside a transaction, so each service's own atomic block shows as one SAVEPOINT
and one RELEASE here (BEGIN and COMMIT in production, which the counts leave out).
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jurisdictions import selectors
from jurisdictions.models import Jurisdiction
from jurisdictions.services.decisions import StatusFacts, status_decide
from tests.factories import CITATION, make_curator, make_jurisdiction, make_proposal, rules_for
from tracker.alerts.models import Delivery
from tracker.alerts.services import subscription_create
from tracker.monitoring.models import Source
from tracker.monitoring.services import proposal_confirm

pytestmark = pytest.mark.django_db

# Issue budget: 20. Today: lock (with the newest version's id), version INSERT, pointers
# UPDATE, decision INSERT, the curator check, five of alerts (any subscription? the
# jurisdiction's parents, event INSERT, matching subscriptions, delivery INSERT), and for
# a proposal its lock, the pending-approval check and its UPDATE.
CONFIRMATION_BUDGET = 20


def _facts() -> StatusFacts:
    return StatusFacts(
        rules=rules_for("regulated"),
        summary="Kratom is regulated here.",
        citations=[CITATION],
        as_of=datetime.date(2026, 11, 21),
    )


def _statements(context: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"][:120] for query in context.captured_queries)


@pytest.fixture
def texas_followed():
    texas = make_jurisdiction("US-TX")
    subscription_create(url="http://127.0.0.1:9/hook", follow_codes=["US-TX"])
    return texas


def test_a_curators_confirmation_with_one_webhook_subscription_stays_within_budget(
    texas_followed,
):
    alice = make_curator("alice")
    seen = selectors.jurisdiction_latest_version_id(jurisdiction_id=texas_followed.pk)
    with CaptureQueriesContext(connection) as context:
        version = status_decide(
            actor=alice, jurisdiction=texas_followed, facts=_facts(), seen_version_id=seen
        )
    assert len(context) <= CONFIRMATION_BUDGET, _statements(context)
    # What the statements bought: the version current, its event delivered to the follower.
    assert texas_followed.current_status_id == version.pk
    assert Delivery.objects.filter(event__version=version).count() == 1


def test_confirming_a_change_proposal_stays_within_budget(texas_followed):
    alice = make_curator("alice")
    proposal = make_proposal(texas_followed)
    with CaptureQueriesContext(connection) as context:
        version = proposal_confirm(
            actor=alice, proposal_id=proposal.pk, facts=_facts(), seen_version_id=None
        )
    assert len(context) <= CONFIRMATION_BUDGET, _statements(context)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.status_version) == ("confirmed", version)
    assert Delivery.objects.filter(event__version=version).count() == 1


# Issue budget: 2,000 (it was 9,000 before). Today about 480 on an empty database: the
# jurisdictions a level at a time, all sources in one INSERT, then per seeded status its
# INSERT, the pointers' UPDATE and alerts' subscription check, per lead a read and a write.
SEED_BUDGET = 2000


def test_the_reference_seed_stays_within_budget():
    with CaptureQueriesContext(connection) as context:
        call_command("seed", verbosity=0)
    assert len(context) <= SEED_BUDGET, _statements(context)
    # What the statements bought: the places, their statuses and their sources.
    assert Jurisdiction.objects.filter(current_status__isnull=False).count() > 50
    assert Source.objects.count() > 100
