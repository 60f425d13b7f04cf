"""Small builders for test data."""

import datetime
import hashlib

from django.contrib.auth import get_user_model

from jurisdictions.models import Jurisdiction, Level, Origin
from jurisdictions.services import curators_group_sync, status_record
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


def record_status(jurisdiction, status="regulated", *, user=None, **overrides):
    fields = {
        "summary": f"{status} for testing",
        "citations": [CITATION],
        "as_of": datetime.date(2026, 11, 1),
        "origin": Origin.CURATOR if user else Origin.SEED,
        "confirmed_by": user,
    }
    fields.update(overrides)
    return status_record(jurisdiction=jurisdiction, status=status, **fields)


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
