"""Retreat options (a single room, meals): units with their own stock, bought beside a seat.

An option is sold only to a member holding a seat at its retreat (held before, or bought in the
same order: the store holds the seats first). Its units are held when the order is created, under
a lock on the option's row, so that two checkouts racing for the last unit never both get it; they
follow their order's payment (confirmed, released when it fails) and the seat (refunded with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from app.core.exceptions import Conflict, DomainError, ErrorCode, Invalid
from app.core.i18n import localized
from app.retreats import prices
from app.retreats.models import Retreat, RetreatOption, RetreatOptionPurchase, RetreatReservation

if TYPE_CHECKING:
    from app.store.models import Order
    from app.store.services.eligibility import CartItem

HOLDS = RetreatReservation.HOLDS_A_SEAT


def units_taken(option: RetreatOption) -> int:
    taken = option.purchases.filter(status__in=HOLDS).aggregate(units=Sum("quantity"))["units"]
    return int(taken or 0)


def purchasable_option(option_id: int, quantity: int) -> RetreatOption:
    """The option `option_id` on sale, of a published retreat, or `Invalid`."""
    option = (
        RetreatOption.objects.select_related("retreat")
        .filter(pk=option_id, is_active=True, retreat__is_published=True)
        .first()
    )
    if option is None:
        raise Invalid(_("Retreat option %(id)s does not exist or is not on sale.") % {"id": option_id})
    return option  # its units are counted when they are held (`hold_options`), under the row's lock


def sold_out(option: RetreatOption) -> Conflict:
    return Conflict(
        _("The option “%(name)s” has no unit left for sale.") % {"name": localized(option, "name")},
        code=ErrorCode.RETREAT_OPTION_SOLD_OUT,
    )


def _seat(order: Order, option: RetreatOption) -> RetreatReservation:
    """The member's seat at the option's retreat: confirmed, or held by this very order (a seat
    still being paid in another order could yet fail, leaving its options with no seat)."""
    mine = Q(status=RetreatReservation.Status.CONFIRMED) | Q(
        status=RetreatReservation.Status.PENDING, order_line__order=order
    )
    seat = RetreatReservation.objects.filter(mine, user_id=order.user_id, retreat_id=option.retreat_id).first()
    if seat is None:
        raise Invalid(
            fields={
                "lines": [
                    _("The option “%(name)s” is sold only with a seat at the retreat “%(retreat)s”.")
                    % {"name": localized(option, "name"), "retreat": localized(option.retreat, "name")}
                ]
            }
        )
    return seat


def hold_options(order: Order, items: Sequence[CartItem]) -> None:
    """In the transaction that creates `order`, after its seats are held: each option line's units,
    counted under a lock on the option's row (a sold-out option: 409, the order is never created)."""
    lines = list(order.lines.order_by("id"))
    for item, line in zip(items, lines, strict=True):
        if item.kind != "retreat_option":
            continue
        option = RetreatOption.objects.select_for_update().select_related("retreat").get(pk=item.product.pk)
        seat = _seat(order, option)
        if units_taken(option) + item.quantity > option.stock:
            raise sold_out(option)
        RetreatOptionPurchase.objects.create(reservation=seat, option=option, order_line=line, quantity=item.quantity)


def active_purchases(seat: RetreatReservation) -> list[RetreatOptionPurchase]:
    """The options bought with `seat` still held, with their order lines (refunded with the seat)."""
    held = seat.option_purchases.filter(status__in=HOLDS, quantity__gt=0)
    return list(held.select_related("order_line", "order_line__order", "option").order_by("id"))


@dataclass(frozen=True)
class Offer:
    """An option as a retreat's page shows it: this member's price and the units left."""

    option: RetreatOption
    name: str
    price: Decimal
    remaining: int


def offers(retreat: Retreat, held: set[int], user_id: int | None) -> tuple[list[Offer], bool]:
    """The options on sale of `retreat`, and whether the reader holds a confirmed seat there (options
    are added to it), in one query; `held`: the memberships the reader holds."""
    taken = Sum("purchases__quantity", filter=Q(purchases__status__in=HOLDS))
    seat = RetreatReservation.objects.filter(
        user_id=user_id or 0, retreat_id=OuterRef("retreat_id"), status=RetreatReservation.Status.CONFIRMED
    )
    listed = list(
        RetreatOption.objects.filter(retreat=retreat, is_active=True)
        .annotate(units=taken, seat=Exists(seat))
        .order_by("id")
    )
    shown = [
        Offer(
            option,
            localized(option, "name"),
            prices.price_for(option, bool(held)),
            max(option.stock - int(option.units or 0), 0),
        )
        for option in listed
    ]
    return shown, any(option.seat for option in listed)


def page_refusal(user_id: int, option: RetreatOption) -> DomainError | None:
    """Before the checkout page asks for a card: no confirmed seat there (400), or no unit left (409)."""
    if not option.retreat.reservations.filter(user_id=user_id, status=RetreatReservation.Status.CONFIRMED).exists():
        return Invalid(
            _("The option “%(name)s” is sold only with a seat at the retreat “%(retreat)s”.")
            % {"name": localized(option, "name"), "retreat": localized(option.retreat, "name")}
        )
    if units_taken(option) >= option.stock:
        return sold_out(option)
    return None
