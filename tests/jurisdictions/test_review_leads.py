"""Review leads (seeds/review_leads.csv): loaded idempotently as leads, new places created
unverified, shown to curators with their claim, source, date and what to check."""

import datetime

import pytest
from django.core.management import call_command

from jurisdictions.models import Jurisdiction, Lead, Status
from jurisdictions.review_leads import REVIEW_LEADS_CSV, read_review_rows, review_leads_seed
from jurisdictions.seeding import SeedReport
from jurisdictions.services.corrections import lead_report_correction
from tests.factories import make_curator

pytestmark = pytest.mark.django_db


def test_every_finding_loads_as_an_open_lead_with_its_source_date_and_what_to_check(seeded_db):
    rows = read_review_rows(REVIEW_LEADS_CSV)
    leads = Lead.objects.filter(origin=Lead.Origin.REVIEW)
    assert leads.count() == len(rows) == 22
    naperville = leads.get(jurisdiction__code="US-IL-NAPERVILLE")
    assert naperville.state == Lead.State.OPEN
    assert naperville.summary.startswith("Naperville's city council voted 8-0")
    assert naperville.source_url.startswith("https://github.com/tonalqualityx/kratom-news-today/")
    assert naperville.as_of == datetime.date(2026, 9, 3)
    assert naperville.what_to_check.startswith("Read the adopted Naperville ordinance")


def test_the_two_new_places_are_created_unverified_below_illinois(seeded_db):
    for code, name in [
        ("US-IL-NAPERVILLE", "Naperville (city)"),
        ("US-IL-MOUNT-CARMEL", "Mount Carmel (city)"),
    ]:
        place = Jurisdiction.objects.get(code=code)
        assert (place.name, place.level, place.parent.code) == (name, "city", "US-IL")
        assert place.status == Status.UNVERIFIED and place.current_status is None
        assert place.ocd_id.startswith("ocd-division/country:us/state:il/place:")


def test_loading_twice_changes_nothing_and_a_closed_lead_stays_closed(seeded_db, capsys):
    lead = Lead.objects.get(jurisdiction__code="US-KY", origin=Lead.Origin.REVIEW)
    Lead.objects.filter(pk=lead.pk).update(state=Lead.State.CLOSED, closed_at=lead.created_at)
    before = Lead.objects.count(), Jurisdiction.objects.count()
    report = SeedReport()
    review_leads_seed(report=report)
    assert not report.changed_anything
    assert (Lead.objects.count(), Jurisdiction.objects.count()) == before
    assert Lead.objects.get(pk=lead.pk).state == Lead.State.CLOSED
    call_command("seed")  # the sources too
    capsys.readouterr()
    call_command("seed")
    assert "Nothing to change" in capsys.readouterr().out


def test_the_list_puts_public_reports_then_findings_then_seed_leads_newest_claim_first(
    seeded_db, client
):
    florida = Jurisdiction.objects.get(code="US-FL")
    report = lead_report_correction(
        jurisdiction=florida, summary="Florida changed its law.", source_url="https://x.gov/a"
    )
    ordered = list(Lead.objects.open().review_order())
    assert ordered[0] == report
    # Then the newer public findings, then the reference data's own leads (the order of
    # Verify next), ...
    kinds = [Lead.Origin.REVIEW, Lead.Origin.SEED]
    origins = [lead.origin for lead in ordered[1:]]
    assert set(origins) == set(kinds) and origins == sorted(origins, key=kinds.index)
    for kind in kinds:
        claimed = [lead.claimed_on for lead in ordered[1:] if lead.origin == kind]
        dated = [day for day in claimed if day is not None]
        # ... each newest first; the claims whose source gave no date come last.
        assert claimed == sorted(dated, reverse=True) + [None] * (len(claimed) - len(dated))
    # A finding older than the place's last verification is probably superseded.
    Jurisdiction.objects.filter(code="US-MN").update(last_verified_on=datetime.date(2026, 11, 1))
    minnesota = Lead.objects.review_order().get(
        jurisdiction__code="US-MN", origin=Lead.Origin.REVIEW
    )
    assert minnesota.superseded
    client.force_login(make_curator())
    html = client.get("/admin/jurisdictions/lead/").content.decode()
    assert html.index("Florida changed its law.") < html.index("Naperville&#x27;s city council")
    # Newest claim first, whatever the loading order: the federal finding of 2026-10-10
    # (loaded first) before North Dakota's of 2026-09-03.
    assert html.index("DEA filed a new 7-OH") < html.index("At the September 2026 special")
    assert "probably superseded: older than the last verification on 2026-11-01" in html
    assert "Read the adopted Naperville ordinance" in html


def test_a_findings_secondary_source_is_never_offered_as_the_citation(seeded_db, client):
    lead = Lead.objects.get(jurisdiction__code="US-IL-NAPERVILLE", origin=Lead.Origin.REVIEW)
    client.force_login(make_curator())
    response = client.get(f"/admin/jurisdictions/lead/{lead.pk}/change/")
    html = response.content.decode()
    assert "What to check" in html and "Read the adopted Naperville ordinance" in html
    assert lead.source_url in html  # shown as where the claim came from
    assert response.context["confirm_form"].initial.get("citations") in (None, [])
