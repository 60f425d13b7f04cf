"""python manage.py webhooks add|list|ping|rotate-secret|enable|replay — thin shells over services."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.alerts import selectors, services
from tracker.alerts.models import SUBSCRIBABLE, Subscription


def _since(raw: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--since must be a date like 2026-11-01, not {raw!r}") from None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Command(BaseCommand):
    help = "Manage webhook subscriptions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="create a subscription; prints its id and secret once")
        add.add_argument("url")
        add.add_argument("--follow", action="append", required=True, metavar="CODE")
        add.add_argument("--events", action="append", choices=SUBSCRIBABLE, metavar="TYPE")
        add.add_argument("--description", default="")
        sub.add_parser("list", help="list subscriptions")
        for name, text in [
            ("ping", "send a test ping"),
            ("rotate-secret", "new secret; the old one stays valid 24 h"),
            ("enable", "enable again and say what it missed"),
        ]:
            sub.add_parser(name, help=text).add_argument("id", type=int)
        replay = sub.add_parser("replay", help="send again what it missed since a date")
        replay.add_argument("id", type=int)
        replay.add_argument("--since", required=True, type=_since, metavar="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        handler = getattr(self, "handle_" + action.replace("-", "_"))
        try:
            handler(**options)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

    def _subscription(self, subscription_id: int) -> Subscription:
        try:
            return Subscription.objects.get(pk=subscription_id)
        except Subscription.DoesNotExist:
            raise CommandError(f"No subscription {subscription_id}") from None

    def handle_add(self, *, url, follow, events, description, **_):
        created = services.subscription_create(
            url=url, follow_codes=follow, event_types=events, description=description
        )
        self.stdout.write(f"id: {created.pk}\nsecret: {created.secret}")
        self.stdout.write("The secret is shown once: store it now.")

    def handle_list(self, **_):
        for s in selectors.subscriptions_list():
            state = "enabled" if s.enabled else f"DISABLED ({s.disabled_reason})"
            follows = ",".join(j.code for j in s.follows.all())
            self.stdout.write(
                f"{s.pk}\t{s.url}\tfollows {follows}\t{','.join(s.event_types)}\t{state}\t"
                f"pending {s.pending_count}, failed {s.failed_count}"
            )

    def handle_ping(self, *, id, **_):
        delivery = services.subscription_ping(subscription=self._subscription(id))
        self.stdout.write(
            f"ping queued: delivery {delivery.pk}, webhook-id {delivery.event.webhook_id}"
        )

    def handle_rotate_secret(self, *, id, **_):
        secret = services.subscription_rotate_secret(subscription=self._subscription(id))
        self.stdout.write(f"secret: {secret}\nThe old secret also signs for 24 hours.")

    def handle_enable(self, *, id, **_):
        since = services.subscription_enable(subscription=self._subscription(id))
        self.stdout.write(f"subscription {id} enabled")
        if since:
            day = timezone.localdate(since).isoformat()
            self.stdout.write(
                f"It missed events since {since:%Y-%m-%d %H:%M %Z}; send them with:\n"
                f"  python manage.py webhooks replay {id} --since {day}"
            )

    def handle_replay(self, *, id, since, **_):
        count = services.subscription_replay(subscription=self._subscription(id), since=since)
        self.stdout.write(f"{count} deliveries queued")
