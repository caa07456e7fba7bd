"""The retreat confirmation e-mail, in the member's language, with every date in one calendar entry.

Sent after the commit of the payment that confirmed the seat (never inside it: a slow provider
must not hold the order's transaction), through `send_templated_email` like every e-mail.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from app.bookings.ics import calendar, escape, utc
from app.core.email import send_templated_email
from app.core.i18n import localized
from app.retreats.models import Retreat, RetreatReservation


def place(retreat: Retreat) -> str:
    if retreat.kind == Retreat.Kind.VIRTUAL:
        return _("Online: the video link is given on your retreat page shortly before each date.")
    region = " ".join(part for part in (retreat.state_province, retreat.postal_code) if part)
    parts = [retreat.address_line1, retreat.address_line2, retreat.city, region, retreat.country]
    return ", ".join(part for part in parts if part)


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


def confirm(reservation: RetreatReservation) -> None:
    """Queue the confirmation of a paid seat, sent once the transaction commits."""
    user, retreat = reservation.user, reservation.retreat
    with translation.override(user.language):
        dates = [
            f"{date.start.astimezone(retreat.zone):%Y-%m-%d %H:%M} – {date.end.astimezone(retreat.zone):%Y-%m-%d %H:%M}"
            for date in retreat.dates.all()
        ]
        message: dict[str, Any] = {
            "language": user.language,
            "to_email": user.email,
            "to_name": user.get_full_name(),
            "template_setting": "RETREAT_CONFIRMED",
            "params": {
                "first_name": user.first_name,
                "retreat": localized(retreat, "name"),
                "dates": "\n".join(dates),
                "timezone": retreat.timezone,
                "place": place(retreat),
                "organization": settings.ORGANIZATION,
            },
            "local_template": "emails/retreat_confirmed",
            "attachments": [{"name": "retreat.ics", "content": entry(reservation), "mimetype": "text/calendar"}],
        }
    transaction.on_commit(partial(send_templated_email, **message))
