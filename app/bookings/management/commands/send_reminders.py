"""E-mail members before their sessions (REMINDER_HOURS; every 5 minutes on a stage)."""

from typing import Any

from django.core.management.base import BaseCommand

from app.bookings import reminders


class Command(BaseCommand):
    help = "Send the session reminders that are due (each reservation and offset at most once)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders.send_reminders()
        self.stdout.write(f"{sent} reminder(s) sent.")
