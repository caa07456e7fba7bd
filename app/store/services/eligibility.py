"""Who may buy what: products must exist and be available; memberships may be reserved to academic
levels; packages may be reserved to holders of some memberships (held, or bought in the same order).
What a member holds is read from `HeldMembership` only (bought or granted by staff)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Invalid
from app.core.i18n import localized
from app.store.models import HeldMembership, Membership, Package
from app.store.services import kinds

ProductKind = Literal["membership", "package", "retreat", "retreat_option"]
Product = Membership | Package | kinds.SoldProduct

# Far below Python's datetime limit (year 9999), so that any membership end can still be extended.
MEMBERSHIP_END_MAX = datetime(9000, 1, 1, tzinfo=UTC)
TICKET_BALANCE_MAX = 2_147_483_647  # User.tickets: a 32-bit integer column on PostgreSQL


class CheckoutLine(TypedDict):
    """One line as the client sends it."""

    product: ProductKind
    id: int
    quantity: int


@dataclass(frozen=True)
class CartItem:
    kind: ProductKind
    product: Product
    quantity: int
    # What one unit costs this member (a retreat's member price for membership holders); None: `price`.
    price: Decimal | None = None

    @property
    def unit_price(self) -> Decimal:
        return self.product.price if self.price is None else self.price


def _product(line: CheckoutLine) -> Product:
    if line["product"] in kinds.kinds():  # sold by another domain (retreats)
        return kinds.hooks(line["product"]).product(line["id"], line["quantity"])
    model: type[Membership] | type[Package] = Membership if line["product"] == "membership" else Package
    product = model.objects.filter(pk=line["id"], available=True).first()
    if product is None:
        kind = _("Membership") if line["product"] == "membership" else _("Package")
        raise Invalid(_("%(kind)s %(id)s does not exist or is not available.") % {"kind": kind, "id": line["id"]})
    return product


def check_grantable(user: User, items: Sequence[CartItem]) -> None:
    """Refuse, before any charge, an order whose goods could not be granted (a product made before
    the bounds on products, or a membership end or ticket balance already near its limit)."""
    days = sum(item.product.duration_days * item.quantity for item in items if isinstance(item.product, Membership))
    tickets = sum(item.product.tickets * item.quantity for item in items if isinstance(item.product, Package))
    now = timezone.now()
    start = max(now, user.membership_end or now)
    if days and (days > (MEMBERSHIP_END_MAX - start).days):
        raise Invalid(fields={"lines": [_("This order would extend the membership beyond what can be recorded.")]})
    if tickets and user.tickets + tickets > TICKET_BALANCE_MAX:
        raise Invalid(fields={"lines": [_("This order would give more tickets than a balance can hold.")]})


def held_membership_ids(user: User) -> set[int]:
    """Ids of the memberships `user` holds now (one query): what every eligibility rule asks."""
    if not user.is_authenticated:
        return set()
    now = timezone.now()
    held = HeldMembership.objects.filter(user=user, start__lte=now, end__gt=now, membership__isnull=False)
    return set(held.values_list("membership_id", flat=True))


def refusal(user: User, product: Product, held: set[int], bought: Iterable[int] = ()) -> str | None:
    """Why `user` may not buy `product` (None when they may), from prefetched rows.

    `held`: the memberships `user` holds (`held_membership_ids`); `bought`: those in the same order.
    """
    if not isinstance(product, (Membership, Package)):
        refused: str | None = kinds.hooks(kinds.kind_of(product)).refusal(user, product)
        return refused
    if isinstance(product, Membership):
        levels = list(product.academic_levels.all())
        if levels and user.academic_level_id not in {level.pk for level in levels}:
            return _("The membership “%(name)s” is reserved to these academic levels: %(levels)s.") % {
                "name": localized(product, "name"),
                "levels": ", ".join(localized(level, "name") for level in levels),
            }
        return None
    exclusive = list(product.exclusive_memberships.all())
    if exclusive and not (held | set(bought)) & {m.pk for m in exclusive}:
        return _("The package “%(name)s” is reserved to members holding: %(memberships)s.") % {
            "name": localized(product, "name"),
            "memberships": ", ".join(localized(m, "name") for m in exclusive),
        }
    return None


def refusals(user: User, products: Iterable[Membership | Package]) -> dict[Membership | Package, str | None]:
    """For the store's page: each product and why `user` may not buy it alone (None: they may).

    Prefetch `academic_levels` and `exclusive_memberships`: the whole list then costs one query more.
    """
    held = held_membership_ids(user)
    return {product: (refusal(user, product, held) if user.is_authenticated else None) for product in products}


def resolve_items(user: User, lines: Sequence[CheckoutLine]) -> list[CartItem]:
    """The products of `lines`, or `Invalid` naming what may not be bought."""
    held = held_membership_ids(user)
    items = [_item(line, _product(line), held) for line in lines]
    bought = {item.product.pk for item in items if item.kind == "membership"}
    for item in items:
        reason = refusal(user, item.product, held, bought)
        if reason:
            raise Invalid(reason)
    check_grantable(user, items)
    return items


def _item(line: CheckoutLine, product: Product, held: set[int]) -> CartItem:
    price = None
    if not isinstance(product, (Membership, Package)):
        price = kinds.hooks(line["product"]).unit_price(product, held)  # e.g. a member price
    return CartItem(line["product"], product, line["quantity"], price)
