"""Expire retreat waiting-list offers and pass them on; offer any free seat; refund the options exchanges
still owe (every 5 minutes on a stage)."""

from typing import Any

from django.core.management.base import BaseCommand

from app.retreats import exchange_options, waitlist


class Command(BaseCommand):
    help = (
        "Expire retreat waiting-list offers, pass them on, offer free seats to the first members waiting, "
        "and refund the options exchanges still owe."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        offered = waitlist.process_waitlists()
        self.stdout.write(f"{offered} offer(s) made.")
        settled = exchange_options.settle_owed()
        self.stdout.write(f"{settled} exchange(s) had their options refunded.")
