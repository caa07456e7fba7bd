"""Coupons: which orders a code applies to, what it takes off, and its uses.

The discount comes off the subtotal of the lines the coupon applies to, before tax, rounded to the
cent half-up once (`pricing.totals` then taxes what is left). A coupon is *held* by each pending
order that carries it and *used* by each paid one (`CouponUse`, written in the transaction that
marks the order paid, deleted when the order is refunded in full). Limits count both, under a lock
on the coupon's row taken when the order is created: two members racing for the last use cannot
both get it, and a failed payment gives the use back at once (its order is no longer pending).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from app.accounts.models import User
from app.core.exceptions import ErrorCode, InUse, Invalid, Throttled
from app.security import limits
from app.store.models import Coupon, CouponUse, Membership, Order, Package
from app.store.services.eligibility import CartItem
from app.store.services.pricing import CENT

CODE_MAX_LENGTH = 40


@dataclass(frozen=True)
class Discount:
    coupon: Coupon
    amount: Decimal


NOT_USABLE_MESSAGE = gettext_lazy("This coupon code cannot be used on this order.")
MEMBER_SCOPE = "coupon-failures-member"
CLIENT_SCOPE = "coupon-failures-client"
FAILURE_WINDOW_SECONDS = 3600


class CouponNotUsable(Invalid):
    """One answer whatever the reason (unknown, expired, used up, not for this member or basket), so
    that guessing codes learns nothing but "not usable here"; `reason` is for staff and the admin."""

    code = ErrorCode.COUPON_NOT_USABLE

    def __init__(self, reason: str) -> None:
        super().__init__(fields={"coupon": [NOT_USABLE_MESSAGE]})
        self.reason = reason


def _refuse(message: str) -> CouponNotUsable:
    return CouponNotUsable(message)


@contextmanager
def counting_failures(user: User, client: str) -> Iterator[None]:
    """Wrap every use of a code a member typed (check, quote, checkout): past
    `COUPON_FAILURES_PER_MEMBER` failures of the member, or `COUPON_FAILURES_PER_CLIENT` of the
    client, in the last hour, no code is even looked at (`Throttled`); each refusal counts, in
    the shared database counters."""
    for scope, ident, limit in (
        (MEMBER_SCOPE, f"user-{user.pk}", settings.COUPON_FAILURES_PER_MEMBER),
        (CLIENT_SCOPE, client, settings.COUPON_FAILURES_PER_CLIENT),
    ):
        if limits.usage(scope, ident, FAILURE_WINDOW_SECONDS).weighted > limit - 1:
            raise Throttled(_("Too many coupon codes were refused. Wait an hour before trying another."))
    try:
        yield
    except CouponNotUsable:
        limits.hit(MEMBER_SCOPE, f"user-{user.pk}", FAILURE_WINDOW_SECONDS)
        limits.hit(CLIENT_SCOPE, client, FAILURE_WINDOW_SECONDS)
        raise


def state(coupon: Coupon) -> str:
    """For staff (the admin): whether the coupon can be used at all now, and if not, why."""
    now = timezone.now()
    if coupon.valid_from and now < coupon.valid_from:
        return _("Not valid yet")
    if coupon.valid_until and now >= coupon.valid_until:
        return _("Expired")
    if coupon.max_uses is not None and uses(coupon) >= coupon.max_uses:
        return _("Used up")
    return _("Usable")


def check_coupon(
    *,
    code: str,
    percent_off: Decimal | None,
    amount_off: Decimal | None,
    valid_from: datetime | None,
    valid_until: datetime | None,
    coupon_id: int | None = None,
) -> None:
    """What makes a coupon one that can be used, for every caller (API, admin): `Invalid` naming the
    fields at fault. `coupon_id`: the coupon being changed, whose own code is not a clash."""
    errors: dict[str, list[str]] = {}
    taken = Coupon.objects.filter(code__iexact=code.strip())
    if coupon_id is not None:
        taken = taken.exclude(pk=coupon_id)
    if not code.strip():
        errors["code"] = [_("Give a code.")]
    elif taken.exists():
        errors["code"] = [_("A coupon with this code already exists.")]
    if (percent_off is None) == (amount_off is None):
        errors["percent_off"] = [_("Give exactly one of percent_off or amount_off.")]
    if valid_from and valid_until and valid_until <= valid_from:
        errors["valid_until"] = [_("The end of validity must be after its start.")]
    if errors:
        raise Invalid(fields=errors)


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def find(code: str, *, lock: bool = False) -> Coupon:
    """The coupon named `code` (any case), or `Invalid` on the `coupon` field."""
    queryset: QuerySet[Coupon] = Coupon.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    coupon = queryset.filter(code__iexact=normalise(code)).first() if len(code) <= CODE_MAX_LENGTH else None
    if coupon is None:
        raise _refuse(_("This coupon code does not exist."))
    return coupon


def _counted(coupon: Coupon) -> tuple[QuerySet[CouponUse], QuerySet[Order]]:
    return CouponUse.objects.filter(coupon=coupon), Order.objects.filter(coupon=coupon, status=Order.Status.PENDING)


def uses(coupon: Coupon, user: User | None = None) -> int:
    """Uses recorded plus uses held by pending orders (of `user` only, when given)."""
    used, held = _counted(coupon)
    if user is not None:
        used, held = used.filter(user=user), held.filter(user=user)
    return used.count() + held.count()


def _applies_to(coupon: Coupon, product: Membership | Package) -> bool:
    packages = {p.pk for p in coupon.packages.all()}
    memberships = {m.pk for m in coupon.memberships.all()}
    if not packages and not memberships:
        return True
    return product.pk in (memberships if isinstance(product, Membership) else packages)


def discount(coupon: Coupon, user: User, items: Sequence[CartItem]) -> Discount:
    """What `coupon` takes off `items` for `user`, or `Invalid` saying why it cannot be used."""
    now = timezone.now()
    if coupon.valid_from and now < coupon.valid_from:
        raise _refuse(_("This coupon is not valid yet."))
    if coupon.valid_until and now >= coupon.valid_until:
        raise _refuse(_("This coupon has expired."))
    organizations = {o.pk for o in coupon.organizations.all()}
    if organizations and user.university_id not in organizations:
        raise _refuse(_("This coupon is reserved to members of other organisations."))
    eligible = sum(
        (item.product.price * item.quantity for item in items if _applies_to(coupon, item.product)), Decimal(0)
    )
    if not eligible:
        raise _refuse(_("This coupon does not apply to any product of this order."))
    if coupon.max_uses is not None and uses(coupon) >= coupon.max_uses:
        raise _refuse(_("This coupon has been used up."))
    if coupon.max_uses_per_member is not None and uses(coupon, user) >= coupon.max_uses_per_member:
        raise _refuse(_("You have already used this coupon as many times as it allows."))
    if coupon.percent_off is not None:
        amount = (eligible * coupon.percent_off / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        amount = min(Decimal(coupon.amount_off or 0), eligible)
    return Discount(coupon, amount)


def record_use(order: Order) -> None:
    """In the transaction that marks `order` paid: its coupon's use becomes permanent."""
    if order.coupon_id:
        CouponUse.objects.get_or_create(order=order, defaults={"coupon_id": order.coupon_id, "user_id": order.user_id})


def return_use(order: Order) -> None:
    """In the transaction that refunds `order` in full: its coupon may be used again."""
    CouponUse.objects.filter(order=order).delete()


def delete_coupon(coupon: Coupon) -> None:
    """Delete a coupon no order refers to; orders must keep theirs."""
    try:
        coupon.delete()
    except ProtectedError:
        raise InUse(_("This coupon is on orders and cannot be deleted; end its validity instead.")) from None
