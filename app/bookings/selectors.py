"""The reads that the API, the admin and the pages share: which slots to show, and what a member
can do with each.

A slot's availability (its places left, and whether the member has it already, it is full, or
they lack the tickets) is worked out by `with_availability` for the slots being shown only — a
page of the API's list or of /sessions/ — in one query whatever the number of upcoming slots.
Counting places over every slot (`with_places`) is only for what must sort or filter on them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest
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


def availability(slots: Iterable[TimeSlot], member: User | AnonymousUser | None) -> dict[int, SlotAvailability]:
    """Each slot's availability for `member` (None or anonymous: a visitor), by slot id, in one query."""
    slots = list(slots)
    member = member if member is not None and member.is_authenticated else None
    counts = _counts([slot.pk for slot in slots], member)
    return {slot.pk: _availability_of(slot, *counts.get(slot.pk, (0, 0, 0)), member) for slot in slots}


def with_availability(slots: Iterable[TimeSlot], member: User | AnonymousUser | None) -> list[TimeSlot]:
    """`slots` as a list, each carrying `.availability` (a `SlotAvailability`)."""
    slots = list(slots)
    found = availability(slots, member)
    for slot in slots:
        slot.availability = found[slot.pk]  # type: ignore[attr-defined]  # read by the serializer and pages
    return slots


def _counts(slot_ids: list[int], member: User | None) -> dict[int, tuple[int, int, int]]:
    """slot id -> (active reservations, the member's among them, seats held by offers to others),
    for these slots only, in one query (the reservations' counts and the offers' in a UNION ALL)."""
    if not slot_ids:
        return {}
    mine = Count("id", filter=Q(user_id=member.pk)) if member is not None else Value(0)
    reservations = (
        Reservation.objects.filter(timeslot_id__in=slot_ids, status=ACTIVE)
        .order_by()
        .values("timeslot_id")
        .annotate(taken=Count("id"), mine=mine, held=Value(0))
        .values_list("timeslot_id", "taken", "mine", "held")
    )
    offers = (
        waitlist.held_for_others(slot_ids, member)
        .order_by()
        .values("timeslot_id")
        .annotate(taken=Value(0), mine=Value(0), held=Count("id"))
        .values_list("timeslot_id", "taken", "mine", "held")
    )
    counts: dict[int, tuple[int, int, int]] = {}
    for slot_id, taken, mine_count, held in reservations.union(offers, all=True):
        before = counts.get(slot_id, (0, 0, 0))
        counts[slot_id] = (before[0] + taken, before[1] + mine_count, before[2] + held)
    return counts


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
