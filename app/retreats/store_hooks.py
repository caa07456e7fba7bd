"""How the store's checkout sells a retreat seat (`app.store.services.kinds`; registered in apps.py).

A seat's life with its order: held when the order is created (the retreat's row locked), confirmed
when it is paid, released when its payment fails, freed (cancelled) when its line is refunded.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from app.accounts.models import User
from app.retreats import prices, services, waitlist
from app.retreats.models import Retreat, RetreatOptionPurchase, RetreatReservation

if TYPE_CHECKING:
    from app.store.models import Coupon, Order, OrderLine
    from app.store.services.eligibility import CartItem

Status = RetreatReservation.Status


def product(retreat_id: int, quantity: int) -> Retreat:
    return services.purchasable_retreat(retreat_id, quantity)


def refusal(user: User, retreat: Retreat) -> str | None:
    return services.retreat_refusal(user, retreat)


def unit_price(retreat: Retreat, held: set[int]) -> Decimal | None:
    """Holders of a membership (`held`: the ids of those they hold) pay the member price when there is one."""
    return prices.member_price(retreat, bool(held))


def coupon_applies(coupon: Coupon, retreat: Retreat, unrestricted: bool) -> bool:
    return coupon_applies_to_retreat(coupon, retreat.pk, unrestricted)


def coupon_applies_to_retreat(coupon: Coupon, retreat_id: int, unrestricted: bool) -> bool:
    """A coupon naming retreats applies to those (and their options); one naming no product at all
    applies to every one."""
    named = set(coupon.retreats.values_list("pk", flat=True))
    return retreat_id in named if named else unrestricted


def hold(order: Order, items: Sequence[CartItem], invitation: str = "") -> None:
    services.hold_seats(order, items, invitation)


def confirm(line: OrderLine) -> None:
    """The order of `line` is paid: its seat is the member's, and the confirmation goes after the commit."""
    if RetreatReservation.objects.filter(order_line=line, status=Status.PENDING).update(status=Status.CONFIRMED):
        from app.retreats import exchanges, notices

        seat = RetreatReservation.objects.select_related("user", "retreat").get(order_line=line)
        moved = exchanges.complete(seat)  # an exchange's difference was paid: its seat moves instead
        notices.confirm(RetreatReservation.objects.select_related("user", "retreat").get(pk=moved) if moved else seat)


def release(order: Order) -> None:
    """The payment of `order` failed (nothing charged): the seats it held go to the waiting list or back on sale."""
    seats = RetreatReservation.objects.filter(order_line__order=order, status=Status.PENDING)
    retreat_ids = sorted(set(seats.values_list("retreat_id", flat=True)))
    if seats.update(status=Status.RELEASED):
        for retreat_id in retreat_ids:
            waitlist.seat_freed(retreat_id)
    from app.retreats.exchanges import fail

    fail(order.pk)  # an exchange's difference not paid: the seat stays where it was


def free(line: OrderLine) -> None:
    """`line` was refunded: its seat is cancelled and goes to the waiting list or back on sale.
    Refunded by staff from the order page, the member is told, with what went back for the line.

    The options bought with the seat cannot be used without it: their units go back on sale at once.
    Their money goes back only with their own lines (staff refund them too, from the same page; a
    later refund of such a line finds no units held and frees none twice)."""
    seat = RetreatReservation.objects.filter(order_line=line, status__in=RetreatReservation.HOLDS_A_SEAT)
    retreat_id = seat.values_list("retreat_id", flat=True).first()
    was_confirmed = seat.filter(status=Status.CONFIRMED).exists()
    if seat.update(status=Status.CANCELLED, cancelled_at=timezone.now()) and retreat_id is not None:
        RetreatOptionPurchase.objects.filter(
            reservation__order_line=line, status__in=RetreatReservation.HOLDS_A_SEAT
        ).update(status=Status.CANCELLED)
        waitlist.seat_freed(retreat_id)
        if was_confirmed:
            from app.retreats.refund_notice import tell_refunded

            tell_refunded(line)
