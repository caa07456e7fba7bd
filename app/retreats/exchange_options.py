"""Exchanging a seat that has options: they belong to the retreat the seat leaves, so the exchange
gives their units back to stock and refunds them.

Refunded in full, not by the cancellation policy's share (they were not used), as their orders
charged them (their share of the order's coupon, each tax rounded as the order rounded it): the
partial-refund path values the units taken back (`partial_refunds.value`). One refund per order,
recorded before the money moves and keyed `retreat-exchange-<exchange>-o<order>`, so a retry after
a time-out resumes it (same reference) instead of paying twice.

When: to a cheaper (or same-price) retreat, right after the seat moves and before the difference is
refunded; to a dearer one, once the difference's payment is recorded (a declined payment leaves the
seat and its options as they were). Not netted against the difference: the difference is an order
of its own, taxed on its own, and each option's order keeps its own account of what it gave back.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Sum

from app.retreats import options
from app.retreats.models import RetreatExchange, RetreatOptionPurchase, RetreatReservation

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.store.models import Order

logger = logging.getLogger(__name__)

# True while the exchange's own request pays the difference: it refunds the options itself.
_paying_here: ContextVar[bool] = ContextVar("retreat_exchange_paying_here", default=False)


def held_options(reservation: RetreatReservation, retreat_id: int) -> list[RetreatOptionPurchase]:
    """Units of options of `retreat_id` the seat still holds (after an exchange: owed a refund)."""
    return [bought for bought in options.active_purchases(reservation) if bought.option.retreat_id == retreat_id]


def _by_order(bought: list[RetreatOptionPurchase]) -> dict[int, tuple[Order, list[dict[str, int]]]]:
    grouped: dict[int, tuple[Order, list[dict[str, int]]]] = {}
    for purchase in bought:
        order = purchase.order_line.order
        grouped.setdefault(order.pk, (order, []))[1].append(
            {"id": purchase.order_line_id, "quantity": purchase.quantity}
        )
    return grouped


def due_from(order: Order, bought: list[RetreatOptionPurchase]) -> Decimal:
    """What refunding `bought` gives back from `order` (zero when none of them is of that order)."""
    from app.store.services.partial_refunds import amount_due

    mine = _by_order(bought).get(order.pk)
    if mine is None:
        return Decimal(0)
    lines = list(order.lines.order_by("id"))
    return amount_due(order, lines, {item["id"]: item["quantity"] for item in mine[1]})


def refund_options(made: RetreatExchange) -> None:
    """Refund in full the options of the retreat the seat left, their units back in stock (resumed by
    their keys after a time-out). Nothing to do once they are refunded."""
    from app.store.services.partial_refunds import refund_lines

    reservation = RetreatReservation.objects.select_related("user").get(pk=made.reservation_id)
    if reservation.retreat_id == made.from_retreat_id:  # moved back there later: its options are its own
        return
    for order_id, (order, lines) in sorted(_by_order(held_options(reservation, made.from_retreat_id)).items()):
        refund_lines(order, lines, actor=reservation.user, idempotency_key=f"retreat-exchange-{made.pk}-o{order_id}")


def refunded(made: RetreatExchange) -> Decimal:
    """What the exchange gave back for options so far."""
    from app.store.models import OrderRefund

    done = OrderRefund.objects.filter(
        idempotency_key__startswith=f"retreat-exchange-{made.pk}-o", state=OrderRefund.State.DONE
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(done or 0).quantize(Decimal("0.01"))


@contextmanager
def paying_here() -> Iterator[None]:
    """Around the exchange's own payment: the request refunds the options once it is recorded."""
    token = _paying_here.set(True)
    try:
        yield
    finally:
        _paying_here.reset(token)


def settle_later(made_id: int) -> None:
    """The difference's payment is being recorded outside the exchange's request (a payment verified
    later): refund the options after the commit, like other work that must not delay an answer."""
    if _paying_here.get():
        return
    from app.core.deferred import after_response

    transaction.on_commit(lambda: after_response("app.retreats.exchange_options.settle", made_id))


def settle(made_id: int) -> None:
    """Refund the options of a done exchange still owed (deferred; a failure is logged, and the next
    scheduled `settle_owed`, the member's retry of the exchange or a cancellation resumes it)."""
    made = RetreatExchange.objects.filter(pk=made_id, state=RetreatExchange.State.DONE).first()
    if made is not None:
        refund_options(made)


def settle_seat(reservation: RetreatReservation) -> None:
    """Before a cancellation: the options every done exchange of the seat still owes, in full."""
    for made in reservation.exchanges.filter(state=RetreatExchange.State.DONE).order_by("id"):
        refund_options(made)


def settle_owed() -> int:
    """Scheduled (`process_retreat_waitlists`): refund the options every done exchange still owes, so
    that a refund the gateway failed after the answer is never left to the member to ask for again.
    Each resumes by its key (same reference); a failure waits for the next run. Answers how many
    exchanges were settled."""
    from app.core.exceptions import DomainError

    owed = (
        RetreatExchange.objects.filter(state=RetreatExchange.State.DONE)
        .exclude(reservation__retreat_id=F("from_retreat_id"))
        .filter(
            reservation__option_purchases__option__retreat_id=F("from_retreat_id"),
            reservation__option_purchases__status__in=options.HOLDS,
            reservation__option_purchases__quantity__gt=0,
        )
        .distinct()
        .order_by("id")
    )
    settled = 0
    for made in owed:
        try:
            refund_options(made)
        except DomainError as error:
            logger.warning("Retreat exchange %s: its options' refund failed (%s); next run", made.pk, error.code)
            continue
        settled += 1
    return settled
