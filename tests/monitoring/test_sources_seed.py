"""The official sources in seeds/: additions, retirements, idempotence, curators' edits kept."""

import csv

import pytest
from django.core.management import call_command

from tracker.monitoring.models import Source
from tracker.monitoring.seeding import (
    ADDITIONS_CSV,
    RETIRE_CSV,
    SOURCES_CSV,
    read_rows,
    sources_seed,
)

pytestmark = pytest.mark.django_db

MARYLAND_STATUTE = (
    "https://mgaleg.maryland.gov/mgawebsite/Laws/StatuteText?article=ghg&section=21-2E-02"
    "&enactments=false"
)
RETIRED_DEA_DOCKET = "https://www.regulations.gov/docket/DEA-2016-0015"


def test_additions_load_as_kratom_specific_sources(seeded_db):
    source = Source.objects.get(jurisdiction__code="US-MD", url=MARYLAND_STATUTE)
    assert source.enabled and source.kratom_specific
    assert source.title.startswith("Md. Code Health-Gen. § 21-2E-02")
    addition_urls = {row["url"] for row in read_rows(ADDITIONS_CSV)}
    assert Source.objects.filter(url__in=addition_urls, kratom_specific=True).count() == len(
        addition_urls
    )


def test_retired_pages_are_disabled_with_their_reason(seeded_db):
    retired = {(row["code"], row["url"]) for row in read_rows(RETIRE_CSV)}
    sources = Source.objects.filter(url__in=[url for _, url in retired])
    assert len(sources) == len(retired) == 27
    assert all(not source.enabled and source.retired_reason for source in sources)
    docket = sources.get(url=RETIRED_DEA_DOCKET)
    assert docket.retired_reason.startswith("historical: 2016 DEA docket")


def test_a_second_seed_changes_nothing(seeded_db, capsys):
    call_command("seed")
    out = capsys.readouterr().out
    assert "created: 0" in out and "updated: 0" in out
    assert "Nothing to change" in out


def test_a_curators_edits_survive_a_reseed(seeded_db):
    retired = Source.objects.get(url=RETIRED_DEA_DOCKET)
    retired.enabled = True  # a curator wants it checked after all
    retired.save()
    maryland = Source.objects.get(url=MARYLAND_STATUTE)
    maryland.title = "Maryland KCPA, prohibited products"
    maryland.kratom_specific = False
    maryland.save()

    report = sources_seed()

    retired.refresh_from_db()
    maryland.refresh_from_db()
    assert retired.enabled
    assert maryland.title == "Maryland KCPA, prohibited products"
    assert not maryland.kratom_specific
    assert not report.changed_anything


def test_a_field_the_curator_left_alone_follows_the_seed(seeded_db, tmp_path):
    rows = read_rows(SOURCES_CSV)
    changed = next(row for row in rows if row["code"] == "US-TX")
    changed["title"] = "Texas Kratom Consumer Protection Act (renamed in the seed)"
    path = tmp_path / "official_sources.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    report = sources_seed(path=path)

    source = Source.objects.get(jurisdiction__code="US-TX", url=changed["url"])
    assert source.title == changed["title"]
    assert report.updated == [f"source US-TX {changed['url']} (title)"]


def test_kratom_specific_coverage_of_states_grows_with_the_additions(seeded_db):
    states_with = set(
        Source.objects.filter(
            enabled=True, kratom_specific=True, jurisdiction__parent__code="US"
        ).values_list("jurisdiction__code", flat=True)
    )
    assert {"US-MD", "US-NV", "US-WI", "US-NC", "US-MI", "US-PA", "US-VA"} <= states_with
