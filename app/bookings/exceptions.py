"""Conditions of the member's week (waiting lists, moves) with their own stable `ErrorCode`.

Subclasses of `app.core.exceptions`, so the status comes from the same table (`app.core.errors`):
the waiting-list refusals are 409 conflicts, a move past its deadline a 400.
"""

from django.utils.translation import gettext_lazy as _

from app.core.exceptions import Conflict, ErrorCode, Invalid


class SlotStarted(Conflict):
    default_message = _("This time slot has already started.")
    code = ErrorCode.SLOT_STARTED


class AlreadyReserved(Conflict):
    default_message = _("You already have a reservation for this time slot.")
    code = ErrorCode.ALREADY_RESERVED


class AlreadyWaiting(Conflict):
    default_message = _("You are already on the waiting list of this time slot.")
    code = ErrorCode.ALREADY_WAITING


class SeatAvailable(Conflict):
    default_message = _("A seat is free: reserve it instead.")
    code = ErrorCode.WAITLIST_SEAT_AVAILABLE


class WaitlistClosed(Conflict):
    default_message = _("The waiting list of this time slot is closed.")
    code = ErrorCode.WAITLIST_CLOSED


class MoveDeadlinePassed(Invalid):
    default_message = _("The deadline to move this reservation has passed.")
    code = ErrorCode.MOVE_DEADLINE_PASSED


class SameTimeSlot(Invalid):
    default_message = _("The reservation is already in this time slot.")
