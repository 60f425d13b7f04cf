"""Product rules: the headline derivation, the database's constraints, change words."""

import pytest
from django.db import IntegrityError, transaction

from jurisdictions.models import Category, Rule, Scope, Status, StatusVersion
from jurisdictions.rules import (
    ProductRule,
    headline_status,
    rule_columns,
    rules_changes,
    seven_oh_text,
    unknown_rules,
)
from tests.factories import make_jurisdiction, record_status, rules_for

A, R, B, U = Rule.ALLOWED, Rule.REGULATED, Rule.BANNED, Rule.UNKNOWN


def _rules(leaf, extract, seven_oh, synthetic=U) -> dict:
    answers = dict(zip(Category.values, (leaf, extract, seven_oh, synthetic), strict=True))
    return {
        category: ProductRule(category, rule, Scope.SALE if rule == B else "")
        for category, rule in answers.items()
    }


@pytest.mark.parametrize(
    ("leaf", "extract", "seven_oh", "synthetic", "expected"),
    [
        # The leaf unknown: a known ban or rule still shows (Ohio, California); unverified
        # only when nothing among leaf, extracts and 7-OH is known banned or regulated.
        (U, U, U, U, Status.UNVERIFIED),
        (U, B, B, B, Status.RESTRICTED),  # Ohio: extracts and 7-OH scheduled, leaf unknown
        (U, U, B, U, Status.RESTRICTED),  # California: 7-OH sale ban, leaf unknown
        (U, B, U, U, Status.RESTRICTED),
        (U, R, A, U, Status.REGULATED),
        (U, U, R, B, Status.REGULATED),
        (U, A, A, A, Status.UNVERIFIED),
        (U, U, U, B, Status.UNVERIFIED),  # synthetic alkaloids alone never move it
        # The leaf banned: banned.
        (B, B, B, B, Status.BANNED),
        (B, U, U, U, Status.BANNED),
        (B, A, A, A, Status.BANNED),
        # The leaf not banned, extracts or 7-OH banned: restricted.
        (R, R, B, U, Status.RESTRICTED),  # Florida, Texas: 7-OH above a cap
        (A, B, B, B, Status.RESTRICTED),  # Ohio's processed products, were the leaf allowed
        (R, B, R, U, Status.RESTRICTED),
        (A, A, B, A, Status.RESTRICTED),
        # Nothing banned, something regulated: regulated.
        (R, R, R, U, Status.REGULATED),
        (R, U, U, U, Status.REGULATED),
        (A, R, A, A, Status.REGULATED),
        (A, A, R, A, Status.REGULATED),
        # Leaf, extracts and 7-OH allowed: legal.
        (A, A, A, A, Status.LEGAL),
        (A, A, A, U, Status.LEGAL),
        # Synthetic alkaloids never move the headline.
        (A, A, A, B, Status.LEGAL),
        (R, R, R, B, Status.REGULATED),
        # The leaf allowed and the rest unknown: legal (the unknowns stay visible).
        (A, U, U, U, Status.LEGAL),
    ],
)
def test_the_headline_is_derived_from_the_rules(leaf, extract, seven_oh, synthetic, expected):
    assert headline_status(_rules(leaf, extract, seven_oh, synthetic)) == expected


def test_no_version_is_unverified():
    assert headline_status(None) == Status.UNVERIFIED
    assert headline_status(unknown_rules()) == Status.UNVERIFIED


def test_the_7oh_text_of_api_v1_is_derived_from_the_7oh_rule():
    rule = ProductRule(Category.SEVEN_OH, B, Scope.POSSESSION, limit="above 1 mg/g")
    assert seven_oh_text(rule) == "Banned (possession): above 1 mg/g"
    assert seven_oh_text(ProductRule(Category.SEVEN_OH)) == ""


def test_changes_are_said_in_words():
    before = rules_for("regulated", min_age=18)
    after = rules_for(
        "regulated",
        min_age=21,
        seven_oh=ProductRule(Category.SEVEN_OH, B, Scope.POSSESSION),
    )
    assert rules_changes(before, after) == [
        "Leaf: minimum age 18 → 21",
        "Extracts: minimum age 18 → 21",
        "7-OH products: regulated → banned (possession)",
        "7-OH products: minimum age 18 → none",
    ]
    assert rules_changes(None, after) == []
    assert rules_changes(after, after) == []


@pytest.mark.django_db
def test_a_version_derives_its_status_age_and_7oh_text_from_its_rules():
    florida = make_jurisdiction("US-FL")
    rules = rules_for(
        "regulated",
        min_age=21,
        seven_oh=ProductRule(Category.SEVEN_OH, B, Scope.POSSESSION, limit="above 1 mg/g"),
    )
    version = record_status(florida, rules=rules)
    assert (version.status, version.min_age) == (Status.RESTRICTED, 21)
    assert version.seven_oh_rule == "Banned (possession): above 1 mg/g"
    assert StatusVersion.objects.get(pk=version.pk).rules == rules


def _insert_version(jurisdiction, **columns):
    base = record_status(jurisdiction, "legal")
    fields = {
        f.attname: getattr(base, f.attname)
        for f in StatusVersion._meta.concrete_fields
        if f.attname != "id"
    }
    StatusVersion.objects.bulk_create([StatusVersion(**{**fields, **columns})])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("columns", "constraint"),
    [
        ({"rule_leaf": A, "scope_leaf": Scope.SALE}, "scope_leaf_only_banned"),
        ({"rule_7oh": R, "scope_7oh": Scope.POSSESSION}, "scope_7oh_only_banned"),
        ({"rule_extract": B, "scope_extract": ""}, "scope_extract_only_banned"),
        ({"rule_synthetic": "forbidden"}, "rule_synthetic_valid"),
        ({"min_age_leaf": 5}, "min_age_leaf_sane"),
        ({"min_age_7oh": 99}, "min_age_7oh_sane"),
    ],
)
def test_the_database_rejects_impossible_rules(columns, constraint):
    texas = make_jurisdiction("US-TX")
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        _insert_version(texas, **columns)


@pytest.mark.django_db
def test_a_scope_on_an_allowed_rule_never_reaches_the_database_through_the_service():
    texas = make_jurisdiction("US-TX")
    rules = rules_for("legal")
    rules[Category.LEAF] = ProductRule(Category.LEAF, A, Scope.SALE)
    # rule_columns drops a scope that is not on a ban; the constraint is the last line.
    assert rule_columns(rules)["scope_leaf"] == ""
    version = record_status(texas, rules=rules)
    assert version.scope_leaf == ""


@pytest.mark.django_db
def test_the_migration_derives_stored_headlines_again_and_keeps_typed_ones():
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("jurisdictions.migrations.0010_headline_rederived")
    ohio, old = make_jurisdiction("US-OH"), make_jurisdiction("US-KY")
    # As the old derivation stored them: Ohio's known bans hidden behind its unknown leaf,
    # and a version typed before the rules existed (all four unknown).
    _insert_version(ohio, status=Status.UNVERIFIED, **rule_columns(_rules(U, B, B, B)))
    _insert_version(old, status=Status.REGULATED, **rule_columns(unknown_rules()))
    with connection.schema_editor() as editor:
        migration.headlines_rederive(apps, editor)
    assert StatusVersion.objects.filter(jurisdiction=ohio).latest("id").status == (
        Status.RESTRICTED
    )
    assert StatusVersion.objects.filter(jurisdiction=old).latest("id").status == Status.REGULATED
    # The append-only trigger is back on.
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StatusVersion.objects.filter(jurisdiction=ohio).update(summary="rewritten")
