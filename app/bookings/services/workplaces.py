"""Saving and deleting a workplace; its seats and time zone constrain the slots it already has."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from app.bookings import waitlist
from app.bookings.models import TimeSlot, Workplace
from app.bookings.services.common import ACTIVE, delete_unless_reserved
from app.core.exceptions import Invalid


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
    delete_unless_reserved(workplace)
