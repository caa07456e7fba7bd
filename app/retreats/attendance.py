"""Attendance at an in-person retreat: staff mark each participant present (or not) for each date.

A virtual retreat's attendance is its `/join/` log; an in-person retreat's is the same rows
(`RetreatJoin`), written by staff with `marked_by`, so that one attendance export serves both. At
most one row per seat and date: marking is done under a lock on the seat's row, and marking again
changes nothing. Only confirmed seats, and only dates that have started (one cannot be present yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.core.exceptions import Conflict, ErrorCode, Invalid
from app.retreats.models import Retreat, RetreatDate, RetreatJoin, RetreatReservation


def require_in_person(retreat: Retreat) -> None:
    if retreat.kind != Retreat.Kind.PHYSICAL:
        raise Invalid(_("An online retreat's attendance is who opened its video link; it is not marked."))


def mark(reservation: RetreatReservation, date_id: int, present: bool, actor: User) -> bool:
    """Record whether the seat's holder was at the date `date_id` of their retreat. Returns `present`."""
    retreat = reservation.retreat
    date = RetreatDate.objects.filter(pk=date_id, retreat_id=retreat.pk).first()
    if date is None:
        raise Invalid(fields={"date": [_("This is not a date of this seat's retreat.")]})
    require_in_person(retreat)
    if date.start > timezone.now():
        raise Conflict(
            _("This date has not started yet: attendance is marked once it has."),
            code=ErrorCode.RETREAT_DATE_NOT_STARTED,
        )
    with transaction.atomic():
        seat = RetreatReservation.objects.select_for_update().get(pk=reservation.pk)
        if seat.status != RetreatReservation.Status.CONFIRMED:
            raise Invalid(_("Only a confirmed seat's attendance is marked."))
        marked = RetreatJoin.objects.filter(reservation=seat, date=date)
        if not present:
            marked.delete()
        elif not marked.exists():
            RetreatJoin.objects.create(reservation=seat, date=date, marked_by=actor)
    return present


@dataclass(frozen=True)
class Sheet:
    """Who was at which date of a retreat: its confirmed seats × its dates that have started."""

    dates: list[RetreatDate]
    seats: list[RetreatReservation]
    present: set[tuple[int, int]]  # (seat id, date id)


def sheet(retreat: Retreat) -> Sheet:
    require_in_person(retreat)
    dates = list(retreat.dates.filter(start__lte=timezone.now()).order_by("start", "id"))
    seats = list(
        retreat.reservations.filter(status=RetreatReservation.Status.CONFIRMED, exchange_hold__isnull=True)
        .select_related("user", "retreat")
        .order_by("user__last_name", "user__first_name", "user__email", "id")
    )
    present = set(
        RetreatJoin.objects.filter(reservation__in=seats, date__in=dates).values_list("reservation_id", "date_id")
    )
    return Sheet(dates, seats, present)


def save_sheet(retreat: Retreat, checked: set[tuple[int, int]], actor: User, *, strict: bool = False) -> int:
    """Mark every (seat, date) of the sheet present when in `checked`, absent otherwise, all or nothing.
    Returns the changes. `strict` (the API) refuses a pair that is not on the sheet; the admin's form
    leaves out a seat cancelled since the page was shown."""
    current = sheet(retreat)
    if strict:
        _refuse_pairs_off_the_sheet(current, checked)
    changed = 0
    with transaction.atomic():  # a seat cancelled halfway through refuses the whole sheet
        for seat in current.seats:
            for date in current.dates:
                wanted = (seat.pk, date.pk) in checked
                if wanted != ((seat.pk, date.pk) in current.present):
                    mark(seat, date.pk, wanted, actor)
                    changed += 1
    return changed


def _refuse_pairs_off_the_sheet(current: Sheet, checked: set[tuple[int, int]]) -> None:
    seats = {seat.pk for seat in current.seats}
    dates = {date.pk for date in current.dates}
    off = sorted(pair for pair in checked if pair[0] not in seats or pair[1] not in dates)
    if off:
        raise Invalid(
            fields={
                "present": [
                    _(
                        "Seat %(reservation)s at date %(date)s is not on this retreat's sheet: only its "
                        "confirmed seats and the dates that have started are."
                    )
                    % {"reservation": seat, "date": date}
                    for seat, date in off
                ]
            }
        )
