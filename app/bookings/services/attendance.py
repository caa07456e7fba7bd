"""Attendance: staff record whether a member came, once the slot has started."""

from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.bookings.models import Reservation, TimeSlot
from app.bookings.selectors import timeslots_with_places
from app.bookings.services.common import ACTIVE
from app.core import moments
from app.core.exceptions import Invalid, NotFound, PermissionDenied


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
                    _("Attendance can be taken once the time slot has started: %(start)s.")
                    % {"start": moments.moment_text(slot.start, zone)}
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
