"""Business rules of bookings. Views and the admin call these; nothing else writes bookings.

Every rule that spans rows runs in one transaction with a row locked first:
- the workplace row for anything that must not overlap (periods, slots);
- the time slot row for reservations, so that two requests for the last seat queue up
  on PostgreSQL instead of both seeing a free seat (sqlite serializes writers anyway).
Rule violations raise django's ValidationError; the API turns it into a 400 with the message.
"""

import logging
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from app.accounts.models import TicketMovement
from app.accounts.tickets import NotEnoughTickets, move_tickets
from app.bookings.models import Period, Reservation, TimeSlot, Workplace
from app.core.email import send_templated_email

logger = logging.getLogger(__name__)

MAX_BATCH_SLOTS = 2000
ACTIVE = Reservation.Status.ACTIVE


# --- Queries ------------------------------------------------------------------------------


def timeslots_with_places():
    """Slots with their workplace and `places_remaining`, in one query whatever the number of rows."""
    taken = Count("reservations", filter=Q(reservations__status=ACTIVE))
    return TimeSlot.objects.select_related("period__workplace").annotate(
        places_remaining=Greatest(F("period__workplace__seats") - taken, Value(0))
    )


def local_day(moment, zone):
    return moment.astimezone(zone).date()


def local_datetime(day, clock, zone):
    """`day` at `clock` on the wall in `zone`, as an aware datetime; a time skipped by DST is an error."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(f"{day} {clock:%H:%M} does not exist in {zone.key} (the clocks jump at a DST change).")
    return moment


# --- Workplaces and periods ---------------------------------------------------------------


def check_workplace_change(workplace):
    """Rules for editing an existing workplace that depend on its slots."""
    if workplace.pk is None:
        return
    old = Workplace.objects.select_for_update().get(pk=workplace.pk)
    slots = TimeSlot.objects.filter(period__workplace=workplace)
    if old.timezone != workplace.timezone and slots.exists():
        raise ValidationError(
            {"timezone": ["The time zone of a workplace with time slots cannot change: the slots' local times would."]}
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
            raise ValidationError({"seats": [f"A coming time slot already has {busiest} reservations."]})


def save_workplace(workplace):
    with transaction.atomic():
        check_workplace_change(workplace)
        workplace.full_clean()
        workplace.save()
    return workplace


def check_period(period):
    """Dates in order, no overlap with another active period, and its slots stay inside it."""
    errors = {}
    if period.start_date and period.end_date and period.end_date < period.start_date:
        raise ValidationError({"end_date": ["The end date must not be before the start date."]})
    Workplace.objects.select_for_update().filter(pk=period.workplace_id).exists()  # lock the workplace row
    if period.pk:
        old = Period.objects.get(pk=period.pk)
        has_slots = old.timeslots.exists()
        if old.workplace_id != period.workplace_id and has_slots:
            errors["workplace"] = ["A period with time slots cannot move to another workplace."]
        outside = old.timeslots.filter(Q(local_date__lt=period.start_date) | Q(local_date__gt=period.end_date))
        if has_slots and outside.exists():
            errors["start_date"] = ["Some time slots of this period would fall outside its new dates."]
    if period.is_active:
        overlapping = Period.objects.filter(
            workplace_id=period.workplace_id,
            is_active=True,
            start_date__lte=period.end_date,
            end_date__gte=period.start_date,
        ).exclude(pk=period.pk)
        other = overlapping.first()
        if other:
            errors["is_active"] = [f"The active period “{other.name}” of this workplace overlaps these dates."]
    if errors:
        raise ValidationError(errors)


def save_period(period):
    with transaction.atomic():
        check_period(period)
        period.save()
    return period


# --- Time slots ---------------------------------------------------------------------------


def check_slot(period, start, end, *, exclude_pk=None):
    """Raise unless [start, end) is one local day inside `period` and overlaps no slot of its workplace.

    Call inside a transaction that holds the workplace lock (see `_lock_workplace`).
    """
    zone = ZoneInfo(period.workplace.timezone)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError("Start and end need a UTC offset, e.g. 2026-03-08T09:00:00-05:00.")
    if end <= start:
        raise ValidationError({"end": ["The end must be after the start."]})
    day = local_day(start, zone)
    if local_day(end, zone) != day:
        raise ValidationError(
            {"end": [f"A time slot must start and end on the same day in the workplace's time zone ({zone.key})."]}
        )
    if not period.start_date <= day <= period.end_date:
        raise ValidationError(
            {"start": [f"{day} ({zone.key}) is outside the period {period.start_date} – {period.end_date}."]}
        )
    clash = (
        TimeSlot.objects.filter(period__workplace_id=period.workplace_id, start__lt=end, end__gt=start)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash:
        raise ValidationError(f"This time overlaps the slot {clash.pk} of the same workplace.")
    return day


def _lock_workplace(workplace_id):
    Workplace.objects.select_for_update().filter(pk=workplace_id).exists()


def create_timeslot(period, start, end, price=None):
    with transaction.atomic():
        _lock_workplace(period.workplace_id)
        day = check_slot(period, start, end)
        return TimeSlot.objects.create(
            period=period, start=start, end=end, local_date=day, price=period.price if price is None else price
        )


def update_timeslot(slot, *, period=None, start=None, end=None, price=None, force=False, actor=None):
    """Change a slot. New times on a slot with reservations need `force`: each member is refunded and told."""
    period = period or slot.period
    start = start or slot.start
    end = end or slot.end
    with transaction.atomic():
        if period.workplace_id != slot.period.workplace_id:
            raise ValidationError({"period": ["A time slot cannot move to another workplace's period."]})
        _lock_workplace(period.workplace_id)
        slot = TimeSlot.objects.select_for_update(of=("self",)).select_related("period__workplace").get(pk=slot.pk)
        day = check_slot(period, start, end, exclude_pk=slot.pk)
        moved = (start, end, period.pk) != (slot.start, slot.end, slot.period_id)
        if moved:
            _cancel_all(slot, force=force, actor=actor, removed=False)
        slot.period, slot.start, slot.end, slot.local_date = period, start, end, day
        if price is not None:
            slot.price = price  # reservations already made keep the price they paid
        slot.save()
    return slot


def delete_timeslot(slot, *, force=False, actor=None):
    with transaction.atomic():
        _lock_workplace(slot.period.workplace_id)
        slot = TimeSlot.objects.select_for_update(of=("self",)).select_related("period__workplace").get(pk=slot.pk)
        _cancel_all(slot, force=force, actor=actor, removed=True)
        # Cancelled reservations go with the slot; the ticket ledger keeps every movement.
        slot.reservations.all().delete()
        slot.delete()


def _cancel_all(slot, *, force, actor, removed):
    # Ordered by member so that two forced changes lock member rows in the same order.
    active = list(
        slot.reservations.select_for_update().filter(status=ACTIVE).select_related("user").order_by("user_id")
    )
    if not active:
        return
    if not force:
        raise ValidationError(
            f"This time slot has {len(active)} active reservation(s). Send force=true to cancel them: "
            "each member gets the tickets back and an e-mail."
        )
    for reservation in active:
        _cancel(reservation, actor=actor, because=Reservation.CancelledBecause.SLOT_CHANGED)
        transaction.on_commit(lambda r=reservation: _tell_member(r, slot, removed))


def _tell_member(reservation, slot, removed):
    zone = ZoneInfo(slot.period.workplace.timezone)
    user = reservation.user
    params = {
        "first_name": user.first_name,
        "organization": settings.ORGANIZATION,
        "workplace": slot.period.workplace.name,
        "start": f"{slot.start.astimezone(zone):%Y-%m-%d %H:%M}",
        "end": f"{slot.end.astimezone(zone):%H:%M}",
        "timezone": zone.key,
        "tickets": reservation.price,
        "what_happened": "was removed" if removed else "changed time",
    }
    send_templated_email(
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="RESERVATION_CANCELLED",
        params=params,
        local_template="emails/reservation_cancelled",
    )


def _weekday_dates(first, last, weekdays):
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            yield day
        day += timedelta(days=1)


def batch_create_timeslots(period, *, weekdays, ranges, start_date=None, end_date=None, price=None):
    """Create, for every date of the period on one of `weekdays` (0 = Monday), a slot per local time range.

    `ranges` are `(time, time)` pairs on the workplace's wall clock; each is converted with the
    zone's rules for that very date, so 09:00 stays 09:00 on both sides of a DST change. All or
    nothing: a single clash or impossible time creates no slot.
    """
    ranges = sorted(ranges)
    for (start_a, end_a), (start_b, _) in pairwise(ranges):
        if start_b < end_a:
            raise ValidationError({"ranges": [f"{start_a:%H:%M}–{end_a:%H:%M} overlaps {start_b:%H:%M}."]})
    for start, end in ranges:
        if end <= start:
            raise ValidationError({"ranges": [f"{start:%H:%M}–{end:%H:%M}: the end must be after the start."]})
    first = max(period.start_date, start_date or period.start_date)
    last = min(period.end_date, end_date or period.end_date)
    if last < first:
        raise ValidationError("These dates are outside the period.")
    zone = ZoneInfo(period.workplace.timezone)
    planned = []
    for day in _weekday_dates(first, last, set(weekdays)):
        for clock_start, clock_end in ranges:
            planned.append((day, local_datetime(day, clock_start, zone), local_datetime(day, clock_end, zone)))
    if not planned:
        raise ValidationError("No date of the period falls on these weekdays.")
    if len(planned) > MAX_BATCH_SLOTS:
        raise ValidationError(f"{len(planned)} slots requested; at most {MAX_BATCH_SLOTS} at once.")
    with transaction.atomic():
        _lock_workplace(period.workplace_id)
        existing = list(
            TimeSlot.objects.filter(
                period__workplace_id=period.workplace_id, start__lt=planned[-1][2], end__gt=planned[0][1]
            ).values_list("start", "end")
        )
        clashes = [
            f"{start.astimezone(zone):%Y-%m-%d %H:%M}" for _, start, end in planned if _overlaps(start, end, existing)
        ]
        if clashes:
            raise ValidationError(
                f"{len(clashes)} slot(s) would overlap existing ones, starting {', '.join(clashes[:5])}. None created."
            )
        price = period.price if price is None else price
        slots = [TimeSlot(period=period, start=s, end=e, local_date=day, price=price) for day, s, e in planned]
        return bulk_create_with_history(slots, TimeSlot)  # one history row per slot (app/staff)


def _overlaps(start, end, existing):
    return any(start < other_end and end > other_start for other_start, other_end in existing)


# --- Reservations -------------------------------------------------------------------------


def reserve(user, timeslot_id):
    """Take a seat in a slot for `user` and exactly the slot's price in tickets."""
    try:
        return _reserve(user, timeslot_id)
    except IntegrityError as error:
        # The partial unique constraint caught a second active reservation the checks did not see.
        if "one_active_reservation" in str(error) or "UNIQUE" in str(error):
            raise ValidationError("You already have a reservation for this time slot.") from error
        raise


def _reserve(user, timeslot_id):
    now = timezone.now()
    with transaction.atomic():
        slot = (
            TimeSlot.objects.select_for_update(of=("self",))
            .select_related("period__workplace")
            .filter(pk=timeslot_id)
            .first()
        )
        if slot is None:
            raise ValidationError({"timeslot": ["No time slot with this id."]})
        if not user.is_active:
            raise ValidationError("Your account is not active.")
        if not slot.period.is_active:
            raise ValidationError("This time slot is not open for reservations.")
        if slot.start <= now:
            raise ValidationError("This time slot has already started.")
        # A statement of its own, after the lock: on PostgreSQL it then sees every reservation
        # committed while we waited (a subquery in the locking SELECT would use the older snapshot).
        counts = Reservation.objects.filter(timeslot=slot, status=ACTIVE).aggregate(
            taken=Count("id"), mine=Count("id", filter=Q(user=user))
        )
        if counts["mine"]:
            raise ValidationError("You already have a reservation for this time slot.")
        if counts["taken"] >= slot.period.workplace.seats:
            raise ValidationError("This time slot is full.")
        reservation = Reservation.objects.create(user=user, timeslot=slot, price=slot.price)
        if slot.price:
            try:
                move_tickets(
                    user, -slot.price, TicketMovement.Reason.RESERVATION, actor=user, reference=_ref(reservation)
                )
            except NotEnoughTickets as error:
                raise ValidationError(
                    f"This time slot costs {error.needed} ticket(s); you have {error.balance}."
                ) from error
    return reservation


def cancel_reservation(reservation, *, actor):
    """Cancel and refund. A member must do it before the deadline; an admin may at any time."""
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("timeslot__period__workplace", "user")
            .get(pk=reservation.pk)
        )
        if reservation.status != ACTIVE:
            raise ValidationError("This reservation is already cancelled.")
        if not actor.is_staff:
            hours = settings.RESERVATION_CANCEL_DEADLINE_HOURS
            deadline = reservation.timeslot.start - timedelta(hours=hours)
            if timezone.now() > deadline:
                zone = ZoneInfo(reservation.timeslot.period.workplace.timezone)
                raise ValidationError(
                    f"Reservations can be cancelled until {hours} h before the start: the deadline was "
                    f"{deadline.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})."
                )
        because = Reservation.CancelledBecause.ADMIN if actor.is_staff else Reservation.CancelledBecause.MEMBER
        _cancel(reservation, actor=actor, because=because)
    return reservation


def _cancel(reservation, *, actor, because):
    reservation.status = Reservation.Status.CANCELLED
    reservation.cancelled_at = timezone.now()
    reservation.cancelled_by = actor
    reservation.cancelled_because = because
    reservation.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancelled_because"])
    if reservation.price:
        reason = (
            TicketMovement.Reason.SLOT_CHANGED
            if because == Reservation.CancelledBecause.SLOT_CHANGED
            else TicketMovement.Reason.CANCELLATION
        )
        move_tickets(reservation.user, reservation.price, reason, actor=actor, reference=_ref(reservation))


def _ref(reservation):
    return f"reservation {reservation.pk} (slot {reservation.timeslot_id})"
