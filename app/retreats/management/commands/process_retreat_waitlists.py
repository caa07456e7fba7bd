"""Expire retreat waiting-list offers and pass them on; offer any free seat (every 5 minutes on a stage)."""

from typing import Any

from django.core.management.base import BaseCommand

from app.retreats import waitlist


class Command(BaseCommand):
    help = "Expire retreat waiting-list offers, pass them on, and offer free seats to the first members waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        offered = waitlist.process_waitlists()
        self.stdout.write(f"{offered} offer(s) made.")
