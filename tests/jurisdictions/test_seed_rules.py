"""The product rules of the reference data, as seeded, and the per-product ZIP answer."""

import csv
from collections import Counter

import pytest
from django.core.management import call_command

from jurisdictions import selectors
from jurisdictions.models import Category, Jurisdiction, Lead, Level, Rule, Scope, Status
from jurisdictions.rules import ProductRule
from jurisdictions.seeding import RULES_CSV
from tests.factories import make_jurisdiction, record_status, rules_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed", stdout=None)


def test_florida_is_restricted_with_7oh_banned_for_possession_above_its_threshold(seeded):
    florida = Jurisdiction.objects.with_status().get(code="US-FL")
    assert florida.status == Status.RESTRICTED
    rules = florida.current_status.rules
    assert rules[Category.LEAF] == ProductRule(Category.LEAF, Rule.REGULATED, min_age=21)
    seven_oh = rules[Category.SEVEN_OH]
    assert (seven_oh.rule, seven_oh.scope) == (Rule.BANNED, Scope.POSSESSION)
    assert seven_oh.limit.startswith("Schedule I above 1 mg/g (solid)")
    # Florida's extract rule is an interpretation (low): unknown, and a lead for curators.
    assert rules[Category.EXTRACT].rule == Rule.UNKNOWN
    lead = Lead.objects.get(jurisdiction=florida, origin=Lead.Origin.SEED)
    assert lead.reported_status == ""  # the status itself is a fact
    [suggestion] = lead.rule_suggestions
    assert (suggestion["category"], suggestion["rule"]) == ("extract", "regulated")
    assert "emergency rule 2ER26-1" in suggestion["basis"]


def test_texas_and_ohio_answer_per_product(seeded):
    texas = Jurisdiction.objects.with_status().get(code="US-TX")
    # Texas caps 7-OH: a rule on what may be sold, not a ban of the category.
    assert texas.status == Status.REGULATED
    assert texas.current_status.rules[Category.SEVEN_OH] == ProductRule(
        Category.SEVEN_OH, Rule.REGULATED, min_age=18, limit="7-OH cap: 2% of alkaloid fraction"
    )
    ohio = Jurisdiction.objects.with_status().get(code="US-OH")
    # Ohio's "natural leaf legal" is an interpretation: the leaf is unknown, yet its
    # processed-product ban is a fact, and the headline shows it.
    assert ohio.current_status.rules[Category.LEAF].rule == Rule.UNKNOWN
    assert ohio.current_status.rules[Category.EXTRACT].rule == Rule.BANNED
    assert ohio.status == Status.RESTRICTED
    california = Jurisdiction.objects.with_status().get(code="US-CA")
    assert california.current_status.rules[Category.SEVEN_OH].rule == Rule.BANNED
    assert california.status == Status.RESTRICTED


def test_every_seeded_cap_is_a_rule_and_every_threshold_ban_states_its_threshold(seeded):
    for jurisdiction in Jurisdiction.objects.with_status().exclude(current_status=None):
        for rule in jurisdiction.current_status.rules.values():
            if rule.limit.startswith("7-OH cap"):
                assert rule.rule == Rule.REGULATED, (jurisdiction.code, rule)
            if rule.rule == Rule.BANNED and rule.limit not in ("", "unknown"):
                assert " above " in f" {rule.limit}", (jurisdiction.code, rule)


def test_every_high_or_medium_rule_is_a_fact_and_every_low_one_a_lead(seeded):
    with RULES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    versions = {j.code: j.current_status for j in Jurisdiction.objects.with_status()}
    suggested = Counter(
        (lead.jurisdiction.code, s["category"])
        for lead in Lead.objects.filter(origin=Lead.Origin.SEED).select_related("jurisdiction")
        for s in lead.rule_suggestions
    )
    for row in rows:
        version = versions[row["code"]]
        stored = version.rules[row["category"]].rule if version else Rule.UNKNOWN
        if row["confidence"] == "low":
            assert stored == Rule.UNKNOWN, row
            assert suggested[(row["code"], row["category"])] == (row["rule"] != "unknown"), row
        elif version is not None:
            assert stored == row["rule"], row


def test_seeding_the_rules_twice_changes_nothing(seeded):
    before = list(Jurisdiction.objects.values_list("code", "current_status_id"))
    leads = list(Lead.objects.values_list("id", "rule_suggestions"))
    call_command("seed", stdout=None)
    assert list(Jurisdiction.objects.values_list("code", "current_status_id")) == before
    assert list(Lead.objects.values_list("id", "rule_suggestions")) == leads


def test_seattle_synthetic_alkaloids_are_banned_by_the_federal_level(seeded):
    answer = selectors.zip_lookup(zip_code="98101")
    synthetic = answer.rules[Category.SYNTHETIC]
    assert (synthetic.rule.rule, synthetic.rule.scope) == (Rule.BANNED, Scope.POSSESSION)
    assert synthetic.by.code == "US"
    leaf = answer.rules[Category.LEAF]
    assert (leaf.rule.rule, leaf.by.code) == (Rule.ALLOWED, "US-WA")


def test_a_county_ban_over_a_regulated_state_decides_the_leaf(client):
    us = make_jurisdiction("US", name="United States (federal)")
    florida = make_jurisdiction("US-FL", name="Florida", parent=us)
    record_status(florida, "regulated", min_age=21)
    sarasota = make_jurisdiction(
        "US-FL-SARASOTA-COUNTY", name="Sarasota County", level=Level.COUNTY, parent=florida
    )
    record_status(sarasota, "banned")
    answer = client.get("/api/v1/lookup", {"zip": "34236"}).json()
    leaf = answer["rules"]["leaf"]
    assert (leaf["rule"], leaf["scope"]) == ("banned", "possession")
    assert leaf["decided_by"]["code"] == "US-FL-SARASOTA-COUNTY"
    extract = answer["rules"]["extract"]
    assert (extract["rule"], extract["decided_by"]["code"]) == ("regulated", "US-FL")
    assert answer["min_age"] == 21  # the highest age any level sets
    html = client.get("/lookup", {"zip": "34236"}).content.decode()
    assert 'data-category="leaf"><th scope="row">Leaf</th>' in html
    assert "Minimum age that applies here: <strong>21</strong>" in html


def test_the_highest_minimum_age_applies_in_the_zip_answer():
    florida = make_jurisdiction("US-FL", name="Florida")
    record_status(florida, rules=rules_for("regulated", min_age=18))
    sarasota = make_jurisdiction(
        "US-FL-SARASOTA-COUNTY", name="Sarasota County", level=Level.COUNTY, parent=florida
    )
    record_status(sarasota, rules=rules_for("regulated", min_age=21))
    answer = selectors.zip_lookup(zip_code="34236")
    assert answer.min_age == 21
    assert answer.rules[Category.LEAF].rule.min_age == 21


def test_the_api_answers_which_states_ban_7oh_products(seeded, client):
    body = client.get(
        "/api/v1/jurisdictions", {"level": "state", "category": "7oh", "rule": "banned"}
    ).json()
    codes = {row["code"] for row in body["results"]}
    assert {"US-FL", "US-OH", "US-AL", "US-CA"} <= codes
    # allowed; regulated; a 7-OH cap is a rule, not a ban
    assert not {"US-WA", "US-GA", "US-TX", "US-KY"} & codes
    florida = next(row for row in body["results"] if row["code"] == "US-FL")
    assert florida["rules"]["7oh"]["scope"] == "possession"
    # API v1 keeps its headline and its 7-OH text, now derived from the rules.
    detail = client.get("/api/v1/jurisdictions/US-FL").json()
    assert detail["status"] == "restricted"
    assert detail["current"]["seven_oh_rule"].startswith("Banned (possession): Schedule I above")
    assert detail["current"]["rules"]["leaf"]["min_age"] == 21
    history = client.get("/api/v1/jurisdictions/US-FL/history").json()
    assert history["versions"][0]["rules"]["7oh"]["rule"] == "banned"
    export = client.get("/api/v1/export.csv").content.decode().splitlines()
    header = export[0].split(",")
    assert header[7:11] == ["leaf_rule", "leaf_scope", "leaf_min_age", "leaf_limit"]
    assert "7oh_rule" in header and "synthetic_limit" in header
