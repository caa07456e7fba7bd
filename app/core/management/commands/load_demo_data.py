"""Demo data for a local run: an admin, a member, and whatever each domain adds.

Each domain may provide `app/<domain>/demo.py` with `load(admin, member, stdout)`; it must be
safe to run again (get_or_create), like this command.
"""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEMO_ADMIN = ("admin@example.com", "demo-admin-password")
DEMO_MEMBER = ("member@example.com", "demo-member-password")
DOMAINS = ["app.accounts", "app.bookings", "app.store", "app.retreats"]


def _ensure_user(email: str, password: str, **fields: Any) -> Any:
    # The user model through Django, not app.accounts: core sits below the domains and imports none.
    user, created = get_user_model().objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(password)
        user.save()
    return user


class Command(BaseCommand):
    help = "Load demo data for a local run and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Load even with DEBUG off (never on a real stage).")
        parser.add_argument("--port", type=int, default=8000, help="The port `make run` serves on (links).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["force"]):
            raise CommandError("Demo data has known passwords: it loads only with DEBUG=True (or --force).")
        admin = _ensure_user(
            DEMO_ADMIN[0],
            DEMO_ADMIN[1],
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
            is_active=True,
        )
        member = _ensure_user(DEMO_MEMBER[0], DEMO_MEMBER[1], first_name="Max", last_name="Member", is_active=True)
        for domain in DOMAINS:
            try:
                demo = import_module(f"{domain}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{domain}.demo":
                    raise
                continue
            demo.load(admin=admin, member=member, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"  admin:  {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}  (http://127.0.0.1:{options['port']}/admin/)")
        self.stdout.write(f"  member: {DEMO_MEMBER[0]} / {DEMO_MEMBER[1]}")
