"""Orders whose payment outcome was never recorded (a process died, the gateway answered late).

Safe to run at any time and concurrently with checkouts: it never charges, and completion is a
compare-and-set, so goods are granted at most once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from app.integrations.payments import AuthStatus, GatewayError, PaymentGateway, cents, get_gateway
from app.store.models import Order, OrderStatusChange
from app.store.services.fulfilment import (
    Completion,
    complete_or_flag,
    complete_order,
    fail_order,
    flag_for_attention,
)

logger = logging.getLogger(__name__)

SOURCE = OrderStatusChange.Source.RECONCILE


@dataclass
class ReconcileCounts:
    completed: int = 0
    failed: int = 0
    waiting: int = 0
    unreachable: int = 0
    attention: list[str] = field(default_factory=list)  # references of orders staff must look at


def reconcile(
    *,
    older_than: timedelta = timedelta(minutes=15),
    late_window: timedelta = timedelta(days=3),
    gateway: PaymentGateway | None = None,
) -> ReconcileCounts:
    """Complete or cancel orders whose payment outcome was never recorded.

    - pending orders older than `older_than` (younger ones may still be in a checkout): a
      completed authorisation for the reference completes them (goods granted once); none, or only
      failed ones, marks them failed (nothing was charged); one still in progress waits;
    - orders failed after an unknown outcome in the last `late_window`: a payment that landed
      late completes them, so a member is never charged without getting the goods.
    """
    counts = ReconcileCounts()
    now = timezone.now()
    pending = list(Order.objects.filter(status=Order.Status.PENDING, created__lte=now - older_than))
    late = list(
        Order.objects.filter(status=Order.Status.FAILED, outcome_uncertain=True, created__gte=now - late_window)
    )
    for order in pending + late:
        try:
            gateway = _reconcile_one(order, gateway, counts)
        except Exception as error:  # one bad order never stops the others
            logger.exception("Order %s could not be reconciled", order.reference)
            flag_for_attention(order, f"reconcile_payments could not settle it ({type(error).__name__}).")
            counts.attention.append(order.reference)
    return counts


def verify_uncertain(
    *, give_up_after: timedelta = timedelta(minutes=5), gateway: PaymentGateway | None = None
) -> ReconcileCounts:
    """Orders whose payment is being verified (pending, outcome unknown at checkout): look each up
    again (run every minute by `verify_payments`). A payment found completes the order; none found
    after `give_up_after` fails it, still `outcome_uncertain`, so that `reconcile` completes it if
    the payment lands later; until then it stays "being verified"."""
    counts = ReconcileCounts()
    cutoff = timezone.now() - give_up_after
    for order in Order.objects.filter(status=Order.Status.PENDING, outcome_uncertain=True).order_by("created"):
        try:
            gateway = _reconcile_one(order, gateway, counts, give_up=order.created <= cutoff)
        except Exception as error:  # one bad order never stops the others
            logger.exception("Order %s could not be verified", order.reference)
            flag_for_attention(order, f"verify_payments could not settle it ({type(error).__name__}).")
            counts.attention.append(order.reference)
    return counts


def _reconcile_one(
    order: Order, gateway: PaymentGateway | None, counts: ReconcileCounts, *, give_up: bool = True
) -> PaymentGateway | None:
    """Settle one order from the gateway's record; returns the gateway for the next order.
    With nothing found, a pending order fails only if `give_up` (else it waits)."""
    if order.total == 0:
        counts.completed += complete_order(order, None, source=SOURCE)
        return gateway
    try:
        gateway = gateway or get_gateway()
        auths = gateway.find_auths(order.reference)
    except GatewayError:
        counts.unreachable += 1
        return gateway
    completed = [auth for auth in auths if auth.status == AuthStatus.COMPLETED]
    if completed and completed[0].amount_cents not in (None, cents(order.total)):
        flag_for_attention(order, "The payment's amount differs from the order's total.", completed[0])
        counts.attention.append(order.reference)
    elif completed:
        completion = complete_or_flag(order, completed[0], source=SOURCE, allow_failed_uncertain=True)
        if completion == Completion.COMPLETED:
            counts.completed += 1
        elif completion == Completion.NEEDS_ATTENTION:
            counts.attention.append(order.reference)
    elif any(auth.status == AuthStatus.IN_PROGRESS for auth in auths):
        counts.waiting += 1
    elif order.status == Order.Status.PENDING and not give_up:
        counts.waiting += 1
    elif order.status == Order.Status.PENDING:
        uncertain = order.outcome_uncertain  # a late payment may still complete it (see `reconcile`)
        message = "No payment was taken for this order."
        counts.failed += fail_order(order, "no-payment", message, source=SOURCE, uncertain=uncertain)
    return gateway
