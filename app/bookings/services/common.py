"""What several bookings rules share: the workplace lock, local days and times, guarded deletes."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from app.bookings.models import Period, Reservation, Workplace
from app.core.exceptions import InUse, Invalid

ACTIVE = Reservation.Status.ACTIVE


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def local_datetime(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`day` at `clock` on the wall in `zone`, as an aware datetime; a time skipped by DST is an error."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise Invalid(
            _("%(day)s %(clock)s does not exist in %(zone)s (the clocks jump at a DST change).")
            % {"day": day, "clock": f"{clock:%H:%M}", "zone": zone.key}
        )
    return moment


def lock_workplace(workplace_id: int) -> None:
    """Take the workplace row lock that every overlap rule (periods, slots) runs under.

    Call inside a transaction; the lock is held until it ends.
    """
    Workplace.objects.select_for_update().filter(pk=workplace_id).exists()


def delete_unless_reserved(instance: Workplace | Period) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError:
        raise InUse(
            _(
                "It still has reservations: delete its time slots first (with force=true to refund them). "
                "Slots removed that way keep their reservations as history: deactivate instead."
            )
        ) from None
