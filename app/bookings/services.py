"""Business rules of bookings. Views and the admin call these; nothing else writes bookings.

Every rule that spans rows runs in one transaction with a row locked first:
- the workplace row for anything that must not overlap (periods, slots);
- the time slot row for reservations, so that two requests for the last seat queue up
  on PostgreSQL instead of both seeing a free seat (sqlite serializes writers anyway).
Rule violations raise `app.core.exceptions` (Invalid, InUse...); `app.core.errors` maps them to
the API's status and JSON, and the admin shows the same message (`as_form_error`).
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, ProtectedError, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import NotEnoughTickets, move_tickets
from app.bookings import notices, waitlist
from app.bookings.models import Period, Reservation, TimeSlot, Workplace
from app.core.exceptions import InUse, Invalid, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

MAX_BATCH_SLOTS = 2000
ACTIVE = Reservation.Status.ACTIVE


# --- Queries ------------------------------------------------------------------------------


def timeslots_with_places(*, include_removed: bool = False) -> QuerySet[TimeSlot]:
    """Slots with their workplace and `places_remaining`, in one query whatever the number of rows.

    Removed slots (kept as the history of their reservations) only with `include_removed`.
    """
    taken = Count("reservations", filter=Q(reservations__status=ACTIVE))
    slots = TimeSlot.objects.select_related("period__workplace").annotate(
        places_remaining=Greatest(F("period__workplace__seats") - taken - waitlist.held_seats(), Value(0))
    )
    return slots if include_removed else slots.filter(removed_at__isnull=True)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def local_datetime(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`day` at `clock` on the wall in `zone`, as an aware datetime; a time skipped by DST is an error."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise Invalid(
            _("%(day)s %(clock)s does not exist in %(zone)s (the clocks jump at a DST change).")
            % {"day": day, "clock": f"{clock:%H:%M}", "zone": zone.key}
        )
    return moment


def lock_workplace(workplace_id: int) -> None:
    """Take the workplace row lock that every overlap rule (periods, slots) runs under.

    Call inside a transaction; the lock is held until it ends.
    """
    Workplace.objects.select_for_update().filter(pk=workplace_id).exists()


# --- Workplaces and periods ---------------------------------------------------------------


def check_workplace_change(workplace: Workplace) -> None:
    """Rules for editing an existing workplace that depend on its slots (call inside a transaction)."""
    if workplace.pk is None:
        return
    old = Workplace.objects.select_for_update().get(pk=workplace.pk)
    slots = TimeSlot.objects.filter(period__workplace=workplace)
    if old.timezone != workplace.timezone and slots.exists():
        raise Invalid(
            fields={
                "timezone": [
                    _("The time zone of a workplace with time slots cannot change: the slots' local times would.")
                ]
            }
        )
    if workplace.seats < old.seats:
        busiest = (
            slots.filter(end__gt=timezone.now())
            .annotate(taken=Count("reservations", filter=Q(reservations__status=ACTIVE)))
            .order_by("-taken")
            .values_list("taken", flat=True)
            .first()
        )
        if busiest and busiest > workplace.seats:
            raise Invalid(
                fields={"seats": [_("A coming time slot already has %(count)d reservations.") % {"count": busiest}]}
            )


def save_workplace(workplace: Workplace) -> Workplace:
    with transaction.atomic():
        check_workplace_change(workplace)
        workplace.full_clean()
        workplace.save()
        waitlist.after_seats_changed(workplace.pk)  # more seats: offers to those waiting
    return workplace


def delete_workplace(workplace: Workplace) -> None:
    """Delete a workplace with its periods and slots; refused while any reservation points at them."""
    _delete_unless_reserved(workplace)


def check_period(period: Period) -> None:
    """Dates in order, no overlap with another active period, and its slots stay inside it.

    Call inside a transaction: it takes the workplace lock.
    """
    errors: dict[str, list[str]] = {}
    if period.start_date and period.end_date and period.end_date < period.start_date:
        raise Invalid(fields={"end_date": [_("The end date must not be before the start date.")]})
    lock_workplace(period.workplace_id)
    if period.pk:
        old = Period.objects.get(pk=period.pk)
        has_slots = old.timeslots.exists()
        if old.workplace_id != period.workplace_id and has_slots:
            errors["workplace"] = [_("A period with time slots cannot move to another workplace.")]
        outside = old.timeslots.filter(removed_at__isnull=True).filter(
            Q(local_date__lt=period.start_date) | Q(local_date__gt=period.end_date)
        )
        if has_slots and outside.exists():
            errors["start_date"] = [_("Some time slots of this period would fall outside its new dates.")]
    if period.is_active:
        overlapping = Period.objects.filter(
            workplace_id=period.workplace_id,
            is_active=True,
            start_date__lte=period.end_date,
            end_date__gte=period.start_date,
        ).exclude(pk=period.pk)
        other = overlapping.first()
        if other:
            errors["is_active"] = [
                _("The active period “%(name)s” of this workplace overlaps these dates.") % {"name": other.name}
            ]
    if errors:
        raise Invalid(fields=errors)


def save_period(period: Period) -> Period:
    with transaction.atomic():
        check_period(period)
        period.save()
    return period


def delete_period(period: Period) -> None:
    """Delete a period with its slots; refused while any reservation points at them."""
    _delete_unless_reserved(period)


def _delete_unless_reserved(instance: Workplace | Period) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError:
        raise InUse(
            _(
                "It still has reservations: delete its time slots first (with force=true to refund them). "
                "Slots removed that way keep their reservations as history: deactivate instead."
            )
        ) from None


# --- Time slots ---------------------------------------------------------------------------


def check_slot(period: Period, start: datetime, end: datetime, *, exclude_pk: int | None = None) -> date:
    """Raise unless [start, end) is one local day inside `period` and overlaps no slot of its workplace.

    Return the slot's local date. Call inside a transaction that holds `lock_workplace`.
    """
    zone = ZoneInfo(period.workplace.timezone)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise Invalid(_("Start and end need a UTC offset, e.g. 2026-03-08T09:00:00-05:00."))
    if end <= start:
        raise Invalid(fields={"end": [_("The end must be after the start.")]})
    day = local_day(start, zone)
    if local_day(end, zone) != day:
        raise Invalid(
            fields={
                "end": [
                    _("A time slot must start and end on the same day in the workplace's time zone (%(zone)s).")
                    % {"zone": zone.key}
                ]
            }
        )
    if not period.start_date <= day <= period.end_date:
        raise Invalid(
            fields={
                "start": [
                    _("%(day)s (%(zone)s) is outside the period %(first)s – %(last)s.")
                    % {"day": day, "zone": zone.key, "first": period.start_date, "last": period.end_date}
                ]
            }
        )
    overlapping = TimeSlot.objects.filter(
        period__workplace_id=period.workplace_id, start__lt=end, end__gt=start, removed_at__isnull=True
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    clash = overlapping.first()
    if clash:
        raise Invalid(_("This time overlaps the slot %(id)d of the same workplace.") % {"id": clash.pk})
    return day


def check_timeslot_change(
    slot: TimeSlot | None, period: Period, start: datetime, end: datetime, *, force: bool = False
) -> date:
    """Every rule for creating (`slot` None) or changing a slot, under the workplace lock.

    Moving a slot that members reserved needs `force` (they are then refunded and told). Returns
    the slot's local date. Call inside a transaction (the admin's change view runs in one).
    """
    if slot is not None and slot.removed_at is not None:
        raise Invalid(_("This time slot was removed; it is kept only as the history of its reservations."))
    if slot is not None and period.workplace_id != slot.period.workplace_id:
        raise Invalid(fields={"period": [_("A time slot cannot move to another workplace's period.")]})
    lock_workplace(period.workplace_id)
    day = check_slot(period, start, end, exclude_pk=slot.pk if slot else None)
    if slot is not None and not force and _moved(slot, period, start, end):
        booked = slot.reservations.filter(status=ACTIVE).count()
        if booked:
            raise _force_needed(booked)
    return day


def _moved(slot: TimeSlot, period: Period, start: datetime, end: datetime) -> bool:
    return (start, end, period.pk) != (slot.start, slot.end, slot.period_id)


def _force_needed(booked: int) -> Invalid:
    return Invalid(
        _(
            "This time slot has %(count)d active reservation(s). Send force=true (in the admin: tick “force”) "
            "to cancel them: each member gets the tickets back and an e-mail."
        )
        % {"count": booked}
    )


def create_timeslot(period: Period, start: datetime, end: datetime, price: int | None = None) -> TimeSlot:
    with transaction.atomic():
        day = check_timeslot_change(None, period, start, end)
        return TimeSlot.objects.create(
            period=period, start=start, end=end, local_date=day, price=period.price if price is None else price
        )


def update_timeslot(
    slot: TimeSlot,
    *,
    period: Period | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    price: int | None = None,
    force: bool = False,
    actor: User | None = None,
) -> TimeSlot:
    """Change a slot. New times on a slot with reservations need `force`: each member is refunded and told."""
    period = period or slot.period
    start = start or slot.start
    end = end or slot.end
    with transaction.atomic():
        lock_workplace(slot.period.workplace_id)
        slot = TimeSlot.objects.select_for_update(of=("self",)).select_related("period__workplace").get(pk=slot.pk)
        day = check_timeslot_change(slot, period, start, end, force=True)  # _cancel_all enforces force
        if _moved(slot, period, start, end):
            _cancel_all(slot, force=force, actor=actor, removed=False)
        slot.period, slot.start, slot.end, slot.local_date = period, start, end, day
        if price is not None:
            slot.price = price  # reservations already made keep the price they paid
        slot.save()
    return slot


def delete_timeslot(slot: TimeSlot, *, force: bool = False, actor: User | None = None) -> None:
    """Delete a slot. Active reservations need `force`: each member is refunded and told.

    A slot that ever had reservations is not deleted but marked removed, with its reservations:
    members and admins still see what happened to them.
    """
    with transaction.atomic():
        lock_workplace(slot.period.workplace_id)
        slot = TimeSlot.objects.select_for_update(of=("self",)).select_related("period__workplace").get(pk=slot.pk)
        if slot.removed_at is not None:
            raise NotFound(_("This time slot was already removed."))
        _cancel_all(slot, force=force, actor=actor, removed=True)
        if slot.reservations.exists():
            slot.removed_at = timezone.now()
            slot.save(update_fields=["removed_at"])
        else:
            slot.delete()


def _cancel_all(slot: TimeSlot, *, force: bool, actor: User | None, removed: bool) -> None:
    # Ordered by member so that two forced changes lock member rows in the same order.
    active = list(
        slot.reservations.select_for_update().filter(status=ACTIVE).select_related("user").order_by("user_id")
    )
    if not active:
        return
    if not force:
        raise _force_needed(len(active))
    for reservation in active:
        reservation.timeslot = slot  # the e-mail tells the times the member had booked
        _cancel(reservation, actor=actor, because=Reservation.CancelledBecause.SLOT_CHANGED)
        notices.cancelled(reservation, what_happened="slot_removed" if removed else "slot_changed")


def _weekday_dates(first: date, last: date, weekdays: set[int]) -> Iterator[date]:
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            yield day
        day += timedelta(days=1)


def batch_create_timeslots(
    period: Period,
    *,
    weekdays: Iterable[int],
    ranges: Iterable[tuple[time, time]],
    start_date: date | None = None,
    end_date: date | None = None,
    price: int | None = None,
) -> list[TimeSlot]:
    """Create, for every date of the period on one of `weekdays` (0 = Monday), a slot per local time range.

    `ranges` are `(time, time)` pairs on the workplace's wall clock; each is converted with the
    zone's rules for that very date, so 09:00 stays 09:00 on both sides of a DST change. All or
    nothing: a single clash or impossible time creates no slot.
    """
    ranges = sorted(ranges)
    for (start_a, end_a), (start_b, _end_b) in pairwise(ranges):
        if start_b < end_a:
            raise Invalid(
                fields={
                    "ranges": [
                        _("%(first)s overlaps %(second)s.")
                        % {"first": f"{start_a:%H:%M}–{end_a:%H:%M}", "second": f"{start_b:%H:%M}"}
                    ]
                }
            )
    for start, end in ranges:
        if end <= start:
            raise Invalid(
                fields={
                    "ranges": [
                        _("%(range)s: the end must be after the start.") % {"range": f"{start:%H:%M}–{end:%H:%M}"}
                    ]
                }
            )
    first = max(period.start_date, start_date or period.start_date)
    last = min(period.end_date, end_date or period.end_date)
    if last < first:
        raise Invalid(_("These dates are outside the period."))
    zone = ZoneInfo(period.workplace.timezone)
    planned = []
    for day in _weekday_dates(first, last, set(weekdays)):
        for clock_start, clock_end in ranges:
            planned.append((day, local_datetime(day, clock_start, zone), local_datetime(day, clock_end, zone)))
    if not planned:
        raise Invalid(_("No date of the period falls on these weekdays."))
    if len(planned) > MAX_BATCH_SLOTS:
        raise Invalid(
            _("%(count)d slots requested; at most %(max)d at once.") % {"count": len(planned), "max": MAX_BATCH_SLOTS}
        )
    with transaction.atomic():
        lock_workplace(period.workplace_id)
        existing = list(
            TimeSlot.objects.filter(
                period__workplace_id=period.workplace_id,
                start__lt=planned[-1][2],
                end__gt=planned[0][1],
                removed_at__isnull=True,
            ).values_list("start", "end")
        )
        clashes = [
            f"{start.astimezone(zone):%Y-%m-%d %H:%M}"
            for _day, start, end in planned
            if _overlaps(start, end, existing)
        ]
        if clashes:
            raise Invalid(
                _("%(count)d slot(s) would overlap existing ones, starting %(first)s. None created.")
                % {"count": len(clashes), "first": ", ".join(clashes[:5])}
            )
        price = period.price if price is None else price
        slots = [TimeSlot(period=period, start=s, end=e, local_date=day, price=price) for day, s, e in planned]
        return bulk_create_with_history(slots, TimeSlot)  # one history row per slot (app/staff)


def _overlaps(start: datetime, end: datetime, existing: list[tuple[datetime, datetime]]) -> bool:
    return any(start < other_end and end > other_start for other_start, other_end in existing)


# --- Reservations -------------------------------------------------------------------------


def booking_member(actor: User, user_id: int | None) -> User:
    """Whom `actor` books for: themselves, or (staff only) the member `user_id`."""
    if user_id is None or user_id == actor.pk:
        return actor
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only staff may book for another member."), fields={"user": [_("Leave it out to book for yourself.")]}
        )
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise Invalid(fields={"user": [_("No member with this id.")]})
    return member


def reserve(user: User, timeslot_id: int, *, actor: User | None = None, free_reason: str = "") -> Reservation:
    """Take a seat in a slot for `user` and exactly the slot's price in tickets.

    The one path for every booking: a member's own (`actor` None or the member) and a staff
    member's for someone (`actor` staff), so seats, one-per-member, open period and start time
    hold alike, under the same slot lock. Only staff may book for someone else or offer the seat
    free (`free_reason`: the member pays nothing, the ledger still records it). A member booked
    by staff is e-mailed a confirmation.
    """
    actor = actor or user
    for_member = actor.pk != user.pk
    free_reason = free_reason.strip()
    if (for_member or free_reason) and not actor.is_staff:
        field = "user" if for_member else "free_reason"
        raise PermissionDenied(
            _("Only staff may book for another member or offer a free seat."), fields={field: [_("Staff only.")]}
        )
    try:
        reservation = _reserve(user, timeslot_id, actor=actor, free_reason=free_reason)
    except IntegrityError as error:
        # The partial unique constraint caught a second active reservation the checks did not see.
        if "one_active_reservation" in str(error) or "UNIQUE" in str(error):
            raise Invalid(_already_reserved(for_member)) from error
        raise
    notices.confirm(reservation, booked_by_staff=for_member)  # after commit, after the answer
    return reservation


def _already_reserved(for_member: bool) -> str:
    if for_member:
        return _("This member already has a reservation for this time slot.")
    return _("You already have a reservation for this time slot.")


def check_reservable(slot: TimeSlot | None, user: User, *, for_member: bool, now: datetime) -> None:
    """Every rule of a new booking of `slot` (locked by the caller) for `user`: reserve and move."""
    if slot is None or slot.removed_at is not None:
        raise Invalid(fields={"timeslot": [_("No time slot with this id.")]})
    if not user.is_active:
        raise Invalid(_("This member's account is not active.") if for_member else _("Your account is not active."))
    if not slot.period.is_active:
        raise Invalid(_("This time slot is not open for reservations."))
    if slot.start <= now:
        raise Invalid(_("This time slot has already started."))
    # A statement of its own, after the lock: on PostgreSQL it then sees every reservation
    # committed while we waited (a subquery in the locking SELECT would use the older snapshot).
    counts = Reservation.objects.filter(timeslot=slot, status=ACTIVE).aggregate(
        taken=Count("id"), mine=Count("id", filter=Q(user=user))
    )
    if counts["mine"]:
        raise Invalid(_already_reserved(for_member))
    # Seats held for members offered them from the waiting list are taken for everyone else.
    if counts["taken"] + waitlist.seats_held_for_others(slot, user, now) >= slot.period.workplace.seats:
        raise Invalid(_("This time slot is full."))


def _reserve(user: User, timeslot_id: int, *, actor: User, free_reason: str) -> Reservation:
    now = timezone.now()
    for_member = actor.pk != user.pk
    with transaction.atomic():
        slot = (
            TimeSlot.objects.select_for_update(of=("self",))
            .select_related("period__workplace")
            .filter(pk=timeslot_id)
            .first()
        )
        check_reservable(slot, user, for_member=for_member, now=now)
        price = 0 if free_reason else slot.price
        reservation = Reservation.objects.create(
            user=user,
            timeslot=slot,
            price=price,
            booked_by=actor if for_member else None,
            free_reason=free_reason,
        )
        waitlist.entry_used(user, slot)  # a waiting-list entry (or its offer) ends with the booking
        if free_reason:
            # A zero movement: the ledger still says who gave which seat, and why.
            reference = f"{_ref(reservation)}: {free_reason}"
            move_tickets(user, 0, TicketMovement.Reason.FREE_RESERVATION, actor=actor, reference=reference)
        elif price:
            try:
                move_tickets(user, -price, TicketMovement.Reason.RESERVATION, actor=actor, reference=_ref(reservation))
            except NotEnoughTickets as error:
                words = (
                    _("This time slot costs %(needed)d ticket(s); the member has %(balance)d.")
                    if for_member
                    else _("This time slot costs %(needed)d ticket(s); you have %(balance)d.")
                )
                raise Invalid(words % {"needed": error.needed, "balance": error.balance}) from error
    return reservation


def cancel_reservation(reservation: Reservation, *, actor: User, enforce_deadline: bool = True) -> Reservation:
    """Cancel and refund. A member must do it before the deadline; an admin may at any time.

    `enforce_deadline=False`: a member closing their account frees every seat not yet started.
    """
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("timeslot__period__workplace", "user")
            .get(pk=reservation.pk)
        )
        if reservation.status != ACTIVE:
            raise Invalid(_("This reservation is already cancelled."))
        if enforce_deadline and not actor.is_staff:
            hours = settings.RESERVATION_CANCEL_DEADLINE_HOURS
            deadline = reservation.timeslot.start - timedelta(hours=hours)
            if timezone.now() > deadline:
                zone = ZoneInfo(reservation.timeslot.period.workplace.timezone)
                raise Invalid(
                    _(
                        "Reservations can be cancelled until %(hours)s h before the start: the deadline was "
                        "%(deadline)s (%(zone)s)."
                    )
                    % {"hours": hours, "deadline": f"{deadline.astimezone(zone):%Y-%m-%d %H:%M}", "zone": zone.key}
                )
        because = Reservation.CancelledBecause.ADMIN if actor.is_staff else Reservation.CancelledBecause.MEMBER
        _cancel(reservation, actor=actor, because=because)
        closing = not enforce_deadline and actor.pk == reservation.user_id
        notices.cancelled(reservation, what_happened="account_closed" if closing else because)
    return reservation


def check_attendance(reservation: Reservation) -> None:
    """Attendance is taken only for an active reservation whose slot has started."""
    if reservation.status != ACTIVE:
        raise Invalid(fields={"is_present": [_("This reservation is cancelled: there is no attendance to take.")]})
    slot = reservation.timeslot
    if slot.start > timezone.now():
        zone = ZoneInfo(slot.period.workplace.timezone)
        raise Invalid(
            fields={
                "is_present": [
                    _("Attendance can be taken once the time slot has started, at %(start)s (%(zone)s).")
                    % {"start": f"{slot.start.astimezone(zone):%Y-%m-%d %H:%M}", "zone": zone.key}
                ]
            }
        )


def mark_attendance(reservation: Reservation, *, is_present: bool | None, actor: User) -> Reservation:
    """Staff record whether the member came (None: not known yet)."""
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff take attendance."))
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("timeslot__period__workplace")
            .get(pk=reservation.pk)
        )
        check_attendance(reservation)
        reservation.is_present = is_present
        reservation.save(update_fields=["is_present"])
    return reservation


def attendance_sheet(slot_id: int) -> tuple[TimeSlot, list[Reservation]]:
    """A slot and its active reservations with their members, in two queries."""
    slot = timeslots_with_places(include_removed=True).filter(pk=slot_id).first()
    if slot is None:
        raise NotFound(_("No time slot with this id."))
    reservations = list(
        slot.reservations.filter(status=ACTIVE).select_related("user").order_by("user__last_name", "user__first_name")
    )
    return slot, reservations


def _cancel(reservation: Reservation, *, actor: User | None, because: str) -> None:
    reservation.status = Reservation.Status.CANCELLED
    reservation.cancelled_at = timezone.now()
    reservation.cancelled_by = actor
    reservation.cancelled_because = because
    reservation.calendar_sequence += 1  # calendars apply the cancellation over the booking
    reservation.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancelled_because", "calendar_sequence"])
    waitlist.seat_freed(reservation.timeslot_id)  # after commit and the answer: an offer to the first waiting
    if reservation.price:
        reason = (
            TicketMovement.Reason.SLOT_CHANGED
            if because == Reservation.CancelledBecause.SLOT_CHANGED
            else TicketMovement.Reason.CANCELLATION
        )
        move_tickets(reservation.user, reservation.price, reason, actor=actor, reference=_ref(reservation))


def _ref(reservation: Reservation) -> str:
    return f"reservation {reservation.pk} (slot {reservation.timeslot_id})"
