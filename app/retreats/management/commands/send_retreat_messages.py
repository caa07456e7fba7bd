"""E-mail retreat participants: the reminder before, the follow-up after (every 15 minutes on a stage)."""

from typing import Any

from django.core.management.base import BaseCommand

from app.retreats import messages


class Command(BaseCommand):
    help = "Send the retreat reminders and follow-ups that are due (each seat and kind at most once)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = messages.send_due()
        self.stdout.write(f"{sent} retreat message(s) sent.")
