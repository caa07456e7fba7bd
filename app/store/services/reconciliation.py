"""Orders whose payment outcome was never recorded (a process died, the gateway answered late).

Safe to run at any time and concurrently with checkouts: it never charges, and completion is a
compare-and-set, so goods are granted at most once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from app.integrations.payments import AuthStatus, GatewayError, PaymentGateway, cents, get_gateway
from app.store.models import Order, OrderStatusChange
from app.store.services.fulfilment import complete_order, fail_order

logger = logging.getLogger(__name__)

SOURCE = OrderStatusChange.Source.RECONCILE


@dataclass
class ReconcileCounts:
    completed: int = 0
    failed: int = 0
    waiting: int = 0
    unreachable: int = 0


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
        if order.total == 0:
            counts.completed += complete_order(order, None, source=SOURCE)
            continue
        try:
            gateway = gateway or get_gateway()
            auths = gateway.find_auths(order.reference)
        except GatewayError:
            counts.unreachable += 1
            continue
        completed = [auth for auth in auths if auth.status == AuthStatus.COMPLETED]
        if completed and completed[0].amount_cents not in (None, cents(order.total)):
            logger.error("Order %s: the gateway's amount differs from the order's; left for a person", order.reference)
            counts.waiting += 1
        elif completed:
            counts.completed += complete_order(order, completed[0], source=SOURCE, allow_failed_uncertain=True)
        elif any(auth.status == AuthStatus.IN_PROGRESS for auth in auths):
            counts.waiting += 1
        elif order.status == Order.Status.PENDING:
            counts.failed += fail_order(order, "no-payment", "No payment was taken for this order.", source=SOURCE)
    return counts
