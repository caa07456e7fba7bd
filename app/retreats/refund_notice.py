"""The cancellation e-mail when staff refund a seat's order line from the order page.

The store frees the seat (`store_hooks.free`) inside the refund's transaction, after recording the
refund as done; the member then gets the same e-mail as a cancellation through the API, with the
amount that went back for that line. A cancellation through the API (`services.cancel`, its refunds
keyed `retreat-cancel-...`) sends its own e-mail, with the options' share too: not a second one here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F

from app.retreats.models import RetreatReservation
from app.retreats.seat_ledger import line_share

if TYPE_CHECKING:
    from app.store.models import OrderLine

CANCEL_KEY_PREFIX = "retreat-cancel-"  # app/retreats/services.py `refund_plan`


def line_refunded(line: OrderLine) -> Decimal | None:
    """What the latest refund naming `line` gave back for it; None when it was the API's cancellation."""
    from app.store.models import OrderRefund

    refund = OrderRefund.objects.filter(order_id=line.order_id, lines__has_key=str(line.pk)).order_by("-number").first()
    if refund is None or refund.idempotency_key.startswith(CANCEL_KEY_PREFIX):
        return None
    return line_share(refund, line)  # all of it, or its share of a larger refund


def tell_refunded(line: OrderLine) -> None:
    """Record what went back for the seat and queue the member's cancellation e-mail (after the commit)."""
    from app.retreats import notices

    amount = line_refunded(line)
    if amount is None:
        return
    RetreatReservation.objects.filter(order_line=line).update(refunded_amount=F("refunded_amount") + amount)
    seat = RetreatReservation.objects.select_related("user", "retreat").get(order_line=line)
    notices.cancelled(seat, amount)
