from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.monitoring import services
from tracker.monitoring.models import Outcome, Source

SUMMARY = [
    ("first text", {Outcome.BASELINE}),  # a source's first check: nothing to compare with
    ("not modified", {Outcome.NOT_MODIFIED}),
    ("unchanged", {Outcome.UNCHANGED}),
    ("back to a recent text", {Outcome.REVERTED}),
    ("awaiting confirmation", {Outcome.UNCONFIRMED}),
    ("changed", {Outcome.CHANGED}),
    ("failed", {Outcome.FAILED}),
]


class Command(BaseCommand):
    help = (
        "Check official sources now: all enabled ones, those of the jurisdictions named, or "
        "--source ids. Queues the checks for the workers, or with --sync runs them here."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="jurisdiction codes, e.g. US US-TX")
        parser.add_argument("--source", type=int, action="append", default=[], help="source id")
        parser.add_argument("--sync", action="store_true", help="check here, not on the workers")

    def handle(self, *args, codes, source, sync, **options):
        sources = Source.objects.filter(enabled=True) if not source else Source.objects.all()
        if codes:
            sources = sources.filter(jurisdiction__code__in=[c.upper() for c in codes])
        if source:
            sources = sources.filter(pk__in=source)
        ids = list(sources.order_by("pk").values_list("pk", flat=True))
        missing = set(source) - set(ids)
        if missing:
            raise CommandError(f"no source with id {', '.join(map(str, sorted(missing)))}")
        if not ids:
            raise CommandError("no source matches")
        if not sync:
            with transaction.atomic():
                services.sources_enqueue(source_ids=ids)
            self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} check(s)."))
            return
        self._check_here(ids)

    def _check_here(self, ids: list[int]) -> None:
        outcomes, skipped = [], 0
        for position, source_id in enumerate(ids, start=1):
            result = services.source_check(source_id=source_id)
            outcomes.append(result.outcome)
            skipped += result.outcome is None
            self._progress(position, len(ids))
        self.stdout.write("")
        parts = [f"checked {len(ids) - skipped}"]
        parts += [f"{label} {sum(o in group for o in outcomes)}" for label, group in SUMMARY]
        if skipped:
            parts.append(f"skipped {skipped} (busy)")
        self.stdout.write(self.style.SUCCESS(", ".join(parts)))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
