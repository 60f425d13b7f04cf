from django.core.management.base import BaseCommand

from jurisdictions.review_leads import review_leads_seed
from jurisdictions.seeding import seed_all
from tracker.measures.seeding import measures_seed
from tracker.monitoring.seeding import sources_seed


class Command(BaseCommand):
    # Lives in monitoring, which builds on jurisdictions, so the jurisdictions app never
    # imports monitoring: it seeds the places and statuses, this adds their sources.
    help = "Load the baseline jurisdictions, the curated reference data, the official sources and the pending measures (idempotent)."

    def handle(self, *args, **options):
        report = seed_all()
        review_leads_seed(report=report)
        sources_seed(report=report)
        measures_loaded = measures_seed(report=report)
        verbose = options["verbosity"] >= 2
        for title, items in [
            ("created", report.created),
            ("updated", report.updated),
            ("skipped", report.skipped),
            ("unchanged", report.unchanged),
        ]:
            self.stdout.write(f"{title}: {len(items)}")
            if verbose or title in {"updated", "skipped"}:
                for item in items:
                    self.stdout.write(f"  {item}")
        for line in measures_loaded:
            self.stdout.write(line)
        if not report.changed_anything:
            self.stdout.write(
                self.style.SUCCESS("Nothing to change: the seeds are already loaded.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Seeds loaded."))
