"""Waiting lists of full time slots: joining, leaving, offers that hold a freed seat, and passing them on.

When a seat frees up (a cancellation by any path, seats raised, a slot moved), the first member
waiting gets an offer: one seat is held for them until
`min(now + WAITLIST_HOLD_MINUTES, start - WAITLIST_CUTOFF_MINUTES)`. A held seat counts as taken
for everyone else (`places_remaining`, `reserve`); the offered member books through the normal
`reserve`, which deletes the entry. Declining, leaving or letting the offer expire passes the seat
to the next in line; after the cutoff no offer goes out and freed seats are public.

Every change runs under the slot's row lock, the one `reserve` takes, so an offer and a booking
never both get the last seat. Offers are made after commit and after the answer
(`app.core.deferred`), and by `process_waitlists` every 5 minutes in batches whose number of
queries does not depend on their size.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.bookings.exceptions import AlreadyReserved, AlreadyWaiting, SeatAvailable, SlotStarted, WaitlistClosed
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry
from app.core.deferred import after_response
from app.core.exceptions import Invalid, NotFound, PermissionDenied
from app.core.queues import position_in_queue

WAITING = WaitlistEntry.Status.WAITING
OFFERED = WaitlistEntry.Status.OFFERED
BATCH_SLOTS = 200


# --- Held seats ---------------------------------------------------------------------------


def _live_offers() -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(status=OFFERED, offer_expires_at__gt=Now())


def held_seats() -> Coalesce:
    """For `TimeSlot` querysets: the seats held by running offers (a subquery, so no join multiplies rows)."""
    held = (
        _live_offers()
        .filter(timeslot=OuterRef("pk"))
        .order_by()
        .values("timeslot")
        .annotate(count=Count("id"))
        .values("count")
    )
    return Coalesce(Subquery(held), Value(0))


def seats_held_for_others(slot: TimeSlot, user: User, now: datetime) -> int:
    """Seats of `slot` held for members other than `user` (call under the slot lock)."""
    return (
        WaitlistEntry.objects.filter(timeslot=slot, status=OFFERED, offer_expires_at__gt=now).exclude(user=user).count()
    )


def entry_used(user: User, slot: TimeSlot) -> None:
    """The member booked the slot: their entry (waiting or offered) is done."""
    WaitlistEntry.objects.filter(user=user, timeslot=slot).delete()


def cutoff(slot: TimeSlot) -> datetime:
    return slot.start - timedelta(minutes=settings.WAITLIST_CUTOFF_MINUTES)


def offer_expiry(slot: TimeSlot, now: datetime) -> datetime:
    return min(now + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES), cutoff(slot))


# --- Hooks for the booking services (after commit, after the answer) -----------------------


def seat_freed(timeslot_id: int) -> None:
    transaction.on_commit(partial(after_response, "app.bookings.waitlist.offer_freed_seats", timeslot_id))


def after_seats_changed(workplace_id: int) -> None:
    transaction.on_commit(partial(after_response, "app.bookings.waitlist.offer_for_workplace", workplace_id))


def offer_freed_seats(timeslot_id: int) -> int:
    """Offer the slot's free seats to the first members waiting. One query when nobody waits."""
    if not WaitlistEntry.objects.filter(timeslot_id=timeslot_id).exists():
        return 0
    return process_slots([timeslot_id])


def offer_for_workplace(workplace_id: int) -> int:
    slots = (
        WaitlistEntry.objects.filter(timeslot__period__workplace_id=workplace_id, timeslot__start__gt=timezone.now())
        .values_list("timeslot_id", flat=True)
        .distinct()
    )
    return process_slots(sorted(set(slots)))


# --- Offers, expiry, passing on -------------------------------------------------------------


def process_slots(slot_ids: Iterable[int]) -> int:
    """Expire offers, drop the lists of started or removed slots, and offer every free seat.

    The same few queries whatever the number of slots and entries, all under the slots' locks
    taken in id order.
    Returns the number of offers made; their e-mails go after commit.
    """
    from app.bookings import notices  # notices imports the booking modules that import this one

    slot_ids = sorted(set(slot_ids))
    if not slot_ids:
        return 0
    offers: list[WaitlistEntry] = []
    with transaction.atomic():
        now = timezone.now()
        slots = {
            slot.pk: slot
            for slot in TimeSlot.objects.select_for_update(of=("self",))
            .select_related("period__workplace")
            .filter(pk__in=slot_ids)
            .order_by("pk")
        }
        WaitlistEntry.objects.filter(timeslot_id__in=slot_ids).filter(
            Q(status=OFFERED, offer_expires_at__lte=now)
            | Q(timeslot__removed_at__isnull=False)
            | Q(timeslot__start__lte=now)
        ).delete()
        open_ids = [pk for pk, slot in slots.items() if slot.removed_at is None and now < cutoff(slot)]
        taken = _counts(Reservation.objects.filter(timeslot_id__in=open_ids, status=Reservation.Status.ACTIVE))
        held = _counts(WaitlistEntry.objects.filter(timeslot_id__in=open_ids, status=OFFERED))
        waiting: dict[int, list[WaitlistEntry]] = defaultdict(list)
        for entry in (
            WaitlistEntry.objects.filter(timeslot_id__in=open_ids, status=WAITING)
            .select_related("user")
            .order_by("timeslot_id", "created", "id")
        ):
            waiting[entry.timeslot_id].append(entry)
        for slot_id in open_ids:
            slot = slots[slot_id]
            free = slot.period.workplace.seats - taken.get(slot_id, 0) - held.get(slot_id, 0)
            for entry in waiting[slot_id][: max(free, 0)]:
                entry.status, entry.offer_expires_at, entry.timeslot = OFFERED, offer_expiry(slot, now), slot
                offers.append(entry)
        if offers:  # one UPDATE whatever their number (bulk_update would split it on sqlite)
            WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in offers]).update(
                status=OFFERED, offer_expires_at=_expiry_expression(now)
            )
        for entry in offers:
            notices.offer(entry)
    return len(offers)


def _expiry_expression(now: datetime) -> Least:
    """`offer_expiry` in SQL, for many entries of many slots at once."""
    start = Subquery(TimeSlot.objects.filter(pk=OuterRef("timeslot_id")).values("start")[:1])
    cutoff_at = ExpressionWrapper(
        start - Value(timedelta(minutes=settings.WAITLIST_CUTOFF_MINUTES)), output_field=DateTimeField()
    )
    held_until = Value(now + timedelta(minutes=settings.WAITLIST_HOLD_MINUTES), output_field=DateTimeField())
    return Least(held_until, cutoff_at)


def _counts(rows: QuerySet) -> dict[int, int]:
    return dict(rows.order_by().values("timeslot_id").annotate(n=Count("id")).values_list("timeslot_id", "n"))


def process_waitlists(batch_size: int = BATCH_SLOTS) -> int:
    """The scheduled pass (`manage.py process_waitlists`): every slot with a list, in batches."""
    now = timezone.now()
    # Lists of slots that started or were removed go; nothing can be offered there any more.
    WaitlistEntry.objects.filter(Q(timeslot__start__lte=now) | Q(timeslot__removed_at__isnull=False)).delete()
    slot_ids = sorted(set(WaitlistEntry.objects.values_list("timeslot_id", flat=True)))
    offered = 0
    for first in range(0, len(slot_ids), batch_size):
        offered += process_slots(slot_ids[first : first + batch_size])
    return offered


# --- Members' actions ----------------------------------------------------------------------


def join(user: User, timeslot_id: int) -> WaitlistEntry:
    """Queue for a full slot. Refused (409) when a seat is free, the member has a seat or an entry,
    the slot has started, or offers have stopped (the cutoff)."""
    now = timezone.now()
    with transaction.atomic():
        slot = (
            TimeSlot.objects.select_for_update(of=("self",))
            .select_related("period__workplace")
            .filter(pk=timeslot_id, removed_at__isnull=True, period__is_active=True)
            .first()
        )
        if slot is None:
            raise NotFound(_("No time slot with this id."))
        if slot.start <= now:
            raise SlotStarted(_("This time slot has already started."))
        if now >= cutoff(slot):
            raise WaitlistClosed(
                _("The waiting list closes %(minutes)d minutes before the start: seats freed now go to whoever books.")
                % {"minutes": settings.WAITLIST_CUTOFF_MINUTES}
            )
        active = Reservation.objects.filter(timeslot=slot, status=Reservation.Status.ACTIVE).aggregate(
            taken=Count("id"), mine=Count("id", filter=Q(user=user))
        )
        if active["mine"]:
            raise AlreadyReserved(_("You already have a reservation for this time slot."))
        if WaitlistEntry.objects.filter(timeslot=slot, user=user).exists():
            raise AlreadyWaiting(_("You are already on the waiting list of this time slot."))
        if active["taken"] + seats_held_for_others(slot, user, now) < slot.period.workplace.seats:
            raise SeatAvailable(_("A seat is free: reserve it instead."))
        return WaitlistEntry.objects.create(user=user, timeslot=slot)


def leave(user: User, timeslot_id: int) -> None:
    """Leave a slot's list; a running offer passes to the next member."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().filter(user=user, timeslot_id=timeslot_id).first()
        if entry is None:
            raise NotFound(_("You are not on the waiting list of this time slot."))
        entry.delete()
        if entry.status == OFFERED:
            seat_freed(timeslot_id)


def leave_all(user: User) -> None:
    """Every entry of a member goes (closing the account); seats on offer pass to the next in line."""
    offered = list(WaitlistEntry.objects.filter(user=user, status=OFFERED).values_list("timeslot_id", flat=True))
    WaitlistEntry.objects.filter(user=user).delete()
    for timeslot_id in offered:
        seat_freed(timeslot_id)


def decline(entry_id: int, actor: User) -> None:
    """Refuse an offer: the seat goes to the next member waiting."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None or (entry.user_id != actor.pk and not actor.is_staff):
            raise NotFound(_("No waiting-list entry with this id."))
        if entry.status != OFFERED:
            raise Invalid(_("This entry has no seat on offer to decline."))
        entry.delete()
        seat_freed(entry.timeslot_id)


def entries(actor: User, *, timeslot_id: int | None = None) -> QuerySet[WaitlistEntry]:
    """The caller's entries (staff: everyone's), with `position` in their slot's queue."""
    if not actor.is_authenticated:
        raise PermissionDenied()
    position = position_in_queue(WaitlistEntry, "timeslot")
    rows = WaitlistEntry.objects.select_related("timeslot__period__workplace").annotate(position=position)
    if not actor.is_staff:
        rows = rows.filter(user=actor)
    if timeslot_id is not None:
        rows = rows.filter(timeslot_id=timeslot_id)
    return rows.order_by(F("timeslot__start"), "created", "id")
