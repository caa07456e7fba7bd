"""Moving a booking to another time slot, in one transaction.

Both slots are locked in id order (the order every other path locks slots in, so two moves in
opposite directions queue instead of deadlocking), then the reservation. Every rule of a new
booking applies to the new slot (`services.reservations.check_reservable`); the ticket difference is settled
in one ledger movement of its own reason (`MOVE`); the old seat is released only once the new one
is held, and goes to that slot's waiting list. The new reservation keeps the calendar entry's UID
with a higher SEQUENCE, so the member's calendar moves the entry instead of adding one.
Members may move until the old slot's cancellation deadline, staff at any time.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from app.accounts.models import TicketMovement, User
from app.accounts.tickets import NotEnoughTickets, move_tickets
from app.bookings import ics, notices, waitlist
from app.bookings.exceptions import MoveDeadlinePassed, SameTimeSlot
from app.bookings.models import Reservation, TimeSlot
from app.bookings.services import reservations
from app.core.exceptions import Invalid, NotFound

ACTIVE = Reservation.Status.ACTIVE


def move_reservation(reservation_id: int, timeslot_id: int, *, actor: User) -> Reservation:
    """Move `reservation_id` to `timeslot_id`; answers the new reservation."""
    visible = Reservation.objects.filter(pk=reservation_id)
    if not actor.is_staff:
        visible = visible.filter(user=actor)
    old_slot_id = visible.values_list("timeslot_id", flat=True).first()
    if old_slot_id is None:
        raise NotFound(_("No reservation with this id."))
    if old_slot_id == timeslot_id:
        raise SameTimeSlot(fields={"timeslot": [_("The reservation is already in this time slot.")]})
    now = timezone.now()
    with transaction.atomic():
        slots = {
            slot.pk: slot
            for slot in TimeSlot.objects.select_for_update(of=("self",))
            .select_related("period__workplace")
            .filter(pk__in=sorted({old_slot_id, timeslot_id}))
            .order_by("pk")
        }
        old = Reservation.objects.select_for_update(of=("self",)).select_related("user").get(pk=reservation_id)
        if old.timeslot_id != old_slot_id or old.status != ACTIVE:
            raise Invalid(_("This reservation is cancelled or was changed meanwhile: reload and try again."))
        old.timeslot = slots[old_slot_id]
        user = old.user
        for_member = actor.pk != user.pk
        if not actor.is_staff:
            hours = settings.RESERVATION_CANCEL_DEADLINE_HOURS
            deadline = old.timeslot.start - timedelta(hours=hours)
            if now > deadline:
                zone = old.timeslot.period.workplace.zone
                raise MoveDeadlinePassed(
                    _("Reservations can be moved until %(hours)s h before the start: the deadline was %(deadline)s.")
                    % {"hours": hours, "deadline": f"{deadline.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"}
                )
        new_slot = slots.get(timeslot_id)
        reservations.check_reservable(new_slot, user, for_member=for_member, now=now)
        assert new_slot is not None  # check_reservable refuses a missing slot
        price = 0 if old.free_reason else new_slot.price
        new = Reservation.objects.create(
            user=user,
            timeslot=new_slot,
            price=price,
            booked_by=actor if for_member else old.booked_by,
            free_reason=old.free_reason,
            calendar_uid=ics.uid(old),
            calendar_sequence=old.calendar_sequence + 1,
            moved_from=old,
        )
        waitlist.entry_used(user, new_slot)
        _settle(user, old, new, actor=actor)
        old.status = Reservation.Status.CANCELLED
        old.cancelled_at, old.cancelled_by = now, actor
        old.cancelled_because = Reservation.CancelledBecause.MOVED
        old.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancelled_because"])
        waitlist.seat_freed(old_slot_id)
        notices.moved(old, new)
    return new


def _settle(user: User, old: Reservation, new: Reservation, *, actor: User) -> None:
    """One ledger movement for the difference (none when both cost the same)."""
    difference = new.price - old.price
    if not difference:
        return
    reference = f"reservation {old.pk} (slot {old.timeslot_id}) to {new.pk} (slot {new.timeslot_id})"
    try:
        move_tickets(user, -difference, TicketMovement.Reason.MOVE, actor=actor, reference=reference[:100])
    except NotEnoughTickets as error:
        raise Invalid(
            ngettext(
                "The new time slot costs %(more)d more ticket; the balance is %(balance)d.",
                "The new time slot costs %(more)d more tickets; the balance is %(balance)d.",
                difference,
            )
            % {"more": difference, "balance": error.balance}
        ) from error
