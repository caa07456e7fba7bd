"""A full refund (admin): every unit not refunded yet, through the one recorded refund path.

There is one way money goes back (`partial_refunds.refund_lines`): the refund is recorded before
the gateway is called, a retry sends the same reference, and a timeout is followed by a lookup.
A full refund is that refund for all that is left, so it leaves the same `OrderRefund` row.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from app.accounts.models import User
from app.store.models import Order
from app.store.services.partial_refunds import refund_lines


def refund_order(order: Order, *, actor: User, force: bool = False, idempotency_key: str = "") -> tuple[Order, str]:
    """Give the money back, then take the goods back. Returns (order, note for the admin).

    The member's current ticket balance is what can be taken back: when some were spent the refund
    is refused (`Invalid`) unless `force`, which takes back only what is left. An order charged but
    never granted (flagged for staff attention) is refunded too: only the money goes back.
    """
    order = Order.objects.get(pk=order.pk)
    if order.status == Order.Status.REFUNDED:
        return order, _("This order was already refunded.")
    rest = [
        {"id": line.pk, "quantity": line.quantity - line.refunded_quantity}
        for line in order.lines.order_by("id")
        if line.refunded_quantity < line.quantity
    ]
    return refund_lines(order, rest, actor=actor, force=force, idempotency_key=idempotency_key)
