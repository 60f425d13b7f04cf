"""Curator review of change proposals: the admin queue and page, claims, decisions."""

import datetime
import re
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions import selectors as jurisdiction_selectors
from jurisdictions.models import Decision, StatusApproval
from jurisdictions.services.decisions import StatusFacts
from tests.factories import (
    CITATION,
    citations_post,
    make_curator,
    make_jurisdiction,
    make_proposal,
    make_user,
    record_status,
    rules_for,
    rules_post,
)
from tracker.monitoring import services
from tracker.monitoring.models import ChangeProposal

NOW = datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)


def change_url(proposal):
    return reverse("admin:monitoring_changeproposal_change", args=[proposal.pk])


def facts(status="regulated", **overrides):
    fields = {
        "rules": rules_for(status),
        "summary": f"Kratom is {status} here.",
        "citations": [CITATION],
        "as_of": datetime.date(2026, 11, 21),
    }
    return StatusFacts(**{**fields, **overrides})


def confirm_post(proposal, status="regulated", min_age=None, **overrides):
    data = {
        "action": "confirm",
        **rules_post(status, min_age=min_age),
        "summary": f"Kratom is {status} in Texas.",
        "effective_date_precision": "day",
        "as_of": "2026-11-21",
        **citations_post(
            {
                "url": "https://law.example.gov/kratom",
                "text": "Tex. Health & Safety Code 444",
                "title": "KCPA",
            }
        ),  # fmt: skip
        "seen_version": jurisdiction_selectors.jurisdiction_latest_version_id(
            jurisdiction_id=proposal.source.jurisdiction_id
        )
        or "",
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestWhoMaySee:
    def test_it_keeps_anonymous_users_out_of_the_queue_and_the_proposal(self, client):
        proposal = make_proposal(make_jurisdiction("US-TX"))
        for url in (
            reverse("admin:monitoring_changeproposal_changelist"),
            change_url(proposal),
            reverse("admin:monitoring_changeproposal_next"),
        ):
            response = client.get(url)
            assert response.status_code == 302
            assert "/admin/login/" in response["Location"]
        response = client.post(change_url(proposal), confirm_post(proposal))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        proposal.refresh_from_db()
        assert proposal.state == "pending"

    def test_it_refuses_staff_who_are_not_curators(self, client):
        proposal = make_proposal(make_jurisdiction("US-TX"), new_text="SECRET diff text")
        client.force_login(make_user("staffer", is_staff=True))
        assert client.get(reverse("admin:monitoring_changeproposal_changelist")).status_code == 403
        response = client.get(change_url(proposal))
        assert response.status_code == 403
        assert b"SECRET" not in response.content
        snapshot = reverse("admin:monitoring_changeproposal_snapshot", args=[proposal.pk, "new"])
        assert client.get(snapshot).status_code == 403
        assert client.post(change_url(proposal), confirm_post(proposal)).status_code == 403
        assert client.get(reverse("admin:jurisdictions_lead_changelist")).status_code == 403
        assert client.get(reverse("admin:jurisdictions_decision_export")).status_code == 403
        proposal.refresh_from_db()
        assert (proposal.state, proposal.claimed_by) == ("pending", None)
        assert b"Waiting for curators" not in client.get(reverse("admin:index")).content

    def test_the_services_refuse_non_curators_too(self):
        from django.core.exceptions import PermissionDenied

        proposal = make_proposal(make_jurisdiction("US-TX"))
        staff = make_user("staffer", is_staff=True)
        with pytest.raises(PermissionDenied):
            services.proposal_claim(actor=staff, proposal_id=proposal.pk)
        with pytest.raises(PermissionDenied):
            services.proposal_next_claim(actor=staff)
        with pytest.raises(PermissionDenied):
            services.proposal_dismiss(actor=staff, proposal_id=proposal.pk, reason="no")
        with pytest.raises(PermissionDenied):
            services.proposal_confirm(
                actor=staff, proposal_id=proposal.pk, facts=facts(), seen_version_id=None
            )


@pytest.mark.django_db
class TestTheQueue:
    def test_it_lists_pending_first_by_relevance_then_age(self, client):
        texas = make_jurisdiction("US-TX")
        low = make_proposal(texas, new_text="a", score=1)
        high = make_proposal(texas, new_text="b", score=9)
        decided = make_proposal(texas, new_text="c", score=20)
        services.proposal_dismiss(actor=make_curator("bob"), proposal_id=decided.pk, reason="x")
        client.force_login(make_curator())
        response = client.get(reverse("admin:monitoring_changeproposal_changelist"))
        ids = [p.pk for p in response.context["cl"].result_list]
        assert ids == [high.pk, low.pk, decided.pk]

    def test_the_queue_costs_the_same_queries_for_2_or_20_proposals(
        self, client, django_assert_num_queries
    ):
        texas = make_jurisdiction("US-TX")
        curator = make_curator()
        client.force_login(curator)
        url = reverse("admin:monitoring_changeproposal_changelist")
        for n in range(2):
            make_proposal(texas, new_text=f"text {n}")
        client.get(url)  # warm the session and content types
        with CaptureQueriesContext(connection) as small:
            client.get(url)
        for n in range(2, 20):
            make_proposal(make_jurisdiction(f"US-X{n}"), new_text=f"text {n}")
        with django_assert_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200

    def test_the_admin_index_shows_what_waits_and_broken_sources(self, client):
        texas = make_jurisdiction("US-TX")
        proposal = make_proposal(texas)
        proposal.source.flagged_at = NOW
        proposal.source.save()
        client.force_login(make_curator())
        body = client.get(reverse("admin:index")).content.decode()
        assert re.search(r'id="count-pending">1<', body)
        assert re.search(r'id="count-flagged">1<', body)

    def test_the_filters_narrow_the_queue(self, client):
        texas = make_jurisdiction("US-TX")
        alice, bob = make_curator("alice"), make_curator("bob")
        mine = make_proposal(texas, new_text="mine")
        theirs = make_proposal(texas, new_text="theirs")
        free = make_proposal(make_jurisdiction("US-OK"), new_text="free")
        services.proposal_claim(actor=alice, proposal_id=mine.pk)
        services.proposal_claim(actor=bob, proposal_id=theirs.pk)
        client.force_login(alice)
        url = reverse("admin:monitoring_changeproposal_changelist")

        def listed(query):
            return {p.pk for p in client.get(url + query).context["cl"].result_list}

        assert listed("?claim=mine") == {mine.pk}
        assert listed("?claim=claimed") == {mine.pk, theirs.pk}
        assert listed("?claim=free") == {free.pk}
        assert listed(f"?source__jurisdiction__id__exact={texas.pk}") == {mine.pk, theirs.pk}


@pytest.mark.django_db
class TestTheProposalPage:
    def test_source_text_arrives_escaped_in_the_diff(self, client):
        proposal = make_proposal(
            make_jurisdiction("US-TX"),
            old_text="Kratom is legal.",
            new_text='<script>alert("x")</script> <img src=x onerror=alert(1)> kratom banned',
        )
        client.force_login(make_curator())
        body = client.get(change_url(proposal)).content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
        assert '<mark class="term">kratom</mark>' in body
        snapshot = client.get(
            reverse("admin:monitoring_changeproposal_snapshot", args=[proposal.pk, "new"])
        )
        assert snapshot["Content-Type"].startswith("text/plain")

    def test_it_shows_links_status_and_a_confirm_form_prefilled_from_the_source(self, client):
        texas = make_jurisdiction("US-TX", name="Texas")
        record_status(texas, "regulated", effective_date=datetime.date(2099, 1, 1))
        proposal = make_proposal(texas, title="Texas KCPA")
        client.force_login(make_curator())
        response = client.get(change_url(proposal))
        body = response.content.decode()
        assert 'href="https://law.example.gov/kratom"' in body
        assert "snapshot/old/" in body and "snapshot/new/" in body
        assert 'id="upcoming-status"' in body and "2099" in body
        initial = response.context["confirm_form"].initial
        assert initial["citations"] == [
            {"url": "https://law.example.gov/kratom", "text": "", "title": "Texas KCPA"}
        ]

    def test_confirming_records_the_status_and_closes_the_proposal(self, client):
        texas = make_jurisdiction("US-TX")
        proposal = make_proposal(texas)
        alice = make_curator("alice")
        client.force_login(alice)
        client.get(change_url(proposal))
        response = client.post(change_url(proposal), confirm_post(proposal, min_age=21))
        assert response.status_code == 302
        proposal.refresh_from_db()
        texas.refresh_from_db()
        assert (proposal.state, proposal.decided_by) == ("confirmed", alice)
        assert proposal.status_version == texas.current_status
        assert (texas.status, texas.current_status.min_age) == ("regulated", 21)
        assert texas.current_status.citations[0]["text"] == "Tex. Health & Safety Code 444"
        assert Decision.objects.get().subject == f"proposal {proposal.pk}"

    def test_a_stale_confirmation_is_refused_with_a_clear_message(self, client):
        texas = make_jurisdiction("US-TX", name="Texas")
        proposal = make_proposal(texas)
        client.force_login(make_curator("alice"))
        client.get(change_url(proposal))
        data = confirm_post(proposal)  # what the page held when it was opened
        record_status(texas, "legal", user=make_curator("bob"))
        response = client.post(change_url(proposal), data)
        assert response.status_code == 200
        assert "changed after you opened this page" in response.content.decode()
        proposal.refresh_from_db()
        assert proposal.state == "pending"

    def test_a_5000_line_proposal_page_is_bounded_and_can_be_dismissed_or_confirmed(self, client):
        def statute(age):
            return "\n".join(f"Sec. {n}. No kratom sales under {age}." for n in range(5000))

        texas = make_jurisdiction("US-TX")
        pages = [
            make_proposal(texas, old_text=statute(18), new_text=statute(21), url=url)
            for url in ("https://law.example.gov/a", "https://law.example.gov/b")
        ]
        client.force_login(make_curator())
        response = client.get(change_url(pages[0]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Diff too large: showing the first 500 changes of 5000." in body
        notice = body[body.index('id="diff-too-large"') :].split("</p>")[0]
        assert "snapshot/old/" in notice and "snapshot/new/" in notice
        assert body.count('<tr class="replace">') == 500
        assert 'id="confirm-form"' in body and 'id="dismiss-form"' in body
        client.post(change_url(pages[0]), {"action": "dismiss", "reason": "Renumbering."})
        client.post(change_url(pages[1]), confirm_post(pages[1]))
        assert [p.state for p in ChangeProposal.objects.order_by("pk")] == [
            "dismissed",
            "confirmed",
        ]

    def test_dismissing_needs_a_reason(self, client):
        proposal = make_proposal(make_jurisdiction("US-TX"))
        alice = make_curator("alice")
        client.force_login(alice)
        response = client.post(change_url(proposal), {"action": "dismiss", "reason": ""})
        assert response.status_code == 200
        proposal.refresh_from_db()
        assert proposal.state == "pending"
        client.post(change_url(proposal), {"action": "dismiss", "reason": "Menu changed."})
        proposal.refresh_from_db()
        assert (proposal.state, proposal.reason, proposal.decided_by) == (
            "dismissed",
            "Menu changed.",
            alice,
        )
        assert Decision.objects.get().action == "dismiss"

    def test_a_ban_from_a_proposal_waits_for_a_second_curator_then_closes_it(self):
        texas = make_jurisdiction("US-TX")
        proposal = make_proposal(texas)
        alice, bob = make_curator("alice"), make_curator("bob")
        approval = services.proposal_confirm(
            actor=alice, proposal_id=proposal.pk, facts=facts("banned"), seen_version_id=None
        )
        assert isinstance(approval, StatusApproval)
        proposal.refresh_from_db()
        assert (proposal.state, approval.proposal_link.proposal) == ("pending", proposal)
        with pytest.raises(Exception, match="already waits"):
            services.proposal_confirm(
                actor=bob, proposal_id=proposal.pk, facts=facts("legal"), seen_version_id=None
            )
        from jurisdictions.services.decisions import approval_approve

        version = approval_approve(actor=bob, approval_id=approval.pk)
        proposal.refresh_from_db()
        assert (proposal.state, proposal.status_version) == ("confirmed", version)

    def test_the_approval_page_links_the_proposal_it_came_from(self, client):
        texas = make_jurisdiction("US-TX")
        proposal = make_proposal(texas)
        approval = services.proposal_confirm(
            actor=make_curator("alice"),
            proposal_id=proposal.pk,
            facts=facts("banned"),
            seen_version_id=None,
        )
        client.force_login(make_curator("bob"))
        page = client.get(reverse("admin:jurisdictions_statusapproval_change", args=[approval.pk]))
        proposal_url = reverse("admin:monitoring_changeproposal_change", args=[proposal.pk])
        assert f'href="{proposal_url}">change proposal {proposal.pk}</a>' in page.content.decode()


@pytest.mark.django_db
class TestClaims:
    def test_opening_claims_and_others_see_who_holds_it(self, client):
        proposal = make_proposal(make_jurisdiction("US-TX"))
        alice, bob = make_curator("alice"), make_curator("bob")
        with time_machine.travel(NOW, tick=False):
            client.force_login(alice)
            client.get(change_url(proposal))
            proposal.refresh_from_db()
            assert (proposal.claimed_by, proposal.claimed_at) == (alice, NOW)
            client.force_login(bob)
            body = client.get(change_url(proposal)).content.decode()
        assert "alice</strong> is working on this proposal (until 09:30)" in body
        assert 'id="confirm-form"' not in body
        proposal.refresh_from_db()
        assert proposal.claimed_by == alice

    def test_a_claim_blocks_another_curators_decision_until_it_expires(self):
        proposal = make_proposal(make_jurisdiction("US-TX"))
        alice, bob = make_curator("alice"), make_curator("bob")
        with time_machine.travel(NOW, tick=False):
            services.proposal_claim(actor=alice, proposal_id=proposal.pk)
        with time_machine.travel(NOW + datetime.timedelta(minutes=29), tick=False):
            assert services.proposal_claim(actor=bob, proposal_id=proposal.pk).claimed_by == alice
            with pytest.raises(Exception, match="alice is working on this proposal"):
                services.proposal_dismiss(actor=bob, proposal_id=proposal.pk, reason="noise")
        with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
            assert services.proposal_claim(actor=bob, proposal_id=proposal.pk).claimed_by == bob
            services.proposal_dismiss(actor=bob, proposal_id=proposal.pk, reason="noise")
        proposal.refresh_from_db()
        assert (proposal.state, proposal.claimed_by) == ("dismissed", None)

    def test_next_pending_takes_the_most_relevant_unclaimed_one(self, client):
        texas = make_jurisdiction("US-TX")
        low = make_proposal(texas, new_text="low", score=1)
        high = make_proposal(texas, new_text="high", score=9)
        alice, bob = make_curator("alice"), make_curator("bob")
        assert services.proposal_next_claim(actor=alice) == high
        assert services.proposal_next_claim(actor=bob) == low
        assert services.proposal_next_claim(actor=make_curator("carol")) is None
        client.force_login(alice)
        response = client.get(reverse("admin:monitoring_changeproposal_next"))
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:monitoring_changeproposal_changelist")


@pytest.mark.django_db(transaction=True)
def test_two_curators_asking_for_the_next_one_at_once_get_different_ones():
    """Alice's transaction still holds her row when Bob asks: on PostgreSQL SKIP LOCKED passes
    over it without waiting. SQLite has no row locks and serialises writers, so there Bob
    asks once Alice has committed, and the conditional claim keeps them apart."""
    texas = make_jurisdiction("US-TX")
    first = make_proposal(texas, new_text="first", score=9)
    second = make_proposal(texas, new_text="second", score=1)
    alice, bob = make_curator("alice"), make_curator("bob")
    locked, release, taken = threading.Event(), threading.Event(), {}
    holds_row_locks = connection.features.has_select_for_update_skip_locked

    def alice_takes_and_holds():
        try:
            with transaction.atomic():
                taken["alice"] = services.proposal_next_claim(actor=alice)
                locked.set()
                if holds_row_locks:
                    release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=alice_takes_and_holds)
    thread.start()
    assert locked.wait(10)
    if not holds_row_locks:
        thread.join(10)
    taken["bob"] = services.proposal_next_claim(actor=bob)  # does not wait for alice's commit
    release.set()
    thread.join(10)
    assert (taken["alice"], taken["bob"]) == (first, second)
    assert set(ChangeProposal.objects.values_list("claimed_by__username", flat=True)) == {
        "alice",
        "bob",
    }


@pytest.mark.django_db
def test_a_malformed_or_unknown_proposal_id_is_a_404(client):
    client.force_login(make_curator())
    assert client.get("/admin/monitoring/changeproposal/abc/change/").status_code == 404
    assert client.get("/admin/monitoring/changeproposal/999999/change/").status_code == 404
