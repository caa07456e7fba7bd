"""Look up again, every minute, the payments whose outcome was unknown at checkout ("being verified").

Never charges. A payment found completes its order (goods granted once); none found after
`--give-up-after-minutes` fails the order, and `reconcile_payments` still completes it should the
payment land later. Exits non-zero, naming them, when an order needs staff attention.
"""

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from app.store.services.reconciliation import verify_uncertain


class Command(BaseCommand):
    help = "Look up the payments being verified (outcome unknown at checkout); never charges."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--give-up-after-minutes",
            type=int,
            default=5,
            help="Fail an order whose payment is still not found after this long (default 5).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = verify_uncertain(give_up_after=timedelta(minutes=options["give_up_after_minutes"]))
        summary = "verify_payments: {completed} completed, {failed} failed (no payment), {waiting} waiting, "
        summary += "{unreachable} not checked (Paysafe unreachable), {attention_count} need staff attention"
        self.stdout.write(summary.format(**asdict(counts), attention_count=len(counts.attention)))
        if counts.attention:
            raise CommandError("Orders need staff attention: " + ", ".join(counts.attention))
