"""Staff giving back more of a cancelled seat than its policy did (a member's own partial cancellation).

The money goes back from the seat's order through the store's partial-refund path with no unit
taken back (`refund_lines(money=...)`): never more than was paid for the seat and the options
bought in the same order, less all that was refunded for them. The staff refund is recorded (with
its reason) before the money moves, keyed by the request's Idempotency-Key: a retry after a lost
answer resumes the same refund (same reference), it never pays twice.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Conflict, Invalid
from app.retreats.models import RetreatReservation, RetreatStaffRefund
from app.retreats.seat_ledger import paid_for_seat, refunded_for_seat

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
KEY_MAX_LENGTH = 64


def _amount(reservation: RetreatReservation, amount: Decimal | None, percent: Decimal | None) -> Decimal:
    if (amount is None) == (percent is None):
        raise Invalid(fields={"amount": [_("Give exactly one of amount or percent.")]})
    paid = paid_for_seat(reservation)
    if percent is not None:
        amount = (paid * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    assert amount is not None
    left = max(paid - refunded_for_seat(reservation), Decimal(0)).quantize(CENT)
    if amount <= 0:
        raise Invalid(fields={"amount": [_("The amount refunded must be more than zero.")]})
    if amount > left:
        raise Invalid(
            fields={
                "amount": [
                    _("At most %(left)s is left to refund for this seat (%(paid)s paid).")
                    % {"left": left, "paid": paid}
                ]
            }
        )
    return amount


def _record(
    reservation: RetreatReservation, key: str, amount: Decimal | None, percent: Decimal | None, reason: str, actor: User
) -> RetreatStaffRefund:
    """The staff refund to carry out: recorded now, or the one already recorded under `key`."""
    recorded = reservation.staff_refunds.filter(idempotency_key=key).first()
    if recorded is None:
        try:
            with transaction.atomic():
                # The seat's row locked: two staff refunds of one seat are bounded one after the other.
                RetreatReservation.objects.select_for_update().get(pk=reservation.pk)
                if reservation.staff_refunds.filter(state=RetreatStaffRefund.State.PENDING).exists():
                    raise Conflict(_("Another refund of this seat is being made; try again in a few minutes."))
                return RetreatStaffRefund.objects.create(
                    reservation=reservation,
                    amount=_amount(reservation, amount, percent),
                    reason=reason[:300],
                    idempotency_key=key,
                    actor=actor,
                )
        except IntegrityError:  # the same key at the same moment: the other request recorded it
            recorded = reservation.staff_refunds.get(idempotency_key=key)
    if recorded.reason != reason[:300] or (amount is not None and recorded.amount != amount):
        raise Conflict(_("This Idempotency-Key was already used for a different refund."))
    return recorded


def refund_more(
    reservation: RetreatReservation,
    *,
    actor: User,
    idempotency_key: str,
    reason: str,
    amount: Decimal | None = None,
    percent: Decimal | None = None,
) -> RetreatStaffRefund:
    """Give back `amount` (or `percent` of what was paid) more of a cancelled seat, saying why."""
    from app.store.services.partial_refunds import refund_lines

    if reservation.status != RetreatReservation.Status.CANCELLED or reservation.order_line is None:
        raise Invalid(
            _("Only a cancelled seat is refunded here; cancel a confirmed one with refund_percent and a reason.")
        )
    if not reason.strip():
        raise Invalid(fields={"reason": [_("Say why the refund goes beyond the retreat's policy.")]})
    if not idempotency_key or len(idempotency_key) > KEY_MAX_LENGTH:
        raise Invalid(_("Send an Idempotency-Key header (at most 64 characters): a retry then never pays twice."))
    recorded = _record(reservation, idempotency_key, amount, percent, reason, actor)
    if recorded.state == RetreatStaffRefund.State.DONE:
        return recorded
    refund_lines(
        reservation.order_line.order,
        [],
        actor=actor,
        idempotency_key=f"retreat-staff-{recorded.pk}",
        money=recorded.amount,
    )
    with transaction.atomic():
        pending = RetreatStaffRefund.objects.filter(pk=recorded.pk, state=RetreatStaffRefund.State.PENDING)
        if pending.update(state=RetreatStaffRefund.State.DONE):
            RetreatReservation.objects.filter(pk=reservation.pk).update(
                refunded_amount=F("refunded_amount") + recorded.amount
            )
    logger.info("Retreat reservation %s: staff refunded %s more", reservation.pk, recorded.amount)
    recorded.refresh_from_db()
    return recorded
