"""What a retreat seat's order took for the seat and what it has given back since.

Read by cancellations, exchanges and staff refunds alike, so it sits below all three.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from app.retreats.models import RetreatExchange, RetreatReservation, RetreatStaffRefund


def refunded_by_exchanges(reservation: RetreatReservation) -> Decimal:
    """What exchanges to cheaper retreats gave back from the seat's order."""
    done = reservation.exchanges.filter(state=RetreatExchange.State.DONE, amount__lt=0)
    return -sum((exchange.amount for exchange in done), Decimal(0))


def paid_for_seat(reservation: RetreatReservation) -> Decimal:
    """What the seat's order took for the seat and the options bought with it in that order."""
    from app.store.services.partial_refunds import value

    assert reservation.order_line is not None
    order = reservation.order_line.order
    lines = list(order.lines.order_by("id"))
    mine: dict[int, int] = {reservation.order_line.pk: 1}
    for bought in reservation.option_purchases.filter(order_line__order=order).select_related("order_line"):
        mine[bought.order_line_id] = bought.order_line.quantity
    return value(order, lines, mine)


def refunded_for_seat(reservation: RetreatReservation) -> Decimal:
    """What the seat's order gave back for it: its cancellation, then staff's refunds done."""
    from app.store.models import OrderRefund

    assert reservation.order_line is not None
    cancelled = OrderRefund.objects.filter(
        order_id=reservation.order_line.order_id, idempotency_key=f"retreat-cancel-{reservation.pk}"
    ).aggregate(total=Sum("amount"))["total"]
    extra = reservation.staff_refunds.filter(state=RetreatStaffRefund.State.DONE).aggregate(total=Sum("amount"))
    return Decimal(cancelled or 0) + Decimal(extra["total"] or 0) + refunded_by_exchanges(reservation)
