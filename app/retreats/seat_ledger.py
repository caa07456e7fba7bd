"""What a retreat seat's order took for the seat and what it has given back since.

Read by cancellations, exchanges and staff refunds alike, so it sits below all three.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from app.retreats.models import RetreatExchange, RetreatReservation, RetreatStaffRefund

if TYPE_CHECKING:
    from app.store.models import OrderLine, OrderRefund


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
    return (
        Decimal(cancelled or 0)
        + Decimal(extra["total"] or 0)
        + refunded_by_exchanges(reservation)
        + refunded_from_the_order_page(reservation.order_line)
    )


def line_share(refund: OrderRefund, line: OrderLine) -> Decimal:
    """What `refund` gave back for `line`: all of it when it named only that line, else the line's share."""
    from app.store.services.partial_refunds import value

    if set(refund.lines) == {str(line.pk)}:
        return refund.amount
    order = line.order
    return min(value(order, list(order.lines.all()), {line.pk: line.quantity}), refund.amount)


def refunded_from_the_order_page(line: OrderLine) -> Decimal:
    """What staff's refunds from the order page gave back for the seat's line (the retreat's own
    refunds, keyed `retreat-...`, are counted above)."""
    from app.store.models import OrderRefund

    refunds = OrderRefund.objects.filter(order_id=line.order_id, lines__has_key=str(line.pk)).exclude(
        idempotency_key__startswith="retreat-"
    )
    return sum((line_share(refund, line) for refund in refunds), Decimal(0))
