"""The reads that the API, the admin and the pages share: which slots to show, and what a member
can do with each.

A slot's availability (its places left, and whether the member has it already, it is full, or
they lack the tickets) is worked out for the slots being shown only — a page of the API's list or
of /sessions/ — by subqueries of the page's own query (`with_counts`), whatever the number of
upcoming slots.
Counting places over every slot (`with_places`) is only for what must sort or filter on them.
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import BooleanField, CharField, Count, F, Field, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils import timezone

from app.accounts.models import User
from app.bookings import waitlist
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry

ACTIVE = Reservation.Status.ACTIVE
OFFERED = WaitlistEntry.Status.OFFERED


class Availability(StrEnum):
    """What a member can do with a slot, in the order the reasons are checked."""

    RESERVED = "reserved"  # the member holds a seat already
    FULL = "full"
    NOT_ENOUGH_TICKETS = "not_enough_tickets"
    OPEN = "open"  # a visitor sees this for every slot with a place left


class SlotAvailability(NamedTuple):  # not a dataclass: a tenth of the cost to define, at every cold start
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
    page), not for every slot the filters match. The top-level query on `TimeSlot` only (the
    subqueries name its table)."""
    member = member if member is not None and member.is_authenticated else None
    sql, now = _sql(), _now()
    if member is None:
        mine: RawSQL | Value = Value(False)
        held = _subquery(sql["held"], (OFFERED, now), IntegerField())
    else:
        mine = _subquery(sql["mine"], (ACTIVE, member.pk), BooleanField())
        held = _subquery(sql["held"] + sql["not_theirs"], (OFFERED, now, member.pk), IntegerField())
    return slots.annotate(
        seats_taken=_subquery(sql["taken"], (ACTIVE,), IntegerField()), seats_mine=mine, seats_held=held
    )


def with_queue(slots: QuerySet[TimeSlot], member: User) -> QuerySet[TimeSlot]:
    """`slots` carrying the member's waiting-list status there (`queued`: None, `waiting`, or
    `offered` while the offer runs), a subquery of their own query."""
    return slots.annotate(queued=_subquery(_sql()["queued"], (OFFERED, _now(), member.pk), CharField()))


def _subquery(sql: str, params: tuple[Any, ...], field: "Field[Any, Any]") -> RawSQL:
    return RawSQL(sql, params, output_field=field)  # noqa: S611 - _sql()'s own text; values are parameters


def seat_counts(slot_id: int, user: User, now: datetime) -> tuple[int, bool, int, bool]:
    """For a booking of the slot by `user` (call under the slot lock): its active reservations,
    whether `user` holds one, the seats offers hold for others, and whether `user` has a
    waiting-list entry there, in one statement."""
    sql = _sql()
    counts = f"({sql['taken']}), {sql['mine']}, ({sql['held']}{sql['not_theirs']}), {sql['waiting']}"
    statement = f"SELECT {counts} FROM {sql['slot']} WHERE {sql['slot']}.id = %s"  # noqa: S608 - _sql()'s text
    moment = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(statement, [ACTIVE, ACTIVE, user.pk, OFFERED, moment, user.pk, user.pk, slot_id])
        taken, mine, held, waiting = cursor.fetchone()
    return taken, bool(mine), held, bool(waiting)


@cache
def _sql() -> dict[str, str]:
    """The counting subqueries, correlated to the slot row of the query they sit in. Written as SQL:
    built with the ORM, the three of them cost more per request than the rest of the page query."""
    slot = connection.ops.quote_name(TimeSlot._meta.db_table)
    reservation = connection.ops.quote_name(Reservation._meta.db_table)
    entry = connection.ops.quote_name(WaitlistEntry._meta.db_table)
    of_slot = f"timeslot_id = {slot}.id"
    # S608: only our own tables' names are written in; every value is a parameter.
    return {
        "slot": slot,
        "taken": f"SELECT COUNT(*) FROM {reservation} WHERE {of_slot} AND status = %s",  # noqa: S608
        "mine": f"EXISTS (SELECT 1 FROM {reservation} WHERE {of_slot} AND status = %s AND user_id = %s)",  # noqa: S608
        # Seats held by running offers (app/bookings/waitlist.py), but the member's own: theirs to take.
        "held": f"SELECT COUNT(*) FROM {entry} WHERE {of_slot} AND status = %s AND offer_expires_at > %s",  # noqa: S608
        "not_theirs": " AND user_id <> %s",
        "waiting": f"EXISTS (SELECT 1 FROM {entry} WHERE {of_slot} AND user_id = %s)",  # noqa: S608
        "queued": (
            f"SELECT CASE WHEN status = %s AND offer_expires_at > %s THEN 'offered' ELSE 'waiting' END "  # noqa: S608
            f"FROM {entry} WHERE {of_slot} AND user_id = %s"
        ),
    }


def _now() -> Any:
    """Now, as the database compares it with a stored datetime."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def availability(slots: Iterable[TimeSlot], member: User | AnonymousUser | None) -> dict[int, SlotAvailability]:
    """Each slot's availability for `member` (None or anonymous: a visitor), by slot id. Slots read
    through `with_counts` cost no query; others, one for all of them."""
    slots = list(slots)
    member = member if member is not None and member.is_authenticated else None
    missing = [slot.pk for slot in slots if not hasattr(slot, "seats_taken")]
    counts: dict[int, tuple[int, bool, int]] = {}
    if missing:
        rows = with_counts(TimeSlot.objects.filter(pk__in=missing), member).order_by()
        fields = ("pk", "seats_taken", "seats_mine", "seats_held")  # the last three: with_counts' annotations
        counts = {pk: (taken, mine, held) for pk, taken, mine, held in rows.values_list(*fields)}
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
