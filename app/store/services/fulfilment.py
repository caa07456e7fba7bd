"""A charge's outcome recorded: paid orders get their goods (once), failed ones say why; invoices."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import move_tickets
from app.integrations.payments import Authorisation
from app.store.models import Order, OrderLine, OrderStatusChange
from app.store.services.status import change_status

logger = logging.getLogger(__name__)

Source = OrderStatusChange.Source


def fail_order(order: Order, code: str, message: str, *, source: Source, uncertain: bool = False) -> bool:
    """Mark a pending order failed (nothing was charged, or nothing was found). False if it was not pending."""
    with transaction.atomic(durable=True):
        return change_status(
            order,
            Order.Status.FAILED,
            when=Q(status=Order.Status.PENDING),
            source=source,
            reason=str(message),
            failure_code=str(code or "")[:20],
            failure_message=str(message)[:300],
            outcome_uncertain=uncertain,
        )


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
            failure_code="",
            failure_message="",
        ):
            return False
        user = User.objects.select_for_update().get(pk=order.user_id)
        grant(order, user, now)
        order_id = order.pk
        transaction.on_commit(lambda: send_invoice(order_id))
    logger.info("Order %s paid and granted", order.reference)
    return True


def grant(order: Order, user: User, now: datetime) -> None:
    """Give `user` what `order` bought: tickets through the ledger, membership time on their end date."""
    tickets = 0
    for line in order.lines.all():
        if line.kind == OrderLine.Kind.PACKAGE:
            tickets += line.tickets * line.quantity
        else:
            start = max(now, user.membership_end or now)
            end = start + timedelta(days=line.duration_days * line.quantity)
            OrderLine.objects.filter(pk=line.pk).update(membership_start=start, membership_end=end)
            user.membership_end = end
    if tickets:
        move_tickets(user, tickets, TicketMovement.Reason.PURCHASE, reference=order.reference)
    User.objects.filter(pk=user.pk).update(membership_end=user.membership_end)


def send_invoice(order_id: int) -> bool:
    """E-mail the invoice of a paid order. Never raises: the payment stands whatever happens here."""
    from app.core.email import send_templated_email

    order = Order.objects.select_related("user").get(pk=order_id)
    params = {
        "first_name": order.user.first_name,
        "reference": order.reference,
        "date": timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M") if order.paid_at else "",
        "currency": order.currency,
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in order.lines.all()
        ],
        "subtotal": str(order.subtotal),
        "tax_rate": str(order.tax_rate.normalize()),
        "tax": str(order.tax),
        "total": str(order.total),
        "organization": settings.ORGANIZATION,
    }
    try:
        sent = send_templated_email(
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
