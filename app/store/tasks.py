"""Entry points for Zappa `events` (scheduled Lambda invocations); see docs/payments.md."""

from django.core.management import call_command


def reconcile_payments(event=None, context=None):
    # Zappa's handler has set Django up (django_settings) before calling an event function.
    call_command("reconcile_payments")
