"""The reads that the API, the admin and the pages share: which slots to show, and what a member
can do with each.

A slot's availability (its places left, and whether the member has it already, it is full, or
they lack the tickets) is worked out for the slots being shown only — a page of the API's list or
of /sessions/ — by subqueries of the page's own query (`with_counts`), whatever the number of
upcoming slots.
Counting places over every slot (`with_places`) is only for what must sort or filter on them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from app.accounts.models import User
from app.bookings import waitlist
from app.bookings.models import Reservation, TimeSlot

ACTIVE = Reservation.Status.ACTIVE


class Availability(StrEnum):
    """What a member can do with a slot, in the order the reasons are checked."""

    RESERVED = "reserved"  # the member holds a seat already
    FULL = "full"
    NOT_ENOUGH_TICKETS = "not_enough_tickets"
    OPEN = "open"  # a visitor sees this for every slot with a place left


@dataclass(frozen=True)
class SlotAvailability:
    places_remaining: int
    state: Availability


def timeslots(*, include_removed: bool = False) -> QuerySet[TimeSlot]:
    """Slots with their period and workplace (one query); removed ones only with `include_removed`."""
    slots = TimeSlot.objects.select_related("period__workplace")
    return slots if include_removed else slots.filter(removed_at__isnull=True)


def upcoming_timeslots() -> QuerySet[TimeSlot]:
    """What members may book: slots of active periods that have not started."""
    return timeslots().filter(start__gt=timezone.now(), period__is_active=True)


def with_places(slots: QuerySet[TimeSlot]) -> QuerySet[TimeSlot]:
    """`slots` annotated with `places_remaining`, for filtering or sorting on it (counts every row)."""
    taken = Count("reservations", filter=Q(reservations__status=ACTIVE))
    # A seat held by a waiting-list offer is taken for everyone (app/bookings/waitlist.py).
    free = F("period__workplace__seats") - taken - waitlist.held_seats()
    return slots.annotate(places_remaining=Greatest(free, Value(0)))


def timeslots_with_places(*, include_removed: bool = False) -> QuerySet[TimeSlot]:
    """Slots with their workplace and `places_remaining`, in one query whatever the number of rows."""
    return with_places(timeslots(include_removed=include_removed))


def with_counts(slots: QuerySet[TimeSlot], member: User | AnonymousUser | None) -> QuerySet[TimeSlot]:
    """`slots` carrying what availability needs (`seats_taken`, `seats_mine`, `seats_held`) as
    subqueries of their own query: no query of its own, and counted only for the rows fetched (a
    page), not for every slot the filters match."""
    member = member if member is not None and member.is_authenticated else None
    active = Reservation.objects.filter(timeslot=OuterRef("pk"), status=ACTIVE)
    mine: Exists | Value = Exists(active.filter(user_id=member.pk)) if member is not None else Value(False)
    offers = waitlist.held_for_others(OuterRef("pk"), member)
    return slots.annotate(seats_taken=count_of(active), seats_mine=mine, seats_held=count_of(offers))


def with_queue(slots: QuerySet[TimeSlot], member: User) -> QuerySet[TimeSlot]:
    """`slots` carrying the member's waiting-list status there (`queued`: None, `waiting`, or
    `offered` while the offer runs), a subquery of their own query."""
    entry = waitlist.entry_state(OuterRef("pk"), member)
    return slots.annotate(queued=Subquery(entry[:1]))


def availability(slots: Iterable[TimeSlot], member: User | AnonymousUser | None) -> dict[int, SlotAvailability]:
    """Each slot's availability for `member` (None or anonymous: a visitor), by slot id. Slots read
    through `with_counts` cost no query; others, one for all of them."""
    slots = list(slots)
    member = member if member is not None and member.is_authenticated else None
    missing = [slot.pk for slot in slots if not hasattr(slot, "seats_taken")]
    counts = {}
    if missing:
        rows = with_counts(TimeSlot.objects.filter(pk__in=missing), member).order_by()
        counts = {row[0]: row[1:] for row in rows.values_list("pk", "seats_taken", "seats_mine", "seats_held")}
    found = {}
    for slot in slots:
        taken, mine, held = counts.get(slot.pk) or (slot.seats_taken, slot.seats_mine, slot.seats_held)  # type: ignore[attr-defined]
        found[slot.pk] = _availability_of(slot, taken, mine, held, member)
    return found


def with_availability(slots: Iterable[TimeSlot], member: User | AnonymousUser | None) -> list[TimeSlot]:
    """`slots` as a list, each carrying `.availability` (a `SlotAvailability`)."""
    slots = list(slots)
    found = availability(slots, member)
    for slot in slots:
        slot.availability = found[slot.pk]  # type: ignore[attr-defined]  # read by the serializer and pages
    return slots


def count_of(rows: QuerySet[Any]) -> Coalesce:
    """The number of `rows` (of a model with a `timeslot`, correlated to the outer slot by
    `OuterRef`), as a subquery."""
    counted = rows.order_by().values("timeslot_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), Value(0))


def _availability_of(slot: TimeSlot, taken: int, mine: int, held: int, member: User | None) -> SlotAvailability:
    places = max(slot.period.workplace.seats - taken - held, 0)
    if mine:
        state = Availability.RESERVED
    elif places == 0:
        state = Availability.FULL
    elif member is not None and member.tickets < slot.price:
        state = Availability.NOT_ENOUGH_TICKETS
    else:
        state = Availability.OPEN
    return SlotAvailability(places_remaining=places, state=state)
