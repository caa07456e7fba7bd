"""The reads that the API, the admin and the pages share: slots with their places."""

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest

from app.bookings.models import Reservation, TimeSlot


def timeslots_with_places(*, include_removed: bool = False) -> QuerySet[TimeSlot]:
    """Slots with their workplace and `places_remaining`, in one query whatever the number of rows.

    Removed slots (kept as the history of their reservations) only with `include_removed`.
    """
    taken = Count("reservations", filter=Q(reservations__status=Reservation.Status.ACTIVE))
    slots = TimeSlot.objects.select_related("period__workplace").annotate(
        places_remaining=Greatest(F("period__workplace__seats") - taken, Value(0))
    )
    return slots if include_removed else slots.filter(removed_at__isnull=True)
