"""Waiting lists of sold-out retreats: joining, leaving, offers that hold a freed seat, passing them on.

The member's-week waiting list (app/bookings/waitlist.py) for retreats. When a seat frees up (a
cancellation, a seat released after a failed payment, an invitation's seats released, seats
added), the first member waiting gets an offer e-mail and one seat is held for them until
`min(now + WAITLIST_HOLD_MINUTES, the first date's start)`. A held seat counts as taken for
everyone else (`seats_remaining`, the checkout's `hold_seats`); the offered member buys it through
the normal checkout, which ends their entry. Leaving or letting the offer expire passes the seat to
the next in line.

Every change runs under the retreat's row lock, the one the checkout takes, so an offer and a sale
never both get the last seat. Offers are made after commit and after the answer
(`app.core.deferred`), and by `manage.py process_retreat_waitlists` every 5 minutes (expired
offers, invitations released, seats added).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.deferred import after_response
from app.core.exceptions import Conflict, ErrorCode, Invalid, NotFound
from app.core.i18n import localized
from app.core.queues import position_in_queue
from app.retreats import notices, seat_counts
from app.retreats.models import Retreat, RetreatReservation, RetreatWaitlistEntry

WAITING = RetreatWaitlistEntry.Status.WAITING
OFFERED = RetreatWaitlistEntry.Status.OFFERED


# --- Offers ------------------------------------------------------------------------------------


def offer_expiry(first_start: datetime, now: datetime) -> datetime:
    return min(now + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES), first_start)


# --- Seats freed: offered after commit and after the answer -----------------------------------


def seat_freed(retreat_id: int) -> None:
    transaction.on_commit(partial(after_response, "app.retreats.waitlist.offer_freed_seats", retreat_id))


def offer_freed_seats(retreat_id: int) -> int:
    """Offer the retreat's free seats to the first members waiting. One query when nobody waits."""
    if not RetreatWaitlistEntry.objects.filter(retreat_id=retreat_id).exists():
        return 0
    return process_retreat(retreat_id)


def process_retreat(retreat_id: int) -> int:
    """Drop expired offers (and the list of a retreat that started), offer every seat free to the
    public to the first members waiting. Returns the number of offers made; e-mails go after commit."""
    with transaction.atomic():
        now = timezone.now()
        retreat = Retreat.objects.select_for_update().filter(pk=retreat_id).first()
        if retreat is None:
            return 0
        entries = RetreatWaitlistEntry.objects.filter(retreat=retreat)
        first = retreat.dates.order_by("start").first()
        if first is not None and first.start <= now:
            entries.delete()  # started: nothing can be offered there any more
            return 0
        if first is None or not retreat.is_published:  # withdrawn from sale for now: the list waits
            return 0
        entries.filter(status=OFFERED, offer_expires_at__lte=now).delete()
        free = seat_counts.sellable_to(retreat.pk)
        if free <= 0:
            return 0
        chosen = list(entries.filter(status=WAITING).select_related("user").order_by("created", "id")[:free])
        expires = offer_expiry(first.start, now)
        RetreatWaitlistEntry.objects.filter(pk__in=[entry.pk for entry in chosen]).update(
            status=OFFERED, offer_expires_at=expires
        )
        for entry in chosen:
            entry.status, entry.offer_expires_at, entry.retreat = OFFERED, expires, retreat
            notices.offer(entry)
    return len(chosen)


def process_waitlists() -> int:
    """The scheduled pass: every retreat with a waiting list. Returns the number of offers made."""
    retreat_ids = sorted(set(RetreatWaitlistEntry.objects.values_list("retreat_id", flat=True)))
    return sum(process_retreat(retreat_id) for retreat_id in retreat_ids)


# --- Members' actions --------------------------------------------------------------------------


def join(user: User, retreat_id: int) -> RetreatWaitlistEntry:
    """Queue for a sold-out retreat. Refused (409) when a seat is for sale, the member has a seat or
    an entry, or the retreat has started."""
    now = timezone.now()
    with transaction.atomic():
        retreat = Retreat.objects.select_for_update().filter(pk=retreat_id, is_published=True).first()
        if retreat is None:
            raise Invalid(fields={"retreat": [_("No retreat with this id.")]})  # a bad id in the body: 400
        name = localized(retreat, "name")
        first = retreat.dates.order_by("start").first()
        if first is None or first.start <= now:
            raise Conflict(
                _("The retreat “%(name)s” has started: its waiting list is closed.") % {"name": name},
                code=ErrorCode.WAITLIST_CLOSED,
            )
        if retreat.reservations.filter(user=user, status__in=RetreatReservation.HOLDS_A_SEAT).exists():
            raise Conflict(
                _("You already have a seat at the retreat “%(name)s”.") % {"name": name},
                code=ErrorCode.ALREADY_RESERVED,
            )
        if RetreatWaitlistEntry.objects.filter(retreat=retreat, user=user).exists():
            raise Conflict(
                _("You are already on the waiting list of the retreat “%(name)s”.") % {"name": name},
                code=ErrorCode.ALREADY_WAITING,
            )
        if seat_counts.sellable_to(retreat.pk, user.pk) > 0:
            raise Conflict(_("A seat is free: buy it instead."), code=ErrorCode.WAITLIST_SEAT_AVAILABLE)
        return RetreatWaitlistEntry.objects.create(user=user, retreat=retreat)


def leave(entry_id: int, actor: User) -> None:
    """Leave a list (staff: remove anyone); a running offer passes to the next member."""
    with transaction.atomic():
        entry = RetreatWaitlistEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None or (entry.user_id != actor.pk and not actor.is_staff):
            raise NotFound(_("No waiting-list entry with this id."))
        entry.delete()
        if entry.status == OFFERED:
            seat_freed(entry.retreat_id)


def leave_all(user: User) -> None:
    """Every entry of a member goes (closing the account); seats on offer pass to the next in line."""
    offered = list(RetreatWaitlistEntry.objects.filter(user=user, status=OFFERED).values_list("retreat_id", flat=True))
    RetreatWaitlistEntry.objects.filter(user=user).delete()
    for retreat_id in offered:
        seat_freed(retreat_id)


def entries(actor: User) -> QuerySet[RetreatWaitlistEntry]:
    """The caller's entries (staff: everyone's), with `position` in their retreat's queue."""
    if not actor.is_authenticated:
        raise Invalid(_("Log in to see your waiting lists."))
    position = position_in_queue(RetreatWaitlistEntry, "retreat")
    rows = RetreatWaitlistEntry.objects.select_related("retreat").annotate(position=position)
    if not actor.is_staff:
        rows = rows.filter(user=actor)
    return rows.order_by(F("retreat__name"), "created", "id")
