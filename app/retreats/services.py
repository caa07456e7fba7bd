"""Retreat rules: who may buy a seat, holding seats at checkout, the refund policy, cancelling, joining."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Conflict, ErrorCode, Invalid
from app.core.i18n import localized
from app.retreats import options, seat_counts
from app.retreats.models import (
    Retreat,
    RetreatDate,
    RetreatInvitation,
    RetreatJoin,
    RetreatReservation,
    RetreatWaitlistEntry,
)

if TYPE_CHECKING:
    from app.store.models import Order
    from app.store.services.eligibility import CartItem

logger = logging.getLogger(__name__)

HOLDS_A_SEAT = RetreatReservation.HOLDS_A_SEAT


def purchasable_retreat(retreat_id: int, quantity: int) -> Retreat:
    """The published retreat `retreat_id`, or `Invalid`. One seat per line: each seat is a reservation."""
    retreat = Retreat.objects.filter(pk=retreat_id, is_published=True).first()
    if retreat is None:
        raise Invalid(_("Retreat %(id)s does not exist or is not on sale.") % {"id": retreat_id})
    if quantity != 1:
        raise Invalid(fields={"lines": [_("A retreat is bought one seat per member: quantity must be 1.")]})
    return retreat


def retreat_refusal(user: User, retreat: Retreat) -> str | None:
    """Why `user` may not buy a seat of `retreat` (None when they may)."""
    first = retreat.dates.order_by("start").first()
    if first is None or first.start <= timezone.now():
        return _("The retreat “%(name)s” has started or has no date: it is no longer sold.") % {
            "name": localized(retreat, "name")
        }
    if retreat.reservations.filter(user=user, status__in=HOLDS_A_SEAT).exists():
        return _("You already have a seat at the retreat “%(name)s”.") % {"name": localized(retreat, "name")}
    return None


def sold_out(retreat: Retreat) -> Conflict:
    return Conflict(
        _("The retreat “%(name)s” is sold out.") % {"name": localized(retreat, "name")},
        code=ErrorCode.RETREAT_SOLD_OUT,
    )


def find_invitation(token: str, items: Sequence[CartItem]) -> RetreatInvitation:
    """The invitation of `token` for one of the retreats bought, or `Invalid`."""
    retreats = {item.product.pk for item in items if item.kind == "retreat"}
    invitation = RetreatInvitation.objects.filter(token=token, retreat_id__in=retreats).first()
    if invitation is None:
        raise Invalid(fields={"invitation": [_("This invitation does not exist or is not for this retreat.")]})
    return invitation


def _invited_seat_left(invitation: RetreatInvitation | None, retreat: Retreat, now: datetime) -> bool:
    if invitation is None or invitation.retreat_id != retreat.pk or invitation.release_at <= now:
        return False
    return invitation.reservations.filter(status__in=HOLDS_A_SEAT).count() < invitation.seats


def hold_seats(order: Order, items: Sequence[CartItem], invitation: str = "") -> None:
    """In the transaction that creates `order`: one pending reservation per retreat line.

    Each retreat's row is locked first, so that concurrent checkouts count the seats one after the
    other: of two members racing for the last seat the second is refused (`retreat_sold_out`) and
    its order is never created (the transaction rolls back). Seats kept for unreleased invitations
    are not sold to the public; an order with an invitation's token takes one of its seats."""
    invited = find_invitation(invitation, items) if invitation else None
    now = timezone.now()
    lines = list(order.lines.order_by("id"))
    for item, line in zip(items, lines, strict=True):
        if item.kind != "retreat":
            continue
        retreat = Retreat.objects.select_for_update().get(pk=item.product.pk)
        use = invited if _invited_seat_left(invited, retreat, now) else None
        # Seats on offer to members of the waiting list are theirs: the offered member may take one.
        if use is None and seat_counts.sellable_to(retreat.pk, order.user_id) <= 0:
            raise sold_out(retreat)
        RetreatReservation.objects.create(user_id=order.user_id, retreat=retreat, order_line=line, invitation=use)
        # Their waiting-list entry (an offer or a place in the queue) is done.
        RetreatWaitlistEntry.objects.filter(user_id=order.user_id, retreat=retreat).delete()


def days_before(retreat: Retreat, first: RetreatDate, now: datetime) -> int:
    """Whole days between today and the first date's day, both in the retreat's time zone."""
    zone = retreat.zone
    return (first.start.astimezone(zone).date() - now.astimezone(zone).date()).days


def refund_share(retreat: Retreat, now: datetime | None = None) -> Decimal:
    """The percent of what was paid that a cancellation `now` gives back, by the retreat's policy."""
    first = retreat.dates.order_by("start").first()
    if first is None:
        return Decimal(100)
    days = days_before(retreat, first, now or timezone.now())
    if days >= retreat.full_refund_days:
        return Decimal(100)
    if days >= retreat.partial_refund_days:
        return retreat.partial_refund_percent
    return Decimal(0)


def cancel(reservation: RetreatReservation, *, actor: User, share: Decimal | None = None, reason: str = "") -> Decimal:
    """Cancel a confirmed reservation: refund by the policy (the partial-refund path records the
    refund before the money moves), free the seat. Returns the amount given back.

    `share` (staff only): the percent refunded instead of the policy's, with `reason` saying why;
    staff may also cancel a retreat that has started."""
    from app.retreats import notices  # the e-mail modules load only when a seat is cancelled

    if reservation.status != RetreatReservation.Status.CONFIRMED or reservation.order_line is None:
        raise Invalid(_("Only a confirmed reservation can be cancelled."))
    if reservation.exchanges.filter(state="pending").exists():
        raise Conflict(_("An exchange of this seat is being paid; wait for its outcome."))
    if share is not None and not reason.strip():
        raise Invalid(fields={"reason": [_("Say why the refund differs from the retreat's policy.")]})
    retreat = reservation.retreat
    first = retreat.dates.order_by("start").first()
    if share is None and first is not None and first.start <= timezone.now():
        raise Invalid(_("The retreat has started: it can no longer be cancelled."))
    from app.retreats.exchange_options import settle_seat

    settle_seat(reservation)  # options an exchange still owes are refunded in full, not by the policy
    amount = _refund_seat_and_options(reservation, actor, refund_share(retreat) if share is None else share)
    RetreatReservation.objects.filter(pk=reservation.pk).update(refunded_amount=amount, cancel_reason=reason[:300])
    logger.info("Retreat reservation %s cancelled, %s refunded", reservation.pk, amount)
    notices.cancelled(reservation, amount)
    return amount


@dataclass(frozen=True)
class PlannedRefund:
    """One refund a cancellation makes: `lines` of `order`, `share` percent of them, or `money`."""

    order: Order
    lines: list[dict[str, int]]
    key: str
    share: Decimal | None
    money: Decimal | None = None


def refund_plan(reservation: RetreatReservation, share: Decimal) -> list[PlannedRefund]:
    """The refunds cancelling `reservation` with `share` percent makes, in the order they are made.

    One refund per order: options bought in other orders and the orders of exchanges to dearer
    retreats first, then the seat's order (its line and the options bought with it), so that a retry
    after a time-out still finds the seat confirmed and resumes each refund by its key instead of
    paying twice. The member pages value the same plan to say what a cancellation gives back."""
    assert reservation.order_line is not None
    seat_line = reservation.order_line
    base = f"retreat-cancel-{reservation.pk}"
    by_order: dict[int, list[dict[str, int]]] = {}
    orders: dict[int, Order] = {seat_line.order_id: seat_line.order}
    for bought in options.active_purchases(reservation):
        if bought.option.retreat_id != reservation.retreat_id:  # an exchange refunds those in full
            continue
        by_order.setdefault(bought.order_line.order_id, []).append(
            {"id": bought.order_line_id, "quantity": bought.quantity}
        )
        orders[bought.order_line.order_id] = bought.order_line.order
    for made in reservation.exchanges.filter(state="done", amount__gt=0).select_related("order"):
        assert made.order is not None  # the order that paid a higher price: refunded by the same policy
        by_order.setdefault(made.order.pk, []).extend({"id": line.pk, "quantity": 1} for line in made.order.lines.all())
        orders[made.order.pk] = made.order
    plan = [
        PlannedRefund(orders[order_id], asked, f"{base}-o{order_id}", share)
        for order_id, asked in sorted(by_order.items())
        if order_id != seat_line.order_id
    ]
    seat_lines = [{"id": seat_line.pk, "quantity": 1}, *by_order.get(seat_line.order_id, [])]
    money = _less_exchanged(reservation, share)
    plan.append(PlannedRefund(seat_line.order, seat_lines, base, share if money is None else None, money))
    return plan


def _refund_seat_and_options(reservation: RetreatReservation, actor: User, share: Decimal) -> Decimal:
    """Refund `share` percent of the seat and of the options bought with it (their stock freed), by
    `refund_plan`. Returns all that was given back."""
    from app.store.models import OrderRefund
    from app.store.services.partial_refunds import refund_lines

    for planned in refund_plan(reservation, share):
        refund_lines(
            planned.order,
            planned.lines,
            actor=actor,
            idempotency_key=planned.key,
            share=planned.share,
            money=planned.money,
        )
    base = f"retreat-cancel-{reservation.pk}"
    refunds = OrderRefund.objects.filter(Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}-o"))
    return sum((refund.amount for refund in refunds), Decimal("0.00"))


def _less_exchanged(reservation: RetreatReservation, share: Decimal) -> Decimal | None:
    """After exchanges to cheaper retreats: the policy's share of what is left paid in the seat's
    order (what was paid less what they gave back). None: no such exchange, the share applies."""
    from app.retreats.seat_ledger import paid_for_seat, refunded_by_exchanges

    back = refunded_by_exchanges(reservation)
    if not back:
        return None
    left = max(paid_for_seat(reservation) - back, Decimal(0))
    return (left * share / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def link_window(now: datetime) -> Q:
    """Dates whose link window holds `now`: from RETREAT_LINK_MINUTES_BEFORE before their start to their end."""
    before = timedelta(minutes=settings.RETREAT_LINK_MINUTES_BEFORE)
    return Q(start__lte=now + before, end__gt=now)


def open_date(retreat: Retreat, now: datetime | None = None) -> RetreatDate | None:
    """The date whose link window holds `now` (`link_window`)."""
    return retreat.dates.filter(link_window(now or timezone.now())).order_by("start").first()


def join(reservation: RetreatReservation) -> str:
    """The video link of a virtual retreat for a confirmed participant in a date's window; logged."""
    retreat = reservation.retreat
    if retreat.kind != Retreat.Kind.VIRTUAL or not retreat.video_link:
        raise Invalid(_("This retreat has no video link: it takes place in person."))
    if reservation.status != RetreatReservation.Status.CONFIRMED:
        raise Invalid(_("Only a confirmed reservation gives the video link."))
    date = open_date(retreat)
    if date is None:
        raise Conflict(
            _("The video link is given from %(minutes)s minutes before each date's start until its end.")
            % {"minutes": settings.RETREAT_LINK_MINUTES_BEFORE},
            code=ErrorCode.RETREAT_LINK_NOT_OPEN,
        )
    with transaction.atomic():
        RetreatJoin.objects.create(reservation=reservation, date=date)
    return retreat.video_link
