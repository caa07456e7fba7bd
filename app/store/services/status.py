"""The one function that changes an order's status, and the history it writes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from app.accounts.models import User
from app.store.models import Order, OrderStatusChange


def change_status(
    order: Order,
    to: Order.Status,
    *,
    when: Q,
    source: OrderStatusChange.Source,
    reason: str = "",
    actor: User | None = None,
    **fields: Any,
) -> bool:
    """Set `order`'s status to `to` (and `fields`) if it still matches `when`; record who, why, when.

    A compare-and-set: the UPDATE names the status read just before, so of two processes racing
    (a checkout and reconcile_payments), one changes the order and the other gets False. The
    history row is written in the same transaction as the change.
    """
    with transaction.atomic():
        allowed = Order.objects.filter(Q(pk=order.pk) & when)
        previous = allowed.values_list("status", flat=True).first()
        if previous is None or not allowed.filter(status=previous).update(status=to, **fields):
            return False
        OrderStatusChange.objects.create(
            order_id=order.pk, from_status=previous, to_status=to, source=source, actor=actor, reason=reason[:300]
        )
    order.status = to
    return True
