from django.core.management.base import BaseCommand, CommandError

from tracker.measures.providers import PROVIDERS
from tracker.measures.selectors import providers_overview
from tracker.measures.sync import provider_run


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "never"


class Command(BaseCommand):
    help = "Measures from the legislation and rulemaking providers: `sync` runs them now, `status` shows each."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        sync = commands.add_parser("sync", help="run the providers that are on (or one) now")
        sync.add_argument("--provider", choices=sorted(PROVIDERS))
        sync.add_argument("--jurisdiction", help="only this place, e.g. US-TX (or US: federal)")
        commands.add_parser("status", help="each provider: on or off, last run, budget")

    def handle(self, *args, **options):
        if options["command"] == "status":
            return self._status()
        providers = [options["provider"]] if options["provider"] else list(PROVIDERS)
        for code in providers:
            self._sync(code, options["jurisdiction"])

    def _sync(self, code: str, jurisdiction: str | None) -> None:
        if not PROVIDERS[code].enabled():
            self.stdout.write(f"{code}: off (no key or URL set)")
            return
        self.stdout.write(f"{code}: running…")
        run = provider_run(
            provider=code,
            jurisdiction=jurisdiction,
            progress=lambda text: self.stdout.write(f"  {text}"),
        )
        if run is None:
            raise CommandError(f"{code}: another run holds the provider; try again later")
        requests = run.requests.count()
        self.stdout.write(
            f"{code}: {run.get_outcome_display().lower()} — {requests} request(s), "
            f"{run.measures_created} new, {run.measures_updated} updated, "
            f"{run.actions_created} new action(s){f': {run.error}' if run.error else ''}"
        )

    def _status(self) -> None:
        for o in providers_overview():
            budget = (
                f"{o.requests_today}/{o.daily_budget}"
                if o.daily_budget
                else f"{o.requests_today}/-"
            )
            paused = f", paused until {_when(o.paused_until)}" if o.paused_until else ""
            self.stdout.write(
                f"{o.code}: {'on' if o.enabled else 'off'}; last run {_when(o.last_run_at)}, "
                f"last success {_when(o.last_success_at)}; requests today {budget}{paused}"
                + (f"; last error: {o.last_error[:200]}" if o.last_error else "")
            )
