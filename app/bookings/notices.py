"""E-mails to a member about their seat: booked, cancelled, moved, offered, coming up.

Each message is built at once, in the member's language (an admin's action must not write in the
admin's), from rows the caller already loaded, so building costs no query; it is sent once the
transaction commits, and during a request after the answer (`app.core.email`). Bookings and
moves carry the calendar entry (METHOD:REQUEST), cancellations the same UID with METHOD:CANCEL.
"""

from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from app.bookings import ics
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry
from app.core import moments
from app.core.email import send_templated_email
from app.core.i18n import localized

ICS_MIMETYPE = "text/calendar"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """`Monday, December 7, 2026, 9:00 a.m.`: the day and the wall-clock time, the zone said apart."""
    return _day_and_clock(moments.day_text(moment.astimezone(zone)), moments.clock_text(moment, zone))


def _day_and_clock(day: str, clock: str) -> str:
    return f"{day}, {clock}"


def zone_name(city: str, moment: datetime, zone: ZoneInfo) -> str:
    """The time zone as members know it: their workplace's city, with the offset of that day."""
    offset = moment.astimezone(zone).strftime("%z")
    return _("%(city)s time (UTC%(offset)s)") % {"city": city, "offset": f"{offset[:3]}:{offset[3:]}"}


def slot_params(slot: TimeSlot) -> dict[str, Any]:
    """What every e-mail about a session says: where (address, map, details) and when (local time)."""
    workplace = slot.period.workplace
    deadline_hours = settings.RESERVATION_CANCEL_DEADLINE_HOURS
    when = _times(translation.get_language(), slot.start, slot.end, workplace.timezone, workplace.city, deadline_hours)
    return {
        "organization": settings.ORGANIZATION,
        "workplace": localized(workplace, "name"),
        "address": ics.address(workplace),
        "map_url": ics.map_url(workplace),
        "details": localized(workplace, "details"),
        **when,
        "reservations_url": f"{settings.SITE_URL}/account/reservations/",
    }


@lru_cache(maxsize=256)
def _times(
    language: str | None, start: datetime, end: datetime, zone_key: str, city: str, deadline_hours: int
) -> dict[str, str]:
    """A slot's times as its e-mails write them, in `language` (the active one). Written once per
    slot and language in a process (the five date formats are most of an e-mail's parameters):
    the members of one slot get the same words, from a reminder run or a slot's bookings. Every
    input is in the key, so a slot moved, a zone, a city or a deadline changed is written afresh;
    the callers spread the dict, never change it."""
    zone = ZoneInfo(zone_key)
    start, end = start.astimezone(zone), end.astimezone(zone)
    day, start_time = moments.day_text(start), moments.clock_text(start, zone)  # each written once
    return {
        # Times the members' one way (app.core.moments), never an IANA id: see docs/i18n.md.
        "day": day,
        "start": _day_and_clock(day, start_time),
        "start_time": start_time,
        "end": moments.clock_text(end, zone),
        "timezone": moments.zone_name(start, zone),
        "zone_name": zone_name(city, start, zone),
        "cancel_deadline": local_time(start - timedelta(hours=deadline_hours), zone),
    }


def _message(reservation: Reservation, template: str, params: dict[str, Any], calendar: str | None) -> dict[str, Any]:
    user = reservation.user
    return {
        "language": user.language,
        "to_email": user.email,
        "to_name": user.get_full_name(),
        "template_setting": template.upper(),
        "params": {"first_name": user.first_name, "tickets": reservation.price, **params},
        "local_template": f"emails/{template}",
        "attachments": [{"name": "session.ics", "content": calendar, "mimetype": ICS_MIMETYPE}] if calendar else None,
    }


def _after_commit(message: dict[str, Any]) -> None:
    transaction.on_commit(partial(send_templated_email, **message))  # at once outside a transaction


def confirm(reservation: Reservation, *, booked_by_staff: bool) -> None:
    """Every booking: the member's own, by staff, or from a waiting-list offer."""
    with translation.override(reservation.user.language):
        params = {**slot_params(reservation.timeslot), "booked_by_staff": booked_by_staff}
        message = _message(reservation, "reservation_confirmed", params, ics.invitation(reservation))
    _after_commit(message)


def cancelled(reservation: Reservation, *, what_happened: str) -> None:
    """Every cancellation; `what_happened` is one of `CANCELLED_BECAUSE`'s keys."""
    with translation.override(reservation.user.language):
        params = {**slot_params(reservation.timeslot), "what_happened": str(CANCELLED_BECAUSE[what_happened]())}
        params["reason"] = what_happened
        message = _message(reservation, "reservation_cancelled", params, ics.cancellation(reservation))
    _after_commit(message)


CANCELLED_BECAUSE = {
    "member": lambda: _("was cancelled as you asked"),
    "admin": lambda: _("was cancelled by our team"),
    "account_closed": lambda: _("was cancelled when you closed your account"),
    "slot_changed": lambda: _("changed time"),
    "slot_removed": lambda: _("was removed"),
}


def moved(old: Reservation, new: Reservation) -> None:
    """One e-mail for a move: the new time, and the calendar entry updated under the same UID."""
    with translation.override(new.user.language):
        before = slot_params(old.timeslot)
        params = {
            **slot_params(new.timeslot),
            "old_start": before["start"],
            "old_end": before["end"],
            "old_workplace": before["workplace"],
        }
        message = _message(new, "reservation_moved", params, ics.invitation(new))
    _after_commit(message)


def offer(entry: WaitlistEntry) -> None:
    """A seat is held for the member until the offer expires: links to reserve and to decline."""
    user = entry.user
    slot = entry.timeslot
    with translation.override(user.language):
        zone = slot.period.workplace.zone
        params = {
            **slot_params(slot),
            "first_name": user.first_name,
            "price": slot.price,
            "offer_expires_at": local_time(entry.offer_expires_at, zone) if entry.offer_expires_at else "",
            # Both on the member's reservations page: its buttons POST, mail scanners only GET.
            "reserve_url": f"{settings.SITE_URL}/account/reservations/#waitlist",
            "decline_url": f"{settings.SITE_URL}/account/reservations/#waitlist",
        }
        message = {
            "language": user.language,
            "to_email": user.email,
            "to_name": user.get_full_name(),
            "template_setting": "WAITLIST_OFFER",
            "params": params,
            "local_template": "emails/waitlist_offer",
        }
    _after_commit(message)
