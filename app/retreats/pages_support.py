"""What the member pages ask of retreats, answered with the API's own rules (services, serializers).

Kept apart from `services` so that the pages add no rule of their own: seats left as the API counts
them, the price a member pays as the checkout prices it, the refund a cancellation would give now as
the partial-refund path computes it, and the video link's window as `/join/` opens it. Imported on a
retreat page's first use only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from app.accounts.models import User
from app.core.exceptions import Conflict
from app.retreats import services, store_hooks
from app.retreats.models import Retreat, RetreatDate, RetreatInvitation, RetreatReservation
from app.retreats.seat_counts import free_seats, with_seats


def published(user_id: int | None = None) -> QuerySet[Retreat]:
    """Published retreats with their seats (`with_seats`) and their dates (one more query for a list)."""
    dates = Prefetch("dates", queryset=RetreatDate.objects.order_by("start", "id"))
    return with_seats(Retreat.objects.filter(is_published=True), user_id).prefetch_related(dates)


def upcoming(user_id: int | None = None, now: datetime | None = None) -> QuerySet[Retreat]:
    """Published retreats whose first date is still to come, soonest first."""
    first = RetreatDate.objects.filter(retreat=OuterRef("pk")).order_by("start").values("start")[:1]
    return (
        published(user_id)
        .annotate(first_start=Subquery(first))
        .filter(first_start__gt=now or timezone.now())
        .order_by("first_start", "id")
    )


def seats_for(retreat: Retreat) -> int:
    """Seats this member may buy: the public ones and the one a waiting-list offer holds for them."""
    return max(free_seats(retreat) + retreat.offered_to_me, 0)  # type: ignore[attr-defined]


def invited_seats_left(invitation: RetreatInvitation, now: datetime | None = None) -> int:
    """Seats of `invitation` not taken yet (none once it is released)."""
    if invitation.release_at <= (now or timezone.now()):
        return 0
    used = invitation.reservations.filter(status__in=RetreatReservation.HOLDS_A_SEAT).count()
    return max(invitation.seats - used, 0)


def open_invitation(token: str) -> RetreatInvitation | None:
    """The invitation of `token` for a published retreat (released or not), or None."""
    if not token or len(token) > 40:
        return None
    return (
        RetreatInvitation.objects.select_related("retreat", "coupon")
        .filter(token=token, retreat__is_published=True)
        .first()
    )


def price_for(retreat: Retreat, held: set[int]) -> Decimal:
    """The seat's price before taxes for a member holding the memberships `held`, as the checkout prices it."""
    member = store_hooks.unit_price(retreat, held)
    return retreat.price if member is None else member


def sold_out_error(retreat: Retreat, invitation: RetreatInvitation | None = None) -> Conflict | None:
    """The checkout's `retreat_sold_out` answer, known before paying (None: a seat is left for this
    member). `retreat` from `with_seats` with the member's id."""
    if invitation is not None and invitation.retreat_id == retreat.pk and invited_seats_left(invitation):
        return None
    return None if seats_for(retreat) else services.sold_out(retreat)


@dataclass(frozen=True)
class RefundPreview:
    percent: Decimal  # the policy's share today
    amount: Decimal  # what cancelling now gives back


def refund_preview(reservation: RetreatReservation, now: datetime | None = None) -> RefundPreview:
    """What cancelling `reservation` now would refund: the refunds `services.refund_plan` lists for the
    policy's share today (`services.refund_share`), each valued by the partial-refund path's own
    `amount_due`: what `services.cancel` then gives back."""
    from app.store.services.partial_refunds import amount_due

    percent = services.refund_share(reservation.retreat, now)
    total = Decimal("0.00")
    for planned in services.refund_plan(reservation, percent):
        lines = list(planned.order.lines.order_by("id"))
        wanted = {item["id"]: item["quantity"] for item in planned.lines}
        total += amount_due(planned.order, lines, wanted, planned.share, planned.money)
    return RefundPreview(percent=percent, amount=total)


def open_dates(retreat_ids: list[int], now: datetime | None = None) -> set[int]:
    """Of `retreat_ids`, those with a date in its link window now (`services.link_window`), in one query."""
    if not retreat_ids:
        return set()
    window = services.link_window(now or timezone.now())
    return set(RetreatDate.objects.filter(window, retreat_id__in=retreat_ids).values_list("retreat_id", flat=True))


def may_buy(user: User, retreat: Retreat) -> str | None:
    """Why `user` may not buy a seat (None: they may), as the checkout refuses."""
    return services.retreat_refusal(user, retreat)
