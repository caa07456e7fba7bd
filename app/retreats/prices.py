"""What a member pays for a retreat seat or an option: the member price when they hold a membership
and the product has one, else the price."""

from decimal import Decimal

from app.retreats.models import Retreat, RetreatOption


def member_price(product: Retreat | RetreatOption, holds_membership: bool) -> Decimal | None:
    """The member price a holder of a membership pays instead of the price, when there is one."""
    return product.member_price if holds_membership and product.member_price is not None else None


def price_for(product: Retreat | RetreatOption, holds_membership: bool) -> Decimal:
    member = member_price(product, holds_membership)
    return product.price if member is None else member
