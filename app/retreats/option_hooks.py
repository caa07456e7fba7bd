"""How the store's checkout sells a retreat option (`app.store.services.kinds`; registered in apps.py).

Its units follow their order: held when it is created (after its seats), confirmed when it is paid,
released when its payment fails, given back (stock freed) as its line is refunded.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.i18n import localized
from app.retreats import options, prices, store_hooks
from app.retreats.models import RetreatOption, RetreatOptionPurchase

if TYPE_CHECKING:
    from app.store.models import Coupon, Order, OrderLine
    from app.store.services.eligibility import CartItem

Status = RetreatOptionPurchase.Status


def product(option_id: int, quantity: int) -> RetreatOption:
    return options.purchasable_option(option_id, quantity)


def refusal(user: User, option: RetreatOption) -> str | None:
    """Options of a retreat that has started are no longer sold (the seat is checked when held)."""
    first = option.retreat.dates.order_by("start").first()
    if first is None or first.start <= timezone.now():
        return _("The retreat “%(name)s” has started or has no date: it is no longer sold.") % {
            "name": localized(option.retreat, "name")
        }
    return None


def unit_price(option: RetreatOption, held: set[int]) -> Decimal | None:
    return prices.member_price(option, bool(held))


def coupon_applies(coupon: Coupon, option: RetreatOption, unrestricted: bool) -> bool:
    """A coupon applies to an option as to its retreat."""
    return store_hooks.coupon_applies_to_retreat(coupon, option.retreat_id, unrestricted)


def hold(order: Order, items: Sequence[CartItem], invitation: str = "") -> None:
    options.hold_options(order, items)


def confirm(line: OrderLine) -> None:
    RetreatOptionPurchase.objects.filter(order_line=line, status=Status.PENDING).update(status=Status.CONFIRMED)


def release(order: Order) -> None:
    RetreatOptionPurchase.objects.filter(order_line__order=order, status=Status.PENDING).update(status=Status.RELEASED)


def free(line: OrderLine) -> None:
    """Units of `line` were refunded: they go back into the option's stock."""
    from app.store.models import OrderLine

    left = OrderLine.objects.filter(pk=line.pk).values_list("quantity", "refunded_quantity").first()
    units = max(left[0] - left[1], 0) if left else 0
    held = RetreatOptionPurchase.objects.filter(order_line_id=line.pk, status__in=options.HOLDS)
    if units:
        held.update(quantity=units)
    else:
        held.update(quantity=0, status=Status.CANCELLED)
