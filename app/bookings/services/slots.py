"""One time slot: created, moved or removed under the workplace lock.

Moving or removing a slot that members reserved needs `force`: each member is refunded and told."""

from datetime import date, datetime
from types import ModuleType
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import User
from app.bookings.models import Period, Reservation, TimeSlot
from app.bookings.services.common import ACTIVE, local_day, lock_workplace
from app.bookings.services.reservations import release_seat
from app.core.exceptions import Invalid, NotFound


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
        ngettext(
            "This time slot has %(count)d active reservation. Send force=true (in the admin: tick “force”) "
            "to cancel it: the member gets the tickets back and an e-mail.",
            "This time slot has %(count)d active reservations. Send force=true (in the admin: tick “force”) "
            "to cancel them: each member gets the tickets back and an e-mail.",
            booked,
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
        release_seat(reservation, actor=actor, because=Reservation.CancelledBecause.SLOT_CHANGED)
        _notices().cancelled(reservation, what_happened="slot_removed" if removed else "slot_changed")


def _notices() -> ModuleType:
    """The e-mails and their calendar entries load on the first booking change, not at start-up."""
    from app.bookings import notices

    return notices
