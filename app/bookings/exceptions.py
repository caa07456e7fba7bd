"""Booking conditions with their own stable machine `code` (the API's error `code`).

Subclasses of `app.core.exceptions`, so the status comes from the same table (`app.core.errors`).
"""

from django.utils.translation import gettext_lazy as _

from app.core.exceptions import Conflict, Invalid


class SlotStarted(Conflict):
    default_message = _("This time slot has already started.")
    code = "slot_started"


class AlreadyReserved(Conflict):
    default_message = _("You already have a reservation for this time slot.")
    code = "already_reserved"


class AlreadyWaiting(Conflict):
    default_message = _("You are already on the waiting list of this time slot.")
    code = "already_waiting"


class SeatAvailable(Conflict):
    default_message = _("A seat is free: reserve it instead.")
    code = "waitlist_seat_available"


class WaitlistClosed(Conflict):
    default_message = _("The waiting list of this time slot is closed.")
    code = "waitlist_closed"


class MoveDeadlinePassed(Invalid):
    default_message = _("The deadline to move this reservation has passed.")
    code = "move_deadline_passed"


class SameTimeSlot(Invalid):
    default_message = _("The reservation is already in this time slot.")
    code = "same_timeslot"
