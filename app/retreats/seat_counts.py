"""How many seats a retreat has left, counted in SQL in the query that reads the retreats.

One count for `/api/retreats/` (`seats_remaining`), the member pages and the checkout page: the seats
taken, those kept for unreleased invitations (each invitation's seats not used yet) and those held
by running waiting-list offers. The checkout's hold, exchanges and the waiting list count the same,
under the retreat's row lock (`sellable_to`); tests/web/test_retreat_pages.py compares the page's
count with the API's.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from app.retreats.models import Retreat, RetreatInvitation, RetreatReservation, RetreatWaitlistEntry

HOLDS_A_SEAT = RetreatReservation.HOLDS_A_SEAT


def _offers(now: datetime, user_id: int | None = None) -> Coalesce:
    """Seats held by running waiting-list offers, those made to `user_id` if given."""
    live = RetreatWaitlistEntry.objects.filter(
        retreat=OuterRef("pk"), status=RetreatWaitlistEntry.Status.OFFERED, offer_expires_at__gt=now
    )
    if user_id is not None:
        live = live.filter(user_id=user_id)
    return Coalesce(Subquery(live.order_by().values("retreat").annotate(n=Count("pk")).values("n")), 0)


def with_seats(retreats: QuerySet[Retreat], user_id: int | None = None) -> QuerySet[Retreat]:
    """`retreats` with, in the same query, what `seats_left` and `seats_for` read: the seats taken,
    those kept for unreleased invitations (each invitation's seats not used yet) and those held by
    waiting-list offers (of which those made to `user_id`), counted as the API counts
    `seats_remaining` and as the checkout holds a seat (tests/web/test_retreat_pages.py compares them)."""
    now = timezone.now()
    holding = RetreatReservation.objects.filter(status__in=HOLDS_A_SEAT)
    used = holding.filter(invitation=OuterRef("pk")).values("invitation").annotate(n=Count("pk")).values("n")
    kept = (
        RetreatInvitation.objects.filter(retreat=OuterRef("pk"), release_at__gt=now)
        .annotate(left=Greatest(F("seats") - Coalesce(Subquery(used), 0), 0))
        .values("retreat")
        .annotate(total=Sum("left"))
        .values("total")
    )
    taken = holding.filter(retreat=OuterRef("pk")).values("retreat").annotate(n=Count("pk")).values("n")
    return retreats.annotate(
        seats_taken=Coalesce(Subquery(taken), 0),
        seats_kept=Coalesce(Subquery(kept), 0),
        seats_on_offer=_offers(now),
        offered_to_me=_offers(now, user_id) if user_id is not None else Value(0),
    )


def free_seats(retreat: Retreat) -> int:
    """Seats neither taken, kept nor on offer (below zero when staff lowered `seats` under them)."""
    return retreat.seats - retreat.seats_taken - retreat.seats_kept - retreat.seats_on_offer  # type: ignore[attr-defined]


def sellable_to(retreat_id: int, user_id: int | None = None) -> int:
    """Seats that can be sold now (to `user_id`, the waiting-list offers made to them included: those
    are theirs to take), counted in one query. Called under the retreat's row lock, as the checkout,
    exchanges and the waiting list do, while no one else sells a seat of it."""
    counted = with_seats(Retreat.objects.filter(pk=retreat_id), user_id).get()
    return free_seats(counted) + counted.offered_to_me  # type: ignore[attr-defined]


def seats_left(retreat: Retreat) -> int:
    """Seats on public sale: `seats_remaining` in `/api/retreats/` (a retreat from `with_seats`)."""
    return max(free_seats(retreat), 0)
