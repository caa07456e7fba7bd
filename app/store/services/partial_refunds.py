"""Refunds (admin): chosen lines or quantities of a paid order, or all of them (`refunds.refund_order`
refunds every unit left through here). Money first, then the goods.

How much money a refund gives back is computed from the quantities refunded so far, so that the
parts always add up to the order's total exactly: `value(q)` prices the refunded quantities as an
order of their own (the coupon's discount shared in proportion to the subtotal, each of the order's taxes rounded
half-up on its own), a refund gives `value(after) - value(before)`, and once every unit is refunded
the value is the order's total itself. No refund can therefore exceed what was paid.

The refund is recorded (`OrderRefund`, pending) before the gateway is called, with the reference
`<order>-R<number>`: when the answer is lost (a timeout) the gateway is asked for that reference;
a retry of the same lines resumes the pending refund instead of starting a second one.

An order charged but never granted (flagged for staff attention, still pending) can be refunded
only in full, and only its money goes back: there are no goods to take back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.core.exceptions import Conflict, ErrorCode, Invalid, PaymentUnavailable
from app.integrations.payments import (
    AlreadyRefunded,
    GatewayError,
    GatewayUnavailable,
    NotSettledYet,
    OutcomeUnknown,
    PaymentGateway,
    cents,
    get_gateway,
)
from app.store.models import HeldMembership, Order, OrderLine, OrderRefund, OrderStatusChange
from app.store.services import kinds
from app.store.services import taxes as sales_taxes
from app.store.services.coupons import return_use
from app.store.services.pricing import CENT, totals
from app.store.services.status import change_status

logger = logging.getLogger(__name__)

LOOKUP_TIMEOUT_SECONDS = 5
REFUNDABLE = (Order.Status.PAID, Order.Status.PARTIALLY_REFUNDED)
# Charged, but the goods could not be granted: staff refund the money (in full).
CHARGED_NOT_GRANTED = Q(status=Order.Status.PENDING, needs_attention=True) & ~Q(paysafe_auth_id="")


def _granted(order: Order) -> bool:
    """False for an order charged but never granted: its refund gives the money back and takes nothing."""
    return order.status != Order.Status.PENDING


def _may_refund(order: Order, lines: list[OrderLine], wanted: Mapping[int, int]) -> bool:
    if order.status in REFUNDABLE:
        return True
    whole = all(wanted.get(line.pk, 0) == line.quantity for line in lines)
    return whole and Order.objects.filter(CHARGED_NOT_GRANTED, pk=order.pk).exists()


def value(order: Order, lines: list[OrderLine], quantities: Mapping[int, int]) -> Decimal:
    """What `quantities` ({line id: units}) of `order` cost, as described in the module's docstring."""
    if all(quantities.get(line.pk, 0) >= line.quantity for line in lines):
        return order.total
    subtotal = sum((line.unit_price * quantities.get(line.pk, 0) for line in lines), Decimal(0))
    discount = Decimal(0)
    if order.discount and order.subtotal:
        discount = (order.discount * subtotal / order.subtotal).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(totals(subtotal, discount, sales_taxes.rates_of(order)).total, order.total)


def amount_due(
    order: Order,
    lines: list[OrderLine],
    wanted: Mapping[int, int],
    share: Decimal | None = None,
    money: Decimal | None = None,
) -> Decimal:
    """What refunding `wanted` ({line id: units}) of `order` now gives back: `share`, a policy's percent
    of their value (a retreat's refund policy), rounded to the cent half-up; `money`, exactly that (no
    unit's value counted). What `refund_lines` records, and what a page says before asking it."""
    if money is not None:
        return money
    before = {line.pk: line.refunded_quantity for line in lines}
    after = {pk: before[pk] + wanted.get(pk, 0) for pk in before}
    amount = value(order, lines, after) - value(order, lines, before)
    if share is not None:
        amount = (amount * share / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount


def _asked(lines: list[OrderLine], asked: list[dict[str, int]]) -> dict[int, int]:
    by_id = {line.pk: line for line in lines}
    wanted: dict[int, int] = {}
    for item in asked:
        line = by_id.get(item["id"])
        if line is None:
            raise Invalid(fields={"lines": [_("Line %(id)s is not a line of this order.") % {"id": item["id"]}]})
        if item["id"] in wanted:
            raise Invalid(fields={"lines": [_("Each line may appear only once.")]})
        left = line.quantity - line.refunded_quantity
        if left == 0:
            raise Invalid(fields={"lines": [_("Line %(id)s was already refunded.") % {"id": line.pk}]})
        if item["quantity"] > left:
            raise Invalid(
                fields={
                    "lines": [
                        ngettext(
                            "Line %(id)s has only %(left)s unit left to refund, not %(asked)s.",
                            "Line %(id)s has only %(left)s units left to refund, not %(asked)s.",
                            left,
                        )
                        % {"id": line.pk, "left": left, "asked": item["quantity"]}
                    ]
                }
            )
        wanted[line.pk] = item["quantity"]
    return wanted


def _start(
    order: Order,
    asked: list[dict[str, int]],
    actor: User,
    idempotency_key: str,
    force: bool,
    share: Decimal | None = None,
    money: Decimal | None = None,
) -> OrderRefund | Order:
    """The pending refund to carry out (new or resumed), or the order when `idempotency_key` was done."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if idempotency_key:
            done = OrderRefund.objects.filter(order=order, idempotency_key=idempotency_key).first()
            if done is not None:
                if done.lines != {str(item["id"]): item["quantity"] for item in asked} or (
                    money is not None and done.amount != money
                ):
                    raise Conflict(_("This Idempotency-Key was already used for a different refund."))
                if done.state == OrderRefund.State.DONE:
                    return order
                return done
        pending = OrderRefund.objects.filter(order=order, state=OrderRefund.State.PENDING).first()
        if pending is not None:
            same = money is None or pending.amount == money
            if same and pending.lines == {str(item["id"]): item["quantity"] for item in asked}:
                return pending  # a retry after a lost answer: same reference, never a second refund
            raise Conflict(
                _("Another refund of this order is being confirmed; try again in a few minutes."),
                code=ErrorCode.REFUND_PENDING,
            )
        lines = list(order.lines.order_by("id"))
        if order.status not in _refundable(money) and order.status != Order.Status.PENDING:
            raise _not_refundable(order)
        wanted = _asked(lines, asked)
        if money is not None and order.status not in _refundable(money):
            raise _not_refundable(order)
        if money is None and not _may_refund(order, lines, wanted):
            raise _not_refundable(order)
        if _granted(order):
            _check_tickets(order, lines, wanted, force)
        # `money`: money only, no unit's value (a retreat's exchange or staff's extra refund)
        amount = amount_due(order, lines, wanted, share, money)
        if order.refunded_amount + amount > order.total:
            raise Invalid(_("This would refund more than was paid."))
        return OrderRefund.objects.create(
            order=order,
            number=order.refunds.count() + 1,
            lines={str(pk): quantity for pk, quantity in wanted.items()},
            amount=amount,
            idempotency_key=idempotency_key,
            actor=actor,
        )


def _refundable(money: Decimal | None) -> tuple[str, ...]:
    """Money alone may still go back from an order whose every unit was refunded (in part, by a policy)."""
    return (*REFUNDABLE, Order.Status.REFUNDED) if money is not None else REFUNDABLE


def _not_refundable(order: Order) -> Invalid:
    return Invalid(
        _("Only a paid order can be refunded; this one is %(status)s.")
        % {"status": str(order.get_status_display()).lower()}
    )


def _give_money_back(refund: OrderRefund, gateway: PaymentGateway) -> str:
    """Refund the settlement; before settlement, cancel it and settle what is left. The refund's id."""
    order = refund.order
    amount = cents(refund.amount)
    if not order.paysafe_settlement_id:
        return gateway.void_auth(
            order.paysafe_auth_id, merchant_ref_num=refund.merchant_ref_num, amount_cents=amount
        ).id
    try:
        return gateway.refund_settlement(
            order.paysafe_settlement_id, merchant_ref_num=refund.merchant_ref_num, amount_cents=amount
        ).id
    except AlreadyRefunded:
        return "already-refunded"
    except NotSettledYet:
        remaining = cents(order.total - order.refunded_amount - refund.amount)
        gateway.cancel_settlement(order.paysafe_settlement_id)
        new_id = ""
        if remaining > 0:
            new_id = gateway.settle(
                order.paysafe_auth_id, merchant_ref_num=f"{order.reference}-S{refund.number}", amount_cents=remaining
            ).id
        Order.objects.filter(pk=order.pk).update(paysafe_settlement_id=new_id)
        return f"cancelled:{order.paysafe_settlement_id}"


def _money(refund: OrderRefund) -> str:
    try:
        gateway = get_gateway()
        try:
            return _give_money_back(refund, gateway)
        except OutcomeUnknown:
            found = gateway.find_refunds(refund.merchant_ref_num, timeout=LOOKUP_TIMEOUT_SECONDS)
            if found:
                return found[0].id
            raise
    except (OutcomeUnknown, GatewayUnavailable):
        raise PaymentUnavailable(
            _(
                "The payment provider did not answer; the refund may or may not have gone through. "
                "Try again with the same lines: a refund that went through is found and not repeated."
            )
        ) from None
    except GatewayError as error:
        raise Invalid(_("The payment provider refused the refund: %(reason)s") % {"reason": error}) from None


def _take_back(order: Order, refund: OrderRefund, actor: User, force: bool) -> tuple[int, int]:
    """Tickets and membership time the refunded units gave. Returns (tickets given, tickets taken)."""
    user = User.objects.select_for_update().get(pk=order.user_id)
    lines = {line.pk: line for line in order.lines.filter(pk__in=[int(pk) for pk in refund.lines])}
    needed = 0
    for pk, quantity in refund.lines.items():
        line = lines[int(pk)]
        OrderLine.objects.filter(pk=line.pk).update(refunded_quantity=line.refunded_quantity + quantity)
        if line.kind in kinds.kinds():
            kinds.hooks(line.kind).free(line)  # granted or not, what it held goes back on sale (a seat)
            continue
        if not _granted(order):  # charged, never granted: nothing to take back
            continue
        if line.kind == OrderLine.Kind.PACKAGE:
            needed += line.tickets * quantity
        elif line.membership_end:
            days = timedelta(days=line.duration_days * quantity)
            held = HeldMembership.objects.filter(order_line=line).first()
            if held is not None:
                if held.end - days <= held.start:
                    held.delete()
                else:
                    HeldMembership.objects.filter(pk=held.pk).update(end=held.end - days)
            if user.membership_end:
                user.membership_end -= days
    taken = min(needed, user.tickets)
    if taken:
        move_tickets(user, -taken, TicketMovement.Reason.REFUND, actor=actor, reference=order.reference)
    User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)
    return needed, taken


def refund_lines(
    order: Order,
    asked: list[dict[str, int]],
    *,
    actor: User,
    force: bool = False,
    idempotency_key: str = "",
    share: Decimal | None = None,
    money: Decimal | None = None,
) -> tuple[Order, str]:
    """Refund `asked` ([{"id": order line id, "quantity": n}]) of a paid order. Returns (order, note).

    `share`: the percent of those units' value given back (a cancellation policy); None: all of it.
    `money`: give back exactly this amount instead (never more than the order has left); with `asked`
    empty, no unit is taken back. The caller bounds it (e.g. by what one line was paid)."""
    started = _start(order, asked, actor, idempotency_key, force, share, money)
    if isinstance(started, Order):
        return started, _("This refund was already made.")
    refund = OrderRefund.objects.select_related("order").get(pk=started.pk)
    refund_id = _money(refund) if refund.amount > 0 else ""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        if not OrderRefund.objects.filter(pk=refund.pk, state=OrderRefund.State.PENDING).update(
            state=OrderRefund.State.DONE, gateway_refund_id=refund_id[:100]
        ):
            return order, _("This refund was already made.")
        needed, taken = _take_back(order, refund, actor, force)
        refunded = order.refunded_amount + refund.amount
        whole = not order.lines.filter(refunded_quantity__lt=F("quantity")).exists()
        to = Order.Status.REFUNDED if whole else Order.Status.PARTIALLY_REFUNDED
        note = _refund_note(refund, order.currency, needed, taken)
        change_status(
            order,
            to,
            when=Q(status__in=_refundable(money)) | CHARGED_NOT_GRANTED,
            source=OrderStatusChange.Source.REFUND,
            actor=actor,
            reason=("forced refund" if force else "refund") + f" R{refund.number}",
            refunded_amount=refunded,
            refunded_at=timezone.now(),
            refunded_by=actor,
            refund_note=note[:300],
            paysafe_refund_id=refund_id[:100],
            needs_attention=False,
        )
        if whole:
            return_use(order)
    logger.info("Order %s: refund R%s of %s", order.reference, refund.number, refund.amount)
    order.refresh_from_db()
    return order, note


def _refund_note(refund: OrderRefund, currency: str, needed: int, taken: int) -> str:
    note = _("Refunded %(amount)s %(currency)s.") % {"amount": refund.amount, "currency": currency}
    if needed:
        note += " " + ngettext(
            "%(taken)s of %(needed)s ticket taken back.", "%(taken)s of %(needed)s tickets taken back.", needed
        ) % {"taken": taken, "needed": needed}
    if taken < needed:
        note += " " + ngettext(
            "%(count)s ticket had already been spent and was not taken back.",
            "%(count)s tickets had already been spent and were not taken back.",
            needed - taken,
        ) % {"count": needed - taken}
    return note


def _check_tickets(order: Order, lines: list[OrderLine], wanted: Mapping[int, int], force: bool) -> None:
    """Refused (unless `force`) when the member spent tickets these lines gave: take back what is left."""
    needed = sum(line.tickets * wanted.get(line.pk, 0) for line in lines if line.kind == OrderLine.Kind.PACKAGE)
    balance = User.objects.values_list("tickets", flat=True).get(pk=order.user_id)
    if needed > balance and not force:
        raise Invalid(
            ngettext(
                "The member has %(balance)s ticket left of the %(needed)s these lines gave (the rest were spent). "
                "Refund with force=true to take back only what is left.",
                "The member has %(balance)s tickets left of the %(needed)s these lines gave (the rest were spent). "
                "Refund with force=true to take back only what is left.",
                balance,
            )
            % {"balance": balance, "needed": needed}
        )
