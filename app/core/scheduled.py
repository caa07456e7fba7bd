"""Entry points of the stage's scheduled work (Zappa `events` in zappa_settings.json).

On a "Scheduled Event" Zappa's handler imports the function named by the rule and calls it as
`function(event, context)`; if that raises TypeError it calls it again with fewer arguments, so
each entry point takes `(event, context)` and catches its own errors (a failure is logged and
reported in the return value, never raised into a second run). Each runs a management command,
so the schedule does not depend on how a domain implements its work.
"""

import logging

from django.core.management import call_command
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def run_command(name: str) -> dict[str, object]:
    close_old_connections()  # a warm container may hold a connection the database has dropped
    try:
        call_command(name)
    except (Exception, SystemExit) as error:
        # The type only: a message could quote a connection string or a provider's answer.
        logger.error("Scheduled %s failed: %s", name, type(error).__name__)
        return {"command": name, "ok": False, "error": type(error).__name__}
    finally:
        close_old_connections()
    return {"command": name, "ok": True}


def reconcile_payments(event: object = None, context: object = None) -> dict[str, object]:
    """Every 15 minutes: settle pending payments from Paysafe's records (docs/payments.md)."""
    return run_command("reconcile_payments")


def verify_payments(event: object = None, context: object = None) -> dict[str, object]:
    """Every minute: look up again the payments being verified (outcome unknown at checkout)."""
    return run_command("verify_payments")


def clear_expired_tokens(event: object = None, context: object = None) -> dict[str, object]:
    """Daily: delete API tokens that have expired."""
    return run_command("clear_expired_tokens")


def process_waitlists(event: object = None, context: object = None) -> dict[str, object]:
    """Every 5 minutes: expire waiting-list offers and pass the seats on (docs/bookings.md)."""
    return run_command("process_waitlists")


def send_reminders(event: object = None, context: object = None) -> dict[str, object]:
    """Every 5 minutes: remind members of their coming sessions (REMINDER_HOURS, docs/bookings.md)."""
    return run_command("send_reminders")


def process_retreat_waitlists(event: object = None, context: object = None) -> dict[str, object]:
    """Every 5 minutes: expire retreat waiting-list offers, pass seats on (docs/retreats.md)."""
    return run_command("process_retreat_waitlists")


def send_retreat_messages(event: object = None, context: object = None) -> dict[str, object]:
    """Every 15 minutes: retreat reminders and follow-ups (RETREAT_REMINDER_DAYS, docs/retreats.md)."""
    return run_command("send_retreat_messages")
