"""Exchanging a seat for one at another retreat before the exchange deadline, the price settled.

The difference is counted before tax: the member's price at the other retreat (the member price
for holders of a membership) less what the seat cost them before tax (its line's price less its
share of the order's coupon, plus earlier exchanges). Taxes then apply as on any order:
- a positive difference is an order of its own, through the store's checkout (saved card or new
  one, `Idempotency-Key`): its line holds the seat at the other retreat (under the retreat's row
  lock, like any seat) while it is paid, and the seat moves when the payment is recorded
  (`store_hooks.confirm`); a declined payment releases that hold and the seat stays where it was;
- a negative or zero one moves the seat at once (under the locks), and the difference is refunded
  from the seat's order through the partial-refund path, recorded before the money moves: a retry
  with the same key resumes it instead of paying twice.
Options bought with the seat belong to the retreat it leaves: refunded in full, their units back in
stock (`exchange_options`), before a lower difference, or once a higher one is paid.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Conflict, ErrorCode, Invalid, PaymentDeclined
from app.retreats import exchange_options, prices, seat_counts, services, waitlist
from app.retreats.models import Retreat, RetreatExchange, RetreatReservation, RetreatWaitlistEntry

if TYPE_CHECKING:
    from app.store.services.kinds import SoldProduct

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
KEY_MAX_LENGTH = 64
Status = RetreatReservation.Status


def seat_subtotal(reservation: RetreatReservation) -> Decimal:
    """What the seat cost its member before tax: its line less its share of the coupon, plus exchanges."""
    assert reservation.order_line is not None
    line, order = reservation.order_line, reservation.order_line.order
    share = Decimal(0)
    if order.discount and order.subtotal:
        share = (order.discount * line.unit_price / order.subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    done = reservation.exchanges.filter(state=RetreatExchange.State.DONE)
    return line.unit_price - share + sum((exchange.subtotal for exchange in done), Decimal(0))


def _closed(retreat: Retreat) -> Conflict | None:
    deadline = retreat.exchange_deadline
    if deadline is None:
        return Conflict(_("This retreat's seats cannot be exchanged."), code=ErrorCode.RETREAT_EXCHANGE_CLOSED)
    if timezone.now() >= deadline:
        from app.core.moments import moment_text

        return Conflict(
            _("Exchanges for this retreat closed on %(moment)s.") % {"moment": moment_text(deadline, retreat.zone)},
            code=ErrorCode.RETREAT_EXCHANGE_CLOSED,
        )
    return None


def _target(reservation: RetreatReservation, target_id: int) -> Retreat:
    """The retreat the seat may move to, or the 4xx saying why not."""
    if reservation.status != Status.CONFIRMED:
        raise Invalid(_("Only a confirmed reservation can be exchanged."))
    closed = _closed(reservation.retreat)
    if closed is not None:
        raise closed
    if reservation.order_line is None:  # a seat staff gave without an order: nothing to settle against
        raise Invalid(_("Only a confirmed reservation can be exchanged."))
    if target_id == reservation.retreat_id:
        raise Invalid(fields={"retreat": [_("The seat is already at this retreat.")]})
    target = services.purchasable_retreat(target_id, 1)
    refused = services.retreat_refusal(reservation.user, target)
    if refused:
        raise Invalid(fields={"retreat": [refused]})
    if reservation.exchanges.filter(state=RetreatExchange.State.PENDING).exists():
        raise Conflict(_("An exchange of this seat is being paid; wait for its outcome."))
    return target


def _price(user: User, target: Retreat) -> Decimal:
    from app.store.services.eligibility import held_membership_ids

    holds = target.member_price is not None and bool(held_membership_ids(user))  # asked only when it matters
    return prices.price_for(target, holds)


def _replay(reservation: RetreatReservation, key: str, target_id: int) -> RetreatExchange | None:
    done = reservation.exchanges.filter(idempotency_key=key).select_related("order").first()
    if done is None:
        return None
    if done.to_retreat_id != target_id:
        raise Conflict(_("This Idempotency-Key was already used for a different exchange."))
    if done.state == RetreatExchange.State.FAILED:
        failure = done.order.failure_message if done.order else ""
        raise PaymentDeclined(failure or _("The payment was not approved. Please use another card."))
    if done.state == RetreatExchange.State.PENDING and done.amount <= 0:
        _refund(done)  # a lost answer: the same refunds, resumed by their keys
        done.refresh_from_db()
    elif done.state == RetreatExchange.State.DONE:
        exchange_options.refund_options(done)  # a dearer exchange's options, if their refund was lost
    return done


def exchange(
    reservation: RetreatReservation,
    target_id: int,
    *,
    idempotency_key: str,
    single_use_token: str = "",
    payment_token: str = "",
) -> RetreatExchange:
    """Move `reservation` to the retreat `target_id`, settling the difference (module docstring)."""
    if not idempotency_key or len(idempotency_key) > KEY_MAX_LENGTH:
        raise Invalid(_("Send an Idempotency-Key header (at most 64 characters): a retry then never pays twice."))
    replayed = _replay(reservation, idempotency_key, target_id)
    if replayed is not None:
        return replayed
    target = _target(reservation, target_id)
    difference = _price(reservation.user, target) - seat_subtotal(reservation)
    if difference > 0:
        return _pay_more(reservation, target, difference, idempotency_key, single_use_token, payment_token)
    return _move_and_refund(reservation, target, -difference, idempotency_key)


def _move_and_refund(reservation: RetreatReservation, target: Retreat, less: Decimal, key: str) -> RetreatExchange:
    from app.store.services import taxes
    from app.store.services.pricing import totals

    assert reservation.order_line is not None
    order = reservation.order_line.order
    amount = totals(less, Decimal(0), taxes.rates_of(order)).total if less else Decimal("0.00")
    bought = exchange_options.held_options(reservation, reservation.retreat_id)  # refunded in full first
    if amount + exchange_options.due_from(order, bought) > order.total - order.refunded_amount:
        raise Invalid(_("This exchange would give back more than the seat's order has left: ask the team."))
    with transaction.atomic():
        seat = RetreatReservation.objects.select_for_update().get(pk=reservation.pk)
        locked = Retreat.objects.select_for_update().get(pk=target.pk)
        if seat.status != Status.CONFIRMED or seat.exchanges.filter(state=RetreatExchange.State.PENDING).exists():
            raise Conflict(_("This seat changed meanwhile; look at it again."))
        if seat_counts.sellable_to(locked.pk, seat.user_id) <= 0:  # offers to others hold seats too
            raise services.sold_out(locked)
        made = RetreatExchange.objects.create(
            reservation=seat,
            from_retreat_id=seat.retreat_id,
            to_retreat=locked,
            subtotal=-less,
            amount=-amount,
            order=order,
            state=RetreatExchange.State.PENDING if amount or bought else RetreatExchange.State.DONE,
            idempotency_key=key,
        )
        RetreatReservation.objects.filter(pk=seat.pk).update(retreat=locked)  # the old seat is free
        RetreatWaitlistEntry.objects.filter(user_id=seat.user_id, retreat=locked).delete()
        waitlist.seat_freed(seat.retreat_id)  # offered to the old retreat's waiting list
    logger.info("Retreat reservation %s exchanged to retreat %s, %s back", seat.pk, locked.pk, amount)
    if amount or bought:
        _refund(made)
    made.refresh_from_db()
    return made


def _refund(made: RetreatExchange) -> None:
    """Give back the options of the retreat left, then a negative difference from the seat's order
    (each resumed by its key after a time-out)."""
    from app.store.services.partial_refunds import refund_lines

    assert made.order is not None
    exchange_options.refund_options(made)
    if made.amount:
        refund_lines(
            made.order,
            [],
            actor=made.reservation.user,
            idempotency_key=f"retreat-exchange-{made.pk}",
            money=-made.amount,
        )
    RetreatExchange.objects.filter(pk=made.pk, state=RetreatExchange.State.PENDING).update(
        state=RetreatExchange.State.DONE
    )


def _pay_more(
    reservation: RetreatReservation,
    target: Retreat,
    more: Decimal,
    key: str,
    single_use_token: str,
    payment_token: str,
) -> RetreatExchange:
    from app.store.services import checkout
    from app.store.services.eligibility import CartItem, CheckoutLine

    user = reservation.user
    # The checkout's own token rules: exactly one token, a saved card only the member's own.
    token, token_kind = checkout._payment_token(user, single_use_token=single_use_token, payment_token=payment_token)
    line = CheckoutLine(product="retreat", id=target.pk, quantity=1)
    try:
        order = checkout.create_order(
            user,
            [CartItem("retreat", cast("SoldProduct", target), 1, price=more)],
            idempotency_key=f"retreat-exchange-{reservation.pk}-{key}",
            request_fingerprint=checkout.fingerprint([line], token_kind=token_kind),
        )
    except IntegrityError:  # the same key at the same moment: the other request is paying it
        raise Conflict(_("An exchange of this seat is being paid; wait for its outcome.")) from None
    made = RetreatExchange.objects.create(
        reservation=reservation,
        from_retreat_id=reservation.retreat_id,
        to_retreat=target,
        subtotal=more,
        amount=order.total,
        order=order,
        hold=RetreatReservation.objects.get(order_line__order=order),
        idempotency_key=key,
    )
    with exchange_options.paying_here():
        checkout.pay(order, token)  # paid: `complete` below moves the seat in the transaction recording it
    made.refresh_from_db()
    if made.state == RetreatExchange.State.DONE:
        exchange_options.refund_options(made)  # the options of the retreat left, once the payment is recorded
    return made


def complete(hold: RetreatReservation) -> int | None:
    """In the transaction recording the payment of an exchange's order: move the seat and answer its
    id, or None when `hold` is an ordinary seat. The hold is released: the moved seat takes its place."""
    made = RetreatExchange.objects.filter(hold=hold, state=RetreatExchange.State.PENDING).first()
    if made is None:
        return None
    RetreatReservation.objects.filter(pk=made.reservation_id).update(retreat_id=made.to_retreat_id)
    RetreatReservation.objects.filter(pk=hold.pk).update(status=Status.RELEASED)
    waitlist.seat_freed(made.from_retreat_id)  # the old seat: offered to that retreat's waiting list
    RetreatExchange.objects.filter(pk=made.pk).update(state=RetreatExchange.State.DONE)
    exchange_options.settle_later(made.pk)  # its options, refunded once this payment is recorded
    logger.info("Retreat reservation %s exchanged to retreat %s", made.reservation_id, made.to_retreat_id)
    return made.reservation_id


def fail(order_id: int) -> None:
    """The exchange's order failed (nothing charged): the seat stays where it was."""
    RetreatExchange.objects.filter(order_id=order_id, state=RetreatExchange.State.PENDING, amount__gt=0).update(
        state=RetreatExchange.State.FAILED
    )
