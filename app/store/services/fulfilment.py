"""A charge's outcome recorded: paid orders get their goods (once), failed ones say why; invoices."""

from __future__ import annotations

import enum
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.core.i18n import localized, money, percent
from app.integrations.payments import Authorisation
from app.store.models import Order, OrderLine, OrderStatusChange
from app.store.services import kinds
from app.store.services import taxes as sales_taxes
from app.store.services.coupons import record_use
from app.store.services.memberships import record_purchase
from app.store.services.status import change_status

logger = logging.getLogger(__name__)

Source = OrderStatusChange.Source


def fail_order(
    order: Order, code: str, message: str, *, source: Source, uncertain: bool = False, kind: str = ""
) -> bool:
    """Mark a pending order failed (nothing was charged, or nothing was found). False if it was not pending.

    `kind`: the code of the error the member is answered, answered again to a replayed Idempotency-Key."""
    with transaction.atomic(durable=True):
        failed = change_status(
            order,
            Order.Status.FAILED,
            when=Q(status=Order.Status.PENDING),
            source=source,
            reason=str(message),
            failure_code=str(code or "")[:20],
            failure_message=str(message)[:300],
            outcome_uncertain=uncertain,
            failure_kind=kind[:30],
        )
        if failed:
            for kind in kinds.kinds():
                kinds.hooks(kind).release(order)  # nothing was charged: what it held goes back on sale
        return failed


def complete_order(
    order: Order, auth: Authorisation | None, *, source: Source, allow_failed_uncertain: bool = False
) -> bool:
    """Mark paid and grant the goods in one transaction; False when another process did it first.

    `allow_failed_uncertain`: also complete an order failed after an unknown outcome (a payment
    that landed late), never one failed for a known reason.
    """
    when = Q(status=Order.Status.PENDING)
    if allow_failed_uncertain:
        when |= Q(status=Order.Status.FAILED, outcome_uncertain=True)
    now = timezone.now()
    with transaction.atomic(durable=True):
        if not change_status(
            order,
            Order.Status.PAID,
            when=when,
            source=source,
            reason="free order" if auth is None else f"payment {auth.id} completed",
            paid_at=now,
            paysafe_auth_id=auth.id if auth else "",
            paysafe_settlement_id=auth.settlement_id if auth else "",
            card_type=auth.card_type if auth else "",
            card_last_digits=auth.last_digits if auth else "",
            failure_code="",
            failure_message="",
            needs_attention=False,
            attention_reason="",
        ):
            return False
        user = User.objects.select_for_update().get(pk=order.user_id)
        grant(order, user, now)
        record_use(order)
        order_id = order.pk
        transaction.on_commit(lambda: send_invoice(order_id))
    logger.info("Order %s paid and granted", order.reference)
    return True


class Completion(enum.Enum):
    COMPLETED = "completed"  # paid and granted now
    ALREADY_DONE = "already_done"  # another process recorded the outcome first
    NEEDS_ATTENTION = "needs_attention"  # charged, but the goods could not be granted: staff were told


def flag_for_attention(order: Order, reason: str, auth: Authorisation | None = None) -> None:
    """Charged but not granted (or not matching): keep the charge's ids and the reason for staff.

    Never a status change: the order stays as it was (pending) so that nothing claims the goods
    were granted; staff complete or refund it (refunds accept it), and reconcile_payments retries.
    """
    fields: dict[str, object] = {"needs_attention": True, "attention_reason": reason[:300]}
    if auth is not None:
        fields.update(paysafe_auth_id=auth.id, paysafe_settlement_id=auth.settlement_id)
    Order.objects.filter(pk=order.pk).exclude(status=Order.Status.PAID).update(**fields)
    logger.error("Order %s needs staff attention: %s", order.reference, reason)


def complete_or_flag(
    order: Order, auth: Authorisation, *, source: Source, allow_failed_uncertain: bool = False
) -> Completion:
    """`complete_order`, and when granting fails after the charge, flag the order instead of failing."""
    try:
        done = complete_order(order, auth, source=source, allow_failed_uncertain=allow_failed_uncertain)
    except Exception as error:  # whatever broke, the approved charge must not be lost
        logger.exception("Order %s: charged but the goods could not be granted", order.reference)
        flag_for_attention(
            order, f"Payment {auth.id} was approved but the goods could not be granted ({type(error).__name__}).", auth
        )
        return Completion.NEEDS_ATTENTION
    return Completion.COMPLETED if done else Completion.ALREADY_DONE


def grant(order: Order, user: User, now: datetime) -> None:
    """Give `user` what `order` bought: tickets through the ledger, membership time on their end date."""
    tickets = 0
    for line in order.lines.all():
        if line.kind == OrderLine.Kind.PACKAGE:
            tickets += line.tickets * line.quantity
        elif line.kind in kinds.kinds():
            kinds.hooks(line.kind).confirm(line)
        else:
            start = max(now, user.membership_end or now)
            end = start + timedelta(days=line.duration_days * line.quantity)
            OrderLine.objects.filter(pk=line.pk).update(membership_start=start, membership_end=end)
            line.membership_start, line.membership_end = start, end
            record_purchase(line, user)
            user.membership_end = end
    if tickets:
        move_tickets(user, tickets, TicketMovement.Reason.PURCHASE, reference=order.reference)
    User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)


def send_invoice(order_id: int) -> bool:
    """E-mail the invoice of a paid order. Never raises: the payment stands whatever happens here."""
    from app.core.email import send_templated_email

    order = Order.objects.select_related("user", "coupon").get(pk=order_id)
    with translation.override(order.user.language):  # amounts written the member's way
        params = _invoice_params(order)
    try:
        sent = send_templated_email(
            language=order.user.language,
            to_email=order.user.email,
            to_name=order.user.get_full_name(),
            template_setting="INVOICE",
            params=params,
            local_template="emails/invoice",
        )
    except Exception as error:  # the payment stands whatever happens to the e-mail
        logger.error("Invoice for order %s could not be sent: %s", order.reference, type(error).__name__)
        return False
    if not sent:
        logger.error("Invoice for order %s could not be sent", order.reference)
    return bool(sent)


def _invoice_params(order: Order) -> dict:
    from app.core.moments import moment_text
    from app.store import display

    currency = order.currency
    lines = list(order.lines.all())
    return {
        "first_name": order.user.first_name,
        "reference": order.reference,
        "date": moment_text(order.paid_at) if order.paid_at else "",
        "currency": order.currency,
        "lines": [
            {
                "name": localized(line, "name"),
                "quantity": line.quantity,
                "unit_price": money(line.unit_price, currency),
                "amount": money(line.amount, currency),
            }
            for line in lines
        ],
        # Each row of the totals, already worded: subtotal, discount (coupon), each tax, total.
        "totals": [
            {"label": row.label, "amount": ("−" if row.negative else "") + money(row.amount, currency)}
            for row in display.total_rows(order)
        ],
        "coupon_code": order.coupon.code if order.coupon else "",
        "discount": money(order.discount, currency),
        "taxes": [
            {"name": tax.label, "rate": percent(tax.rate), "amount": money(tax.amount, currency)}
            for tax in sales_taxes.of_order(order)
        ],
        "registration_numbers": display.registration_numbers(order),
        "payment_method": display.payment_method(order),
        "subtotal": money(order.subtotal, currency),
        "tax_rate": percent(order.tax_rate),
        "tax": money(order.tax, currency),
        "total": money(order.total, currency),
        "organization": settings.ORGANIZATION,
    }
