"""Small builders for test data."""

import datetime
import hashlib

from django.contrib.auth import get_user_model

from jurisdictions.models import Category, Jurisdiction, Level, Origin, Rule, Scope
from jurisdictions.rules import ProductRule, unknown_rules
from jurisdictions.services.curators import curators_group_sync
from jurisdictions.services.statuses import status_record
from tracker.monitoring.models import ChangeProposal, Relevance, Snapshot, Source

CITATION = {
    "title": "Test statute",
    "url": "https://law.example.gov/kratom",
    "text": "Test Code 1-2-3",
}


def make_jurisdiction(code: str, *, name: str | None = None, level=None, parent=None):
    if level is None:
        level = Level.COUNTRY if "-" not in code else Level.STATE
    if parent is None and level != Level.COUNTRY:
        parent = Jurisdiction.objects.get_or_create(
            code=code.split("-")[0], defaults={"name": code.split("-")[0], "level": Level.COUNTRY}
        )[0]
    return Jurisdiction.objects.create(code=code, name=name or code, level=level, parent=parent)


def make_user(username: str = "someone", **extra):
    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", **extra
    )


def rules_for(status: str, *, min_age: int | None = None, **changed: ProductRule) -> dict:
    """Product rules whose derived headline is `status` (a test's shorthand), then `changed`.

    banned: the leaf banned (possession); restricted: the leaf regulated, 7-OH banned (sale);
    regulated: leaf, extracts and 7-OH regulated; legal: all four allowed; unverified: unknown.
    """
    rules = unknown_rules()
    if status == "banned":
        rules[Category.LEAF] = ProductRule(Category.LEAF, Rule.BANNED, Scope.POSSESSION)
    elif status == "restricted":
        rules[Category.LEAF] = ProductRule(Category.LEAF, Rule.REGULATED, min_age=min_age)
        rules[Category.SEVEN_OH] = ProductRule(Category.SEVEN_OH, Rule.BANNED, Scope.SALE)
    elif status == "regulated":
        for category in (Category.LEAF, Category.EXTRACT, Category.SEVEN_OH):
            rules[category] = ProductRule(category, Rule.REGULATED, min_age=min_age)
    elif status == "legal":
        rules = {c.value: ProductRule(c.value, Rule.ALLOWED) for c in Category}
    rules.update({category.replace("seven_oh", "7oh"): rule for category, rule in changed.items()})
    return rules


def rules_post(status: str, **kwargs) -> dict:
    """The admin rule grid's POST data for rules_for(status, ...)."""
    data = {}
    for category, rule in rules_for(status, **kwargs).items():
        data.update(
            {
                f"rule_{category}": rule.rule,
                f"scope_{category}": rule.scope,
                f"min_age_{category}": "" if rule.min_age is None else str(rule.min_age),
                f"limit_{category}": rule.limit,
            }
        )
    return data


def record_status(jurisdiction, status="regulated", *, user=None, min_age=None, **overrides):
    """A version whose rules derive `status` (see rules_for), or exactly `rules=`."""
    fields = {
        "rules": rules_for(status, min_age=min_age),
        "summary": f"{status} for testing",
        "citations": [CITATION],
        "as_of": datetime.date(2026, 11, 1),
        "origin": Origin.CURATOR if user else Origin.SEED,
        "confirmed_by": user,
    }
    fields.update(overrides)
    return status_record(jurisdiction=jurisdiction, **fields)


def make_curator(username: str = "curator", **extra):
    user = make_user(username, is_staff=True, email=f"{username}@example.org", **extra)
    # Synced, not fetched: a transactional test's flush removes the migration's group.
    user.groups.add(curators_group_sync())
    return user


def make_proposal(
    jurisdiction,
    *,
    old_text="Old text.",
    new_text="New text about kratom.",
    url="https://law.example.gov/kratom",
    title="Test statute page",
    score=5,
):
    """A pending change proposal on a source of `jurisdiction`, with its two snapshots."""
    source, _ = Source.objects.get_or_create(
        jurisdiction=jurisdiction, url=url, defaults={"title": title}
    )
    old, new = (
        Snapshot.objects.get_or_create(
            source=source,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            defaults={"text": text},
        )[0]
        for text in (old_text, new_text)
    )
    return ChangeProposal.objects.create(
        source=source,
        old_snapshot=old,
        new_snapshot=new,
        diff=f"-{old_text}\n+{new_text}",
        relevance_score=score,
        relevance=Relevance.HIGH if score >= 3 else Relevance.LOW,
    )


def citations_post(*citations: dict, prefix: str = "citations") -> dict:
    """The admin citation editor's POST data for these citations (url, text, title)."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(citations)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, citation in enumerate(citations):
        for key in ("url", "text", "title"):
            data[f"{prefix}-{index}-{key}"] = citation.get(key, "")
    return data
