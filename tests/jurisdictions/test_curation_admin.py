"""The curators' admin pages for jurisdictions, leads, approvals and the audit trail."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jurisdictions import selectors
from jurisdictions.models import Decision, Lead, StatusApproval
from tests.factories import (
    citations_post,
    make_curator,
    make_jurisdiction,
    make_user,
    record_status,
    rules_post,
)

pytestmark = pytest.mark.django_db


def status_post(jurisdiction, status="regulated", **overrides):
    data = {
        **rules_post(status),
        "summary": f"Kratom is {status} here.",
        "effective_date_precision": "day",
        "as_of": "2026-11-21",
        **citations_post(
            {"url": "https://law.example.gov/bill", "text": "SB 1 (2026)", "title": "Signed bill"}
        ),
        "seen_version": selectors.jurisdiction_latest_version_id(jurisdiction_id=jurisdiction.pk)
        or "",
    }
    return {**data, **overrides}


def test_a_curator_records_a_status_by_hand_with_a_citation(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    client.force_login(make_curator("alice"))
    url = reverse("admin:jurisdiction_record_status", args=[texas.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, status_post(texas, **citations_post()))
    assert refused.status_code == 200 and texas.versions.count() == 0
    response = client.post(url, status_post(texas, effective_date="2099-01-01"))
    assert response.status_code == 302
    texas.refresh_from_db()
    assert texas.upcoming_status.citations[0]["text"] == "SB 1 (2026)"
    assert texas.current_status is None
    page = client.get(reverse("admin:jurisdictions_jurisdiction_change", args=[texas.pk]))
    assert "Recorded a status without a proposal" in page.content.decode()
    listing = client.get(reverse("admin:jurisdictions_jurisdiction_changelist"))
    assert "regulated from 2099-01-01" in listing.content.decode()


def test_staff_who_are_not_curators_cannot_record_reverify_or_export(client):
    texas = make_jurisdiction("US-TX")
    record_status(texas, "legal")
    client.force_login(make_user("staffer", is_staff=True, is_superuser=False))
    for name in ("jurisdiction_record_status", "jurisdiction_reverify", "jurisdiction_audit_csv"):
        url = reverse(f"admin:{name}", args=[texas.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, status_post(texas)).status_code == 403
    assert Decision.objects.count() == 0


def test_reverify_from_the_admin_keeps_the_status_and_records_who(client):
    texas = make_jurisdiction("US-TX")
    version = record_status(texas, "legal", as_of=datetime.date(2025, 1, 1))
    alice = make_curator("alice")
    client.force_login(alice)
    response = client.post(
        reverse("admin:jurisdiction_reverify", args=[texas.pk]), {"reason": "Read the code."}
    )
    assert response.status_code == 302
    texas.refresh_from_db()
    assert (texas.current_status, texas.last_verified_by) == (version, alice)
    assert texas.versions.count() == 1


def test_the_stale_filter_in_the_admin(client, settings):
    settings.VERIFICATION_STALE_DAYS = 90
    old, fresh = make_jurisdiction("US-TX"), make_jurisdiction("US-OK")
    record_status(old, "legal", as_of=datetime.date(2000, 1, 1))
    record_status(fresh, "legal", as_of=datetime.date.today())
    client.force_login(make_curator())
    response = client.get(
        reverse("admin:jurisdictions_jurisdiction_changelist") + "?verification=stale"
    )
    assert [j.code for j in response.context["cl"].result_list] == ["US-TX"]


def test_the_audit_csv_downloads_for_one_jurisdiction_and_for_all(client):
    texas, oklahoma = make_jurisdiction("US-TX"), make_jurisdiction("US-OK")
    alice = make_curator("alice")
    client.force_login(alice)
    for place in (texas, oklahoma):
        client.post(
            reverse("admin:jurisdiction_record_status", args=[place.pk]), status_post(place)
        )
    one = client.get(reverse("admin:jurisdiction_audit_csv", args=[texas.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(one.streaming_content).decode())))
    assert one["Content-Type"].startswith("text/csv")
    assert [row[1:4] for row in rows[1:]] == [["US-TX", "manual_entry", "alice"]]
    everything = client.get(reverse("admin:jurisdictions_decision_export"))
    rows = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    assert sorted(row[1] for row in rows[1:]) == ["US-OK", "US-TX"]


def test_a_curator_verifies_a_seed_lead_from_its_page(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    lead = Lead.objects.create(
        jurisdiction=texas,
        origin=Lead.Origin.SEED,
        reported_status="regulated",
        summary="KCPA, 18+",
        source_url="javascript:alert(1)",
        citation="Tex. Health & Safety Code 444",
        confidence="low",
    )
    client.force_login(make_curator("alice"))
    url = reverse("admin:jurisdictions_lead_change", args=[lead.pk])
    page = client.get(url)
    body = page.content.decode()
    assert 'href="javascript:' not in body
    assert page.context["confirm_form"].initial["summary"] == "KCPA, 18+"
    response = client.post(url, {"action": "confirm", **status_post(texas)})
    assert response.status_code == 302
    lead.refresh_from_db()
    texas.refresh_from_db()
    assert lead.state == "closed" and texas.status == "regulated"


def test_the_lead_list_is_for_curators_only(client):
    Lead.objects.create(jurisdiction=make_jurisdiction("US-TX"), origin=Lead.Origin.PUBLIC)
    client.force_login(make_user("staffer", is_staff=True))
    assert client.get(reverse("admin:jurisdictions_lead_changelist")).status_code == 403
    client.force_login(make_curator())
    response = client.get(reverse("admin:jurisdictions_lead_changelist"))
    assert len(response.context["cl"].result_list) == 1


def test_the_approval_page_refuses_the_requester_and_lets_another_curator_approve(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    alice, bob = make_curator("alice"), make_curator("bob")
    client.force_login(alice)
    client.post(
        reverse("admin:jurisdiction_record_status", args=[texas.pk]), status_post(texas, "banned")
    )
    approval = StatusApproval.objects.get()
    url = reverse("admin:jurisdictions_statusapproval_change", args=[approval.pk])
    assert "your own confirmation" in client.get(url).content.decode()
    refused = client.post(url, {"action": "approve"})
    assert "cannot approve your own" in refused.content.decode()
    texas.refresh_from_db()
    assert texas.status == "unverified"
    client.force_login(bob)
    assert client.post(url, {"action": "approve"}).status_code == 302
    texas.refresh_from_db()
    assert texas.status == "banned"


@pytest.mark.parametrize(
    "list_name",
    [
        "jurisdictions_lead_changelist",
        "jurisdictions_statusapproval_changelist",
        "jurisdictions_decision_changelist",
        "jurisdictions_jurisdiction_changelist",
    ],
)
def test_the_curator_lists_cost_the_same_queries_for_more_rows(
    client, django_assert_num_queries, list_name
):
    alice, bob = make_curator("alice"), make_curator("bob")

    def add_rows(codes):
        for code in codes:
            place = make_jurisdiction(code)
            Lead.objects.create(jurisdiction=place, origin=Lead.Origin.PUBLIC)
            client.force_login(alice)
            client.post(
                reverse("admin:jurisdiction_record_status", args=[place.pk]),
                status_post(place, "banned"),
            )
            client.force_login(bob)
            client.post(
                reverse("admin:jurisdiction_record_status", args=[place.pk]),
                status_post(place, "banned"),
            )

    url = reverse(f"admin:{list_name}")
    add_rows(["US-AA", "US-AB"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    baseline = len(few.captured_queries)  # read now: the next request resets the log
    add_rows([f"US-C{n}" for n in range(10)])
    with django_assert_num_queries(baseline):
        assert client.get(url).status_code == 200


def test_the_seed_leads_wait_in_the_curators_queue(client):
    from jurisdictions.seeding import seed_all

    seed_all()
    open_leads = Lead.objects.filter(state=Lead.State.OPEN, origin=Lead.Origin.SEED)
    assert open_leads.exists()
    client.force_login(make_curator())
    queue = client.get(reverse("admin:monitoring_changeproposal_changelist"))
    assert f"{open_leads.count()} leads to verify" in queue.content.decode()
    listed = client.get(reverse("admin:jurisdictions_lead_changelist") + "?state__exact=open")
    assert listed.context["cl"].result_count == open_leads.count()


def jurisdiction_form(jurisdiction, **changes):
    data = {
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "level": jurisdiction.level,
        "parent": jurisdiction.parent_id or "",
        "ocd_id": jurisdiction.ocd_id or "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_staff_with_change_jurisdiction_cannot_rename_one_into_another(client):
    """The rename attack: Texas becomes US-ZZ and banned Alabama takes Texas's code and name."""
    texas = make_jurisdiction("US-TX", name="Texas")
    alabama = make_jurisdiction("US-AL", name="Alabama")
    record_status(texas, "regulated")
    record_status(alabama, "banned")
    staffer = make_user("staffer", is_staff=True)
    staffer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_jurisdiction", "change_jurisdiction"])
    )
    client.force_login(staffer)
    for jurisdiction, changes in (
        (texas, {"code": "US-ZZ", "name": "Nowhere"}),
        (alabama, {"code": "US-TX", "name": "Texas"}),
    ):
        url = reverse("admin:jurisdictions_jurisdiction_change", args=[jurisdiction.pk])
        client.post(url, jurisdiction_form(jurisdiction, **changes))
    texas.refresh_from_db()
    alabama.refresh_from_db()
    assert (texas.code, texas.name) == ("US-TX", "Texas")
    assert (alabama.code, alabama.name, alabama.parent.code) == ("US-AL", "Alabama", "US")
    answer = client.get("/api/v1/jurisdictions/US-TX").json()
    assert (answer["name"], answer["status"]) == ("Texas", "regulated")
    form_page = client.get(reverse("admin:jurisdictions_jurisdiction_change", args=[texas.pk]))
    assert 'name="code"' not in form_page.content.decode()


def test_a_superuser_may_still_correct_a_jurisdictions_name(client):
    texas = make_jurisdiction("US-TX", name="Texs")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:jurisdictions_jurisdiction_change", args=[texas.pk])
    assert client.post(url, jurisdiction_form(texas, name="Texas")).status_code == 302
    texas.refresh_from_db()
    assert texas.name == "Texas"


def test_the_rule_grid_is_prefilled_from_the_current_version_with_errors_beside_fields(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    record_status(texas, "restricted", min_age=18)
    client.force_login(make_curator("alice"))
    url = reverse("admin:jurisdiction_record_status", args=[texas.pk])
    page = client.get(url)
    initial = page.context["form"].initial
    assert (initial["rule_leaf"], initial["min_age_leaf"]) == ("regulated", 18)
    assert (initial["rule_7oh"], initial["scope_7oh"]) == ("banned", "sale")
    assert 'id="rule-grid"' in page.content.decode()
    wrong = status_post(texas, "legal", scope_extract="sale", min_age_leaf="9")
    refused = client.post(url, wrong)
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert errors["scope_extract"] == ["Only a ban has a scope."]
    assert "min_age_leaf" in errors
    texas.refresh_from_db()
    assert texas.current_status.status == "restricted"


def test_a_seed_leads_suggested_rules_are_shown_with_their_basis_and_never_prefilled(client):
    florida = make_jurisdiction("US-FL", name="Florida")
    record_status(florida, "restricted", min_age=21)
    suggestion = {
        "category": "extract",
        "rule": "banned",
        "scope": "sale",
        "min_age": None,
        "limit": "7-OH <= 1 mg/g",
        "basis": "emergency rule 2ER26-1 read as reaching extracts",
    }
    lead = Lead.objects.create(
        jurisdiction=florida, origin=Lead.Origin.SEED, rule_suggestions=[suggestion]
    )
    client.force_login(make_curator("alice"))
    page = client.get(reverse("admin:jurisdictions_lead_change", args=[lead.pk]))
    body = page.content.decode()
    assert "Suggested rules (interpretations, not facts)" in body
    assert "extract: banned (sale)" in body and "emergency rule 2ER26-1" in body
    # The grid starts from the version in force, not from the interpretation.
    initial = page.context["confirm_form"].initial
    assert (initial["rule_extract"], initial["rule_7oh"]) == ("unknown", "banned")


def test_the_status_form_has_date_inputs_and_a_citation_editor_with_add_and_remove(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    client.force_login(make_curator("alice"))
    url = reverse("admin:jurisdiction_record_status", args=[texas.pk])
    html = client.get(url).content.decode()
    assert 'type="date" name="as_of"' in html and 'type="date" name="effective_date"' in html
    # Two blank rows to add citations, each with a remove box; no pipe-separated lines.
    assert 'name="citations-1-url"' in html and 'name="citations-1-DELETE"' in html
    kept = {"url": "https://law.example.gov/bill", "text": "SB 1 (2026)", "title": ""}
    dropped = {"url": "https://law.example.gov/old", "text": "SB 9 (2019)", "title": ""}
    data = {**status_post(texas), **citations_post(kept, dropped), "citations-1-DELETE": "on"}
    assert client.post(url, data).status_code == 302
    texas.refresh_from_db()
    assert texas.current_status.citations == [kept]
    # A title alone is refused beside its row, and nothing is recorded.
    lonely = citations_post({"url": "", "text": "", "title": "Only a title"})
    refused = client.post(url, {**status_post(texas), **lonely})
    assert "A citation needs a URL or a citation text." in refused.content.decode()
    assert texas.versions.count() == 1


def test_the_reverify_page_links_the_official_text_with_one_full_stop(client):
    texas = make_jurisdiction("US-TX", name="Texas")
    record_status(texas, "regulated", summary="Sales to minors are banned.")
    client.force_login(make_curator("alice"))
    html = client.get(reverse("admin:jurisdiction_reverify", args=[texas.pk])).content.decode()
    assert "Sales to minors are banned.\n" in html and "banned.." not in html
    assert '<ul id="official-text"><li><a href="https://law.example.gov/kratom"' in html
