"""Curator decisions through the services: who may decide, four-eyes, stale protection, trail."""

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser, Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions import selectors
from jurisdictions.models import (
    Category,
    Decision,
    Lead,
    OneTimePassword,
    Rule,
    Scope,
    StatusApproval,
    StatusVersion,
)
from jurisdictions.permissions import CURATOR_PERMISSIONS
from jurisdictions.rules import ProductRule, rules_errors
from jurisdictions.services import decisions, statuses
from jurisdictions.services.decisions import StatusFacts
from tests.factories import (
    CITATION,
    make_curator,
    make_jurisdiction,
    make_proposal,
    make_user,
    record_status,
    rules_for,
)
from tracker.monitoring import services as monitoring_services

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def facts(status="regulated", min_age=None, **overrides) -> StatusFacts:
    fields = {
        "rules": rules_for(status, min_age=min_age),
        "summary": f"Kratom is {status} here.",
        "citations": [CITATION],
        "as_of": TODAY,
    }
    fields.update(overrides)
    return StatusFacts(**fields)


def decide(actor, jurisdiction, status="regulated", **extra):
    return decisions.status_decide(
        actor=actor,
        jurisdiction=jurisdiction,
        facts=facts(status),
        seen_version_id=selectors.jurisdiction_latest_version_id(jurisdiction_id=jurisdiction.pk),
        today=TODAY,
        **extra,
    )


def test_it_records_a_curators_confirmation_with_the_audit_entry():
    texas = make_jurisdiction("US-TX")
    alice = make_curator("alice")
    version = decide(alice, texas, "regulated", reason="KCPA signed")
    texas.refresh_from_db()
    assert texas.current_status == version
    assert (version.confirmed_by, version.origin) == (alice, "curator")
    assert (texas.last_verified_on, texas.last_verified_by) == (TODAY, alice)
    entry = Decision.objects.get()
    assert (entry.action, entry.actor, entry.status_version, entry.reason) == (
        "confirm",
        alice,
        version,
        "KCPA signed",
    )


def test_it_refuses_decisions_from_staff_who_are_not_curators_and_from_anonymous_users():
    texas = make_jurisdiction("US-TX")
    staff = make_user("staffer", is_staff=True)
    for user in (staff, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            decide(user, texas)
        with pytest.raises(PermissionDenied):
            decisions.status_reverify(actor=user, jurisdiction=texas)
    assert StatusVersion.objects.count() == 0
    assert Decision.objects.count() == 0


def test_it_lets_a_superuser_decide_without_the_group():
    texas = make_jurisdiction("US-TX")
    root = make_user("root", is_staff=True, is_superuser=True)
    assert isinstance(decide(root, texas), StatusVersion)


def test_it_holds_a_ban_for_a_second_curator_when_the_service_is_called_directly():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "regulated", today=TODAY)
    alice, bob = make_curator("alice"), make_curator("bob")
    approval = decide(alice, texas, "banned")
    assert isinstance(approval, StatusApproval)
    texas.refresh_from_db()
    assert texas.status == "regulated"  # nothing recorded yet

    version = decisions.approval_approve(actor=bob, approval_id=approval.pk, today=TODAY)
    texas.refresh_from_db()
    assert texas.current_status == version
    assert version.status == "banned"
    assert version.confirmed_by == alice
    assert "Approved by bob" in version.note
    approval.refresh_from_db()
    assert (approval.state, approval.decided_by, approval.status_version) == (
        "approved",
        bob,
        version,
    )
    assert list(Decision.objects.order_by("id").values_list("action", "actor__username")) == [
        ("request_approval", "alice"),
        ("approve", "bob"),
    ]


def test_it_needs_a_second_curator_for_a_change_away_from_banned():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "banned", today=TODAY)
    assert isinstance(decide(make_curator("alice"), texas, "legal"), StatusApproval)


def test_the_watched_rules_are_a_setting(settings):
    settings.FOUR_EYES_RULES = ["banned", "regulated"]
    texas = make_jurisdiction("US-TX")
    assert isinstance(decide(make_curator("alice"), texas, "regulated"), StatusApproval)
    settings.FOUR_EYES_RULES = []
    assert isinstance(decide(make_curator("bob"), texas, "banned"), StatusVersion)


def test_a_new_7oh_ban_needs_a_second_curator_even_when_the_headline_stays():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "restricted", today=TODAY)
    alice = make_curator("alice")
    # The same rules again except the extracts: regulated → banned. A ban added: four eyes.
    rules = rules_for("restricted", extract=ProductRule(Category.EXTRACT, Rule.BANNED, Scope.SALE))
    result = decisions.status_decide(
        actor=alice,
        jurisdiction=texas,
        facts=facts(rules=rules),
        seen_version_id=selectors.jurisdiction_latest_version_id(jurisdiction_id=texas.pk),
        today=TODAY,
    )
    assert isinstance(result, StatusApproval) and result.status == "restricted"
    # A change that leaves every ban as it was is recorded at once.
    rules = rules_for("restricted", min_age=21)
    version = decisions.status_decide(
        actor=alice,
        jurisdiction=texas,
        facts=facts(rules=rules),
        seen_version_id=selectors.jurisdiction_latest_version_id(jurisdiction_id=texas.pk),
        today=TODAY,
    )
    assert isinstance(version, StatusVersion) and version.min_age == 21


def test_it_refuses_self_approval():
    texas = make_jurisdiction("US-TX")
    alice = make_curator("alice")
    approval = decide(alice, texas, "banned")
    with pytest.raises(PermissionDenied, match="your own"):
        decisions.approval_approve(actor=alice, approval_id=approval.pk)
    with pytest.raises(PermissionDenied, match="your own"):
        decisions.approval_reject(actor=alice, approval_id=approval.pk, reason="changed my mind")
    approval.refresh_from_db()
    assert approval.state == "pending"
    assert texas.versions.count() == 0


def test_it_refuses_a_stale_confirmation():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "legal", today=TODAY)
    seen = selectors.jurisdiction_latest_version_id(jurisdiction_id=texas.pk)
    # Another curator records a status after the page was opened.
    decide(make_curator("bob"), texas, "regulated")
    with pytest.raises(ValidationError, match="changed after you opened") as refusal:
        decisions.status_decide(
            actor=make_curator("alice"),
            jurisdiction=texas,
            facts=facts("restricted"),
            seen_version_id=seen,
            today=TODAY,
        )
    assert refusal.value.code == "stale"
    texas.refresh_from_db()
    assert texas.status == "regulated"


def test_it_refuses_to_approve_a_confirmation_overtaken_by_a_newer_status():
    texas = make_jurisdiction("US-TX")
    approval = decide(make_curator("alice"), texas, "banned")
    decide(make_curator("carol"), texas, "regulated")
    with pytest.raises(ValidationError, match="changed after"):
        decisions.approval_approve(actor=make_curator("bob"), approval_id=approval.pk)


def test_a_rejection_needs_a_reason_and_records_nothing():
    texas = make_jurisdiction("US-TX")
    approval = decide(make_curator("alice"), texas, "banned")
    bob = make_curator("bob")
    with pytest.raises(ValidationError, match="why"):
        decisions.approval_reject(actor=bob, approval_id=approval.pk, reason="  ")
    decisions.approval_reject(actor=bob, approval_id=approval.pk, reason="Bill not signed yet.")
    approval.refresh_from_db()
    assert (approval.state, approval.reason) == ("rejected", "Bill not signed yet.")
    assert texas.versions.count() == 0
    with pytest.raises(ValidationError, match="already rejected"):
        decisions.approval_approve(actor=make_curator("carol"), approval_id=approval.pk)


def test_a_manual_entry_needs_a_citation_and_a_real_status():
    texas = make_jurisdiction("US-TX")
    alice = make_curator("alice")
    with pytest.raises(ValidationError, match="citation"):
        decisions.status_enter_manual(
            actor=alice, jurisdiction=texas, facts=facts(citations=[]), seen_version_id=None
        )
    with pytest.raises(ValidationError, match="Every rule is unknown"):
        decisions.status_enter_manual(
            actor=alice, jurisdiction=texas, facts=facts("unverified"), seen_version_id=None
        )
    version = decisions.status_enter_manual(
        actor=alice, jurisdiction=texas, facts=facts("regulated"), seen_version_id=None
    )
    assert Decision.objects.get().action == "manual_entry"
    assert version.citations == [CITATION]


def test_a_ban_with_an_impossible_minimum_age_is_refused_before_it_waits_for_approval():
    with pytest.raises(ValidationError, match="between 14 and 30"):
        decisions.status_enter_manual(
            actor=make_curator(),
            jurisdiction=make_jurisdiction("US-TX"),
            facts=facts("restricted", min_age=5),
            seen_version_id=None,
        )
    assert StatusApproval.objects.count() == 0


def test_a_manual_ban_follows_the_four_eyes_rule_too():
    texas = make_jurisdiction("US-TX")
    result = decisions.status_enter_manual(
        actor=make_curator("alice"), jurisdiction=texas, facts=facts("banned"), seen_version_id=None
    )
    assert isinstance(result, StatusApproval)


def test_reverify_moves_last_verified_without_a_new_version():
    texas = make_jurisdiction("US-TX")
    version = record_status(texas, "regulated", as_of=datetime.date(2026, 1, 5), today=TODAY)
    alice = make_curator("alice")
    decisions.status_reverify(
        actor=alice, jurisdiction=texas, reason="Checked the statute.", today=TODAY
    )
    texas.refresh_from_db()
    assert (texas.last_verified_on, texas.last_verified_by) == (TODAY, alice)
    assert texas.current_status == version
    assert texas.versions.count() == 1
    entry = Decision.objects.get()
    assert (entry.action, entry.status_version, entry.status) == ("reverify", version, "regulated")


def test_reverify_refuses_a_jurisdiction_without_a_status():
    with pytest.raises(ValidationError, match="no confirmed status"):
        decisions.status_reverify(actor=make_curator(), jurisdiction=make_jurisdiction("US-GU"))


def test_the_stale_filter_lists_statuses_not_verified_within_the_setting(settings):
    settings.VERIFICATION_STALE_DAYS = 90
    old = make_jurisdiction("US-TX")
    record_status(old, "legal", as_of=TODAY - datetime.timedelta(days=91), today=TODAY)
    fresh = make_jurisdiction("US-OK")
    record_status(fresh, "legal", as_of=TODAY - datetime.timedelta(days=89), today=TODAY)
    make_jurisdiction("US-GU")  # never verified, but no status to re-verify either
    assert list(selectors.jurisdictions_stale(today=TODAY)) == [old]
    decisions.status_reverify(actor=make_curator(), jurisdiction=old, today=TODAY)
    assert list(selectors.jurisdictions_stale(today=TODAY)) == []


def _seed_lead(jurisdiction, **extra):
    return Lead.objects.create(
        jurisdiction=jurisdiction,
        origin=Lead.Origin.SEED,
        reported_status="regulated",
        summary="Reported KCPA.",
        confidence="low",
        **extra,
    )


def test_a_lead_confirmed_by_a_curator_becomes_a_status_and_closes():
    texas = make_jurisdiction("US-TX")
    lead = _seed_lead(texas)
    alice = make_curator("alice")
    version = decisions.lead_confirm(
        actor=alice, lead_id=lead.pk, facts=facts("regulated"), seen_version_id=None, today=TODAY
    )
    lead.refresh_from_db()
    assert (lead.state, lead.closed_by) == ("closed", alice)
    assert Decision.objects.get().subject == f"lead {lead.pk}"
    assert texas.versions.get() == version


def test_a_lead_for_a_ban_closes_only_when_a_second_curator_approves():
    texas = make_jurisdiction("US-TX")
    lead = Lead.objects.create(
        jurisdiction=texas, origin=Lead.Origin.PUBLIC, reported_status="banned"
    )
    approval = decisions.lead_confirm(
        actor=make_curator("alice"), lead_id=lead.pk, facts=facts("banned"), seen_version_id=None
    )
    lead.refresh_from_db()
    assert lead.state == "open"
    decisions.approval_approve(actor=make_curator("bob"), approval_id=approval.pk)
    lead.refresh_from_db()
    assert lead.state == "closed"


def test_a_lead_gets_one_pending_approval_only():
    texas = make_jurisdiction("US-TX")
    lead = Lead.objects.create(
        jurisdiction=texas, origin=Lead.Origin.PUBLIC, reported_status="banned"
    )
    decisions.lead_confirm(
        actor=make_curator("alice"), lead_id=lead.pk, facts=facts("banned"), seen_version_id=None
    )
    with pytest.raises(ValidationError, match="already waits for a second curator"):
        decisions.lead_confirm(
            actor=make_curator("carol"),
            lead_id=lead.pk,
            facts=facts("banned"),
            seen_version_id=None,
        )
    assert StatusApproval.objects.pending().filter(lead=lead).count() == 1


def test_the_database_refuses_a_second_pending_approval_for_a_lead():
    from django.db import IntegrityError, transaction

    texas = make_jurisdiction("US-TX")
    lead = Lead.objects.create(jurisdiction=texas, origin=Lead.Origin.PUBLIC)
    first = decisions.lead_confirm(
        actor=make_curator("alice"), lead_id=lead.pk, facts=facts("banned"), seen_version_id=None
    )
    first.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_a_lead_dismissal_needs_a_reason():
    lead = _seed_lead(make_jurisdiction("US-TX"))
    alice = make_curator("alice")
    with pytest.raises(ValidationError):
        decisions.lead_dismiss(actor=alice, lead_id=lead.pk, reason="")
    decisions.lead_dismiss(actor=alice, lead_id=lead.pk, reason="No such law in the code.")
    lead.refresh_from_db()
    assert (lead.state, lead.close_reason) == ("closed", "No such law in the code.")
    with pytest.raises(ValidationError, match="already closed"):
        decisions.lead_dismiss(actor=alice, lead_id=lead.pk, reason="again")


def test_the_audit_csv_contains_each_decision():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "legal", today=TODAY)
    alice, bob = make_curator("alice"), make_curator("bob")
    decide(alice, texas, "regulated", reason="KCPA")
    approval = decide(alice, texas, "banned", reason="=HYPERLINK(evil)")
    decisions.approval_approve(actor=bob, approval_id=approval.pk, today=TODAY)
    decisions.status_reverify(actor=bob, jurisdiction=texas, today=TODAY)
    lead = _seed_lead(texas)
    decisions.lead_dismiss(actor=alice, lead_id=lead.pk, reason="Duplicate.")
    manual = make_jurisdiction("US-OK")
    decisions.status_enter_manual(
        actor=alice, jurisdiction=manual, facts=facts("legal"), seen_version_id=None
    )
    rows = list(csv.reader(io.StringIO(_csv_text())))
    assert rows[0] == selectors.DECISIONS_CSV_HEADER
    actions = sorted((row[1], row[2], row[3]) for row in rows[1:])
    assert actions == sorted(
        [
            ("US-TX", "confirm", "alice"),
            ("US-TX", "request_approval", "alice"),
            ("US-TX", "approve", "bob"),
            ("US-TX", "reverify", "bob"),
            ("US-TX", "dismiss", "alice"),
            ("US-OK", "manual_entry", "alice"),
        ]
    )
    assert "'=HYPERLINK(evil)" in [row[7] for row in rows]  # a formula stays text


def _csv_text():
    out = io.StringIO()
    writer = csv.writer(out)
    for row in selectors.decisions_csv_rows():
        writer.writerow(row)
    return out.getvalue()


def test_the_audit_trail_is_append_only():
    texas = make_jurisdiction("US-TX")
    decide(make_curator(), texas)
    entry = Decision.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_a_scheduled_change_becomes_current_on_its_date_exactly_once():
    texas = make_jurisdiction("US-TX")
    current = record_status(texas, "legal", today=TODAY)
    dated = decisions.status_decide(
        actor=make_curator(),
        jurisdiction=texas,
        facts=facts("regulated", effective_date=datetime.date(2027, 1, 1)),
        seen_version_id=current.pk,
        today=TODAY,
    )
    texas.refresh_from_db()
    assert (texas.current_status, texas.upcoming_status) == (current, dated)
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)):
        assert statuses.statuses_promote_due() == []
    with time_machine.travel(datetime.datetime(2027, 1, 1, 6, tzinfo=datetime.UTC)):
        assert statuses.statuses_promote_due() == [dated.pk]
        assert statuses.statuses_promote_due() == []  # the next hourly run does nothing
    texas.refresh_from_db()
    assert (texas.current_status, texas.upcoming_status) == (dated, None)


def test_createcurator_makes_a_staff_member_of_the_curators_group_with_a_one_time_password():
    out = io.StringIO()
    call_command(
        "createcurator", "dana", "--email", "dana@example.org", "--one-time-password", stdout=out
    )
    password = out.getvalue().split(": ")[-1].strip()
    user = authenticate(username="dana", password=password)
    assert user is not None and user.is_staff and not user.is_superuser
    assert selectors.user_is_curator(user)
    assert out.getvalue().count(password) == 1


def _log_in(client, username: str, password: str):
    return client.post("/admin/login/", {"username": username, "password": password})


def test_a_one_time_password_must_be_changed_before_anything_else_in_the_admin(client):
    out = io.StringIO()
    call_command(
        "createcurator", "hana", "--email", "h@example.org", "--one-time-password", stdout=out
    )
    one_time = out.getvalue().split(": ")[-1].strip()
    assert _log_in(client, "hana", one_time).status_code == 302
    for path in ("/admin/", "/admin/monitoring/changeproposal/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/admin/password_change/")
    assert "Choose your own password" in client.get("/admin/password_change/").content.decode()

    chosen = "a-long-passphrase-of-hanas-own"
    changed = client.post(
        "/admin/password_change/",
        {"old_password": one_time, "new_password1": chosen, "new_password2": chosen},
    )
    assert (changed.status_code, changed["Location"]) == (302, "/admin/password_change/done/")
    assert client.get("/admin/password_change/done/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert not OneTimePassword.objects.exists()
    client.logout()
    assert _log_in(client, "hana", chosen).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_password_chosen_at_creation_is_not_asked_to_change(client, monkeypatch):
    answers = iter(["a-long-passphrase-for-tests"] * 2)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))  # no terminal here
    call_command("createcurator", "ines", "--email", "i@example.org", stdout=io.StringIO())
    assert _log_in(client, "ines", "a-long-passphrase-for-tests").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_createcurator_refuses_a_bad_email_and_an_existing_user():
    with pytest.raises(CommandError, match="valid email"):
        call_command("createcurator", "erin", "--email", "not-an-email", "--one-time-password")
    make_user("frank")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createcurator", "frank", "--email", "f@example.org", "--one-time-password")


def test_createcurator_prompts_for_the_password(monkeypatch):
    answers = iter(["a-long-passphrase-for-tests", "a-long-passphrase-for-tests"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))  # no terminal here
    call_command("createcurator", "gina", "--email", "g@example.org", stdout=io.StringIO())
    assert authenticate(username="gina", password="a-long-passphrase-for-tests")


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_curators_group_in_place():
    """The group is synced after every migrate and flush, not only by its data migration."""
    call_command("flush", "--no-input", verbosity=0)
    assert Group.objects.get(name="Curators").permissions.count() == len(CURATOR_PERMISSIONS)


def test_the_curators_group_has_exactly_the_permissions_it_needs():
    permissions = set(
        Group.objects.get(name="Curators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert permissions == {
        ("jurisdictions", "view_jurisdiction"),
        ("jurisdictions", "view_statusversion"),
        ("jurisdictions", "view_lead"),
        ("jurisdictions", "view_statusapproval"),
        ("jurisdictions", "view_decision"),
        ("jurisdictions", "decide_status"),
        ("monitoring", "view_source"),
        ("monitoring", "add_source"),
        ("monitoring", "change_source"),
        ("monitoring", "view_check"),
        ("monitoring", "view_snapshot"),
        ("monitoring", "view_changeproposal"),
        ("alerts", "view_emailsubscription"),  # counts; not the addresses
    }


def test_the_digest_lists_what_waits_and_goes_to_the_curators(settings):
    settings.CURATOR_EMAILS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    texas = make_jurisdiction("US-TX", name="Texas")
    make_curator("alice")
    assert monitoring_services.curators_digest_send() == 0  # nothing waits: no mail
    proposal = make_proposal(texas)
    assert monitoring_services.curators_digest_send() == 1
    message = mail.outbox[-1]
    assert message.to == ["alice@example.org"]
    assert "Changes to review: 1" in message.body
    assert f"/admin/monitoring/changeproposal/{proposal.pk}/change/" in message.body


def test_a_curator_may_record_known_rules_while_the_leaf_stays_unknown():
    ohio = make_jurisdiction("US-OH")
    rules = rules_for(
        "unverified", extract=ProductRule(Category.EXTRACT, Rule.REGULATED, min_age=21)
    )
    version = decisions.status_enter_manual(
        actor=make_curator(), jurisdiction=ohio, facts=facts(rules=rules), seen_version_id=None
    )
    # A known rule shows in the headline even while the leaf is unknown.
    assert (version.status, version.rule_extract, version.min_age) == (
        "regulated",
        "regulated",
        21,
    )


def test_a_banned_rule_worded_as_a_cap_is_refused_as_a_rule_not_a_ban():
    texas = make_jurisdiction("US-TX")
    capped = ProductRule(Category.SEVEN_OH, Rule.BANNED, Scope.SALE, limit="7-OH cap: 2%")
    with pytest.raises(ValidationError, match="A cap is a rule on what may be sold"):
        decisions.status_enter_manual(
            actor=make_curator(),
            jurisdiction=texas,
            facts=facts(rules=rules_for("regulated", seven_oh=capped)),
            seen_version_id=None,
        )
    threshold = ProductRule(Category.SEVEN_OH, Rule.BANNED, Scope.POSSESSION, limit="above 1 mg/g")
    assert rules_errors(rules_for("regulated", seven_oh=threshold), [CITATION]) == {}


def test_a_typo_in_the_four_eyes_rules_is_a_system_check_error(settings):
    from jurisdictions.apps import four_eyes_rules_check

    settings.FOUR_EYES_RULES = ["baned"]
    errors = four_eyes_rules_check(None)
    assert [error.id for error in errors] == ["jurisdictions.E001"]
    assert "baned" in errors[0].msg
    settings.FOUR_EYES_RULES = ["banned"]
    assert four_eyes_rules_check(None) == []


def test_reverify_refreshes_the_cached_public_answer(client, django_capture_on_commit_callbacks):
    texas = make_jurisdiction("US-TX")
    record_status(texas, "regulated", as_of=datetime.date(2026, 1, 5))
    before = client.get("/api/v1/jurisdictions/US-TX").json()  # now cached
    assert before["last_verified_on"] == "2026-01-05"
    with django_capture_on_commit_callbacks(execute=True):
        decisions.status_reverify(actor=make_curator(), jurisdiction=texas, today=TODAY)
    after = client.get("/api/v1/jurisdictions/US-TX").json()
    assert after["last_verified_on"] == TODAY.isoformat()
