"""Finish orders whose payment outcome was never recorded (a process died, Paysafe timed out).

Safe to run at any time and as often as wanted (e.g. every 15 minutes with Zappa `events`):
each order is completed at most once, and nothing is ever charged. Each order is handled on its
own; the command exits non-zero, naming them, when any order needs staff attention.
"""

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from app.store.services.reconciliation import reconcile


class Command(BaseCommand):
    help = "Complete or cancel pending orders from Paysafe's records (never charges)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=15,
            help="Leave younger pending orders alone: their checkout may still be running (default 15).",
        )
        parser.add_argument(
            "--late-days",
            type=int,
            default=3,
            help="How long to keep looking for a late payment of an order failed after a timeout (default 3).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reconcile(
            older_than=timedelta(minutes=options["older_than_minutes"]),
            late_window=timedelta(days=options["late_days"]),
        )
        summary = (
            "reconcile_payments: {completed} completed, {failed} failed (no payment), "
            "{waiting} waiting, {unreachable} not checked (Paysafe unreachable), "
            "{attention_count} need staff attention".format(**asdict(counts), attention_count=len(counts.attention))
        )
        self.stdout.write(summary)
        if counts.attention:
            # Non-zero exit (and a failed Lambda invocation when scheduled): someone must look.
            raise CommandError(
                f"Orders needing staff attention (admin: Orders, needs attention): {len(counts.attention)}: "
                + ", ".join(counts.attention)
            )
