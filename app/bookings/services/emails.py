"""What members are told about their seats, in their own language, after the commit."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.bookings.models import Reservation, TimeSlot
from app.core import moments
from app.core.email import send_templated_email
from app.core.i18n import localized


def tell_member_slot_changed(reservation: Reservation, slot: TimeSlot, removed: bool) -> None:
    zone = ZoneInfo(slot.period.workplace.timezone)
    user = reservation.user
    with translation.override(user.language):  # the member's language, not the admin's who moved the slot
        _send_cancellation(user, reservation, slot, zone, removed)


def slot_params(user: User, reservation: Reservation, slot: TimeSlot, zone: ZoneInfo) -> dict[str, object]:
    """What every e-mail about a member's seat says: who, where, when (the workplace's time), the price."""
    return {
        "first_name": user.first_name,
        "organization": settings.ORGANIZATION,
        "workplace": localized(slot.period.workplace, "name"),
        # One way to write a moment for members (app/core/moments.py): the zone as they say it.
        "start": moments.moment_text(slot.start, zone),
        "end": moments.clock_text(slot.end, zone),
        "when": moments.slot_text(slot.start, slot.end, zone),
        "timezone": moments.zone_name(slot.start, zone),
        "tickets": reservation.price,
    }


def _send_cancellation(user: User, reservation: Reservation, slot: TimeSlot, zone: ZoneInfo, removed: bool) -> None:
    params = {
        **slot_params(user, reservation, slot, zone),
        "what_happened": _("was removed") if removed else _("changed time"),
    }
    send_templated_email(
        language=user.language,
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="RESERVATION_CANCELLED",
        params=params,
        local_template="emails/reservation_cancelled",
    )


def confirm_to_member(reservation: Reservation) -> None:
    """E-mail a member whom staff booked in: what, where, when, and what it cost."""
    slot = reservation.timeslot
    zone = ZoneInfo(slot.period.workplace.timezone)
    user = reservation.user
    with translation.override(user.language):  # the member's language, not the staff member's
        params = slot_params(user, reservation, slot, zone)
    send_templated_email(
        language=user.language,
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="RESERVATION_CONFIRMED",
        params=params,
        local_template="emails/reservation_confirmed",
    )
