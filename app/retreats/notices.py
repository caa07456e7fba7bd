"""E-mails to a member about a retreat seat: confirmed, offered, coming up, after, cancelled.

Each one is built at once in the member's language (a staff action must not write in the staff
member's), with every date written the members' one way (`app.core.moments`: the day in words and
HNE/EST, never an IANA id), and sent once the transaction commits (never inside it: a slow provider
must not hold a lock), through `send_templated_email` like every e-mail.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from app.accounts.models import User
from app.bookings.ics import calendar, escape, utc
from app.core import moments
from app.core.email import send_templated_email
from app.core.i18n import localized, money
from app.retreats.models import Retreat, RetreatDate, RetreatReservation, RetreatWaitlistEntry


def place(retreat: Retreat) -> str:
    if retreat.kind == Retreat.Kind.VIRTUAL:
        return _("Online: the video link is given on your retreat page shortly before each date.")
    region = " ".join(part for part in (retreat.state_province, retreat.postal_code) if part)
    parts = [retreat.address_line1, retreat.address_line2, retreat.city, region, retreat.country]
    return ", ".join(part for part in parts if part)


def date_text(date: RetreatDate, retreat: Retreat) -> str:
    """`Saturday, January 9, 2027, 9:00 a.m.–5:00 p.m. EST` for a date within one day, else its two ends."""
    zone = retreat.zone
    if date.start.astimezone(zone).date() == date.end.astimezone(zone).date():
        return moments.slot_text(date.start, date.end, zone)
    return f"{moments.moment_text(date.start, zone)} – {moments.moment_text(date.end, zone)}"


def retreat_params(retreat: Retreat) -> dict[str, Any]:
    """What every e-mail about a retreat says: its name, dates and place. Call under the member's language."""
    return {
        "retreat": localized(retreat, "name"),
        "dates": "\n".join(date_text(date, retreat) for date in retreat.dates.all()),
        "place": place(retreat),
        "retreat_url": f"{settings.SITE_URL}{reverse('retreat', args=[retreat.pk])}",
        "organization": settings.ORGANIZATION,
    }


def entry(reservation: RetreatReservation) -> str:
    """One VEVENT per date (METHOD:REQUEST), in the active language: call under the member's."""
    retreat = reservation.retreat
    host = urlsplit(settings.SITE_URL).hostname
    summary = _("Writing retreat: %(name)s") % {"name": localized(retreat, "name")}
    now = utc(timezone.now())
    events = [
        [
            "BEGIN:VEVENT",
            f"UID:retreat-{reservation.pk}-{date.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{utc(date.start)}",
            f"DTEND:{utc(date.end)}",
            f"SUMMARY:{escape(summary)}",
            f"LOCATION:{escape(place(retreat))}",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
        for date in retreat.dates.all()
    ]
    return calendar(events, method="REQUEST")


def _message(user: User, template: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "language": user.language,
        "to_email": user.email,
        "to_name": user.get_full_name(),
        "template_setting": template.upper(),
        "params": {"first_name": user.first_name, **params},
        "local_template": f"emails/{template}",
        **extra,
    }


def _after_commit(message: dict[str, Any]) -> None:
    transaction.on_commit(partial(send_templated_email, **message))  # at once outside a transaction


def confirm(reservation: RetreatReservation) -> None:
    """Queue the confirmation of a paid seat, with every date in one calendar entry."""
    user = reservation.user
    with translation.override(user.language):
        calendar_entry = {"name": "retreat.ics", "content": entry(reservation), "mimetype": "text/calendar"}
        message = _message(user, "retreat_confirmed", retreat_params(reservation.retreat), attachments=[calendar_entry])
    _after_commit(message)


def offer(waiting: RetreatWaitlistEntry) -> None:
    """A seat is held for the member until the offer expires: buy it on the retreat's page."""
    user, retreat = waiting.user, waiting.retreat
    with translation.override(user.language):
        expires = waiting.offer_expires_at
        params = {
            **retreat_params(retreat),
            "offer_expires_at": moments.moment_text(expires, retreat.zone) if expires else "",
            "waitlist_url": f"{settings.SITE_URL}{reverse('account-retreats')}#waitlist",
        }
        message = _message(user, "retreat_waitlist_offer", params)
    _after_commit(message)


def reminder(reservation: RetreatReservation) -> None:
    """The retreat is coming: its dates and place again (sent by `send_retreat_messages`)."""
    user, retreat = reservation.user, reservation.retreat
    with translation.override(user.language):
        message = _message(user, "retreat_reminder", retreat_params(retreat))
    send_templated_email(**message)


def follow_up(reservation: RetreatReservation) -> None:
    """After the last date: thanks, and the retreat's follow-up link (sent by `send_retreat_messages`)."""
    user, retreat = reservation.user, reservation.retreat
    with translation.override(user.language):
        params = {**retreat_params(retreat), "follow_up_link": retreat.follow_up_link}
        message = _message(user, "retreat_follow_up", params)
    send_templated_email(**message)


def cancelled(reservation: RetreatReservation, amount: Decimal) -> None:
    """The seat was cancelled: what is refunded (nothing, by the policy, is said too)."""
    user = reservation.user
    with translation.override(user.language):
        params = {
            **retreat_params(reservation.retreat),
            "refunded_amount": money(amount),
            "refunded": amount > 0,
        }
        message = _message(user, "retreat_cancelled", params)
    _after_commit(message)
