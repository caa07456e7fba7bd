"""Refunds (admin): the money goes back first, then the goods. Idempotent."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.core.exceptions import Invalid, ProviderUnavailable
from app.integrations.payments import (
    AlreadyRefunded,
    GatewayError,
    GatewayUnavailable,
    NotSettledYet,
    OutcomeUnknown,
    cents,
    get_gateway,
)
from app.store.models import HeldMembership, Order, OrderLine, OrderStatusChange
from app.store.services.coupons import return_use
from app.store.services.status import change_status

logger = logging.getLogger(__name__)


def refund_order(order: Order, *, actor: User, force: bool = False) -> tuple[Order, str]:
    """Give the money back, then take the goods back. Returns (order, note for the admin).

    The member's current ticket balance is what can be taken back: when some were spent the refund
    is refused (`Invalid`) unless `force`, which takes back only what is left. An order charged but
    never granted (flagged for staff attention) is refunded too: only the money goes back.
    """
    order = Order.objects.select_related("user").get(pk=order.pk)
    if order.status == Order.Status.PARTIALLY_REFUNDED:  # the whole order now: every unit left
        from app.store.services.partial_refunds import refund_lines

        rest = [
            {"id": line.pk, "quantity": line.quantity - line.refunded_quantity}
            for line in order.lines.all()
            if line.refunded_quantity < line.quantity
        ]
        return refund_lines(order, rest, actor=actor, force=force)
    if order.status == Order.Status.REFUNDED:
        return order, _("This order was already refunded.")
    charged_not_granted = order.status == Order.Status.PENDING and order.needs_attention and order.paysafe_auth_id
    if order.status != Order.Status.PAID and not charged_not_granted:
        raise Invalid(
            _("Only a paid order can be refunded; this one is %(status)s.")
            % {"status": str(order.get_status_display()).lower()}
        )
    lines = list(order.lines.all()) if order.status == Order.Status.PAID else []  # else nothing was granted
    needed = sum(line.tickets * line.quantity for line in lines if line.kind == OrderLine.Kind.PACKAGE)
    balance = User.objects.values_list("tickets", flat=True).get(pk=order.user_id)
    if needed > balance and not force:
        raise Invalid(
            ngettext(
                "The member has %(balance)s ticket left of the %(needed)s this order gave (the rest were spent). "
                "Refund with force=true to take back only what is left.",
                "The member has %(balance)s tickets left of the %(needed)s this order gave (the rest were spent). "
                "Refund with force=true to take back only what is left.",
                balance,
            )
            % {"balance": balance, "needed": needed}
        )
    refund_id = refund_money(order) if order.total > 0 else ""
    with transaction.atomic(durable=True):
        if not change_status(
            order,
            Order.Status.REFUNDED,
            when=Q(status=Order.Status.PAID) | Q(status=Order.Status.PENDING, needs_attention=True),
            source=OrderStatusChange.Source.REFUND,
            actor=actor,
            reason="forced refund" if force else "refund",
            refunded_at=timezone.now(),
            refunded_by=actor,
            paysafe_refund_id=refund_id[:100],
            refunded_amount=order.total,
            needs_attention=False,
        ):
            order.refresh_from_db()
            return order, _("This order was already refunded.")
        user = User.objects.select_for_update().get(pk=order.user_id)
        taken = min(needed, user.tickets)
        if taken:
            move_tickets(user, -taken, TicketMovement.Reason.REFUND, actor=actor, reference=order.reference)
        for line in lines:
            if line.kind == OrderLine.Kind.MEMBERSHIP and line.membership_start and line.membership_end:
                if user.membership_end:
                    user.membership_end -= line.membership_end - line.membership_start
        User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)
        HeldMembership.objects.filter(order_line__order=order).delete()
        return_use(order)
        note = _refund_note(order, needed, taken)
        Order.objects.filter(pk=order.pk).update(refund_note=note[:300])
    logger.info("Order %s refunded", order.reference)
    order.refresh_from_db()
    return order, note


def _refund_note(order: Order, needed: int, taken: int) -> str:
    note = _("Refunded %(total)s %(currency)s.") % {"total": order.total, "currency": order.currency}
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


def refund_money(order: Order) -> str:
    """Refund the settlement, or cancel it when the gateway has not settled it yet. The refund's id."""
    reference = f"{order.reference}-R"
    amount = cents(order.total)
    try:
        gateway = get_gateway()
        if not order.paysafe_settlement_id:
            return gateway.void_auth(order.paysafe_auth_id, merchant_ref_num=reference, amount_cents=amount).id
        try:
            return gateway.refund_settlement(
                order.paysafe_settlement_id, merchant_ref_num=reference, amount_cents=amount
            ).id
        except AlreadyRefunded:  # a previous attempt went through
            return "already-refunded"
        except NotSettledYet:
            gateway.cancel_settlement(order.paysafe_settlement_id)
            return f"cancelled:{order.paysafe_settlement_id}"
    except OutcomeUnknown:
        raise ProviderUnavailable(
            _(
                "The payment provider did not answer; the refund may or may not have gone through. "
                "Try again: a refund that already went through is recognised and not repeated."
            )
        ) from None
    except GatewayUnavailable as error:
        raise ProviderUnavailable(error.message) from None
    except GatewayError as error:
        raise Invalid(_("The payment provider refused the refund: %(reason)s") % {"reason": error}) from None
