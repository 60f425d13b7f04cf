"""`manage.py apikeys create|list|revoke`: a thin shell over tracker.apikeys.services."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker.apikeys import services
from tracker.apikeys.models import ApiKey


class Command(BaseCommand):
    help = "Create, list or revoke API keys for integrators."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key; it is printed once.")
        create.add_argument("name")
        create.add_argument("--contact", required=True, help="The holder's email address")
        create.add_argument("--by", help="Username of the operator making it (recorded)")
        create.add_argument(
            "--daily-quota", type=int, help="Requests (batch items) a day; default: no quota"
        )
        sub.add_parser("list", help="Every key with its prefix and state.")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix (kt_…).")
        revoke.add_argument("prefix")
        revoke.add_argument("--by", required=True, help="Username of the operator revoking it")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _user(self, username):
        if username is None:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def _create(self, name, contact, by, daily_quota, **_):
        try:
            created = services.apikey_create(
                actor=self._user(by), name=name, contact=contact, daily_quota=daily_quota
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"API key for {created.key.name} (shown once, store it now):")
        self.stdout.write(created.plain)

    def _list(self, **_):
        for key in ApiKey.objects.order_by("created_at"):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked else "active"
            self.stdout.write(f"{key.prefix}…  {state:18}  {key.name} <{key.contact}>")

    def _revoke(self, prefix, by, **_):
        key = ApiKey.objects.filter(prefix=prefix.rstrip("…")).first()
        if key is None:
            raise CommandError(f"No API key starts with {prefix!r}.")
        if services.apikey_revoke(actor=self._user(by), key_id=key.pk):
            self.stdout.write(f"Revoked {key}.")
        else:
            self.stdout.write(f"{key} was already revoked.")
