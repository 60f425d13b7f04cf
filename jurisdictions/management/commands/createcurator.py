"""createcurator USERNAME --email ADDRESS [--one-time-password] [--operator]: a staff user in
the Curators group (and the Operators group)."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jurisdictions.services.curators import curator_create


class Command(BaseCommand):
    help = "Create a curator: a staff user in the Curators group (password prompted)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--one-time-password",
            action="store_true",
            help="Generate a password, print it once, and require no prompt.",
        )
        parser.add_argument(
            "--operator",
            action="store_true",
            help="Also an operator: may manage API keys and webhook subscriptions.",
        )

    def handle(self, *args, username, email, one_time_password, operator, **options):
        password = None if one_time_password else self._password_prompt()
        try:
            user, password_used = curator_create(
                username=username, email=email, password=password, operator=operator
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        role = "Curator and operator" if operator else "Curator"
        self.stdout.write(f"{role} {user.get_username()} created.")
        if one_time_password:
            self.stdout.write(
                f"One-time password (shown only now; it must be changed at first login): {password_used}"
            )

    def _password_prompt(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("A password is required (or use --one-time-password).")
        return password
