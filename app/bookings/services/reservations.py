"""Taking a seat and giving it back, with the tickets moved through the ledger, under the slot lock."""

from datetime import datetime, timedelta
from types import ModuleType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import NotEnoughTickets, move_tickets
from app.bookings import waitlist
from app.bookings.models import Reservation, TimeSlot
from app.bookings.selectors import seat_counts
from app.bookings.services.common import ACTIVE
from app.core import moments
from app.core.exceptions import ErrorCode, Invalid, PermissionDenied


def reserve(user: User, timeslot_id: int, *, actor: User | None = None, free_reason: str = "") -> Reservation:
    """Take a seat in a slot for `user` and exactly the slot's price in tickets.

    The one path for every booking: a member's own (`actor` None or the member) and a staff
    member's for someone (`actor` staff), so seats, one-per-member, open period and start time
    hold alike, under the same slot lock. Only staff may book for someone else or offer the seat
    free (`free_reason`: the member pays nothing, the ledger still records it). A member booked
    by staff is e-mailed a confirmation.
    Every booking is confirmed to the member by e-mail with its calendar entry (`notices`).
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
            raise Invalid(_already_reserved(for_member), code=ErrorCode.ALREADY_RESERVED) from error
        raise
    _notices().confirm(reservation, booked_by_staff=for_member)  # after commit, after the answer
    return reservation


def _already_reserved(for_member: bool) -> str:
    if for_member:
        return _("This member already has a reservation for this time slot.")
    return _("You already have a reservation for this time slot.")


def check_reservable(slot: TimeSlot | None, user: User, *, for_member: bool, now: datetime) -> bool:
    """Every rule of a new booking of `slot` (locked by the caller) for `user`: reserve and move.
    True when `user` has a waiting-list entry for the slot (the booking ends it)."""
    if slot is None or slot.removed_at is not None:
        raise Invalid(fields={"timeslot": [_("No time slot with this id.")]})
    if not user.is_active:
        raise Invalid(_("This member's account is not active.") if for_member else _("Your account is not active."))
    if not slot.period.is_active:
        raise Invalid(_("This time slot is not open for reservations."))
    if slot.start <= now:
        raise Invalid(_("This time slot has already started."), code=ErrorCode.SLOT_STARTED)
    # A statement of its own, after the lock: on PostgreSQL it then sees every reservation and entry
    # committed while we waited (a subquery in the locking SELECT would use the older snapshot).
    taken, mine, held, waiting = seat_counts(slot.pk, user, now)
    if mine:
        raise Invalid(_already_reserved(for_member), code=ErrorCode.ALREADY_RESERVED)
    # Seats held for members offered them from the waiting list are taken for everyone else.
    if taken + held >= slot.period.workplace.seats:
        raise Invalid(_("This time slot is full."), code=ErrorCode.SLOT_FULL)
    return waiting


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
        waiting = check_reservable(slot, user, for_member=for_member, now=now)
        assert slot is not None  # check_reservable refuses a missing slot
        price = 0 if free_reason else slot.price
        reservation = Reservation.objects.create(
            user=user,
            timeslot=slot,
            price=price,
            booked_by=actor if for_member else None,
            free_reason=free_reason,
        )
        if waiting:
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
                    ngettext(
                        "This time slot costs %(needed)d ticket; the member has %(balance)d.",
                        "This time slot costs %(needed)d tickets; the member has %(balance)d.",
                        error.needed,
                    )
                    if for_member
                    else ngettext(
                        "This time slot costs %(needed)d ticket; you have %(balance)d.",
                        "This time slot costs %(needed)d tickets; you have %(balance)d.",
                        error.needed,
                    )
                )
                raise Invalid(
                    words % {"needed": error.needed, "balance": error.balance}, code=ErrorCode.NOT_ENOUGH_TICKETS
                ) from error
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
                    ngettext(
                        "Reservations can be cancelled until %(hours)s hour before the start: the deadline was "
                        "%(deadline)s.",
                        "Reservations can be cancelled until %(hours)s hours before the start: the deadline was "
                        "%(deadline)s.",
                        hours,
                    )
                    % {"hours": hours, "deadline": moments.moment_text(deadline, zone)},
                    code=ErrorCode.CANCELLATION_DEADLINE_PASSED,
                )
        because = Reservation.CancelledBecause.ADMIN if actor.is_staff else Reservation.CancelledBecause.MEMBER
        release_seat(reservation, actor=actor, because=because)
        closing = not enforce_deadline and actor.pk == reservation.user_id
        _notices().cancelled(reservation, what_happened="account_closed" if closing else because)
    return reservation


def release_seat(reservation: Reservation, *, actor: User | None, because: str) -> None:
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


def _notices() -> ModuleType:
    """The e-mails and their calendar entries load on the first booking change, not at start-up."""
    from app.bookings import notices

    return notices
