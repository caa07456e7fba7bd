"""Calendar entries (RFC 5545 iCalendar text) for reservations.

Written here rather than with the `icalendar` package: one VEVENT with UTC times needs escaping
and line folding only, while `icalendar` 7.3 took 380 ms to import and 3 MB (with `tzdata`) on
this machine — too much for a Lambda that sends one e-mail.

One reservation is one event: a stable `UID` (kept when a booking is moved, so calendars update
the entry instead of adding one), `SEQUENCE` raised on every change, `DTSTART`/`DTEND` in UTC.
An e-mail carries `METHOD:REQUEST` (booked, moved) or `METHOD:CANCEL` with `STATUS:CANCELLED`
(RFC 5546); the API's download and the private feed carry no method (`PUBLISH` semantics).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote_plus, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from app.bookings.models import Reservation, Workplace
from app.core.i18n import localized

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODUCT_ID = "-//Writing Sessions//Bookings//EN"
MAX_OCTETS = 75  # per line, CRLF excluded (RFC 5545 §3.1)


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    if len(line) <= MAX_OCTETS and (line.isascii() or len(line.encode()) <= MAX_OCTETS):
        return line  # most lines: nothing to split, no walk through the characters
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid(reservation: Reservation) -> str:
    """Stable for the life of a booking, moves included."""
    return reservation.calendar_uid or f"reservation-{reservation.pk}@{urlsplit(settings.SITE_URL).hostname}"


def address(workplace: Workplace) -> str:
    lines = [workplace.address_line1, workplace.address_line2, workplace.city]
    region = " ".join(part for part in (workplace.state_province, workplace.postal_code) if part)
    return ", ".join(part for part in [*lines, region, workplace.country] if part)


def map_url(workplace: Workplace) -> str:
    """A search on openstreetmap.org: a link only, nothing is loaded from another origin."""
    return f"https://www.openstreetmap.org/search?query={quote_plus(address(workplace))}"


def event_lines(
    reservation: Reservation, *, cancelled: bool = False, organizer: bool = False, stamp: datetime | None = None
) -> list[str]:
    """The VEVENT of a reservation, in the active language (call under the member's).

    `stamp` (DTSTAMP): now by default; the feed passes the booking's own time so that its body, and
    so its ETag, changes only when a reservation does."""
    slot = reservation.timeslot
    workplace = slot.period.workplace
    details = localized(workplace, "details")
    summary = _("Writing session at %(workplace)s") % {"workplace": localized(workplace, "name")}
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid(reservation)}",
        f"DTSTAMP:{utc(stamp or timezone.now())}",
        f"DTSTART:{utc(slot.start)}",
        f"DTEND:{utc(slot.end)}",
        f"SEQUENCE:{reservation.calendar_sequence}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(address(workplace))}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if details:
        lines.append(f"DESCRIPTION:{escape(details)}")
    if organizer:  # iTIP (RFC 5546) wants both in a REQUEST or CANCEL
        lines.append(f"ORGANIZER;CN={_quoted(settings.ORGANIZATION)}:mailto:{settings.DEFAULT_FROM_EMAIL}")
        user = reservation.user
        lines.append(f"ATTENDEE;CN={_quoted(user.get_full_name())};ROLE=REQ-PARTICIPANT:mailto:{user.email}")
    lines.append("END:VEVENT")
    return lines


def _quoted(text: str) -> str:
    """A parameter value: double quotes are not allowed inside, so they go."""
    return '"' + text.replace('"', "") + '"'


def calendar(events: Iterable[list[str]], *, method: str | None = None, name: str | None = None) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def invitation(reservation: Reservation) -> str:
    """The e-mail's entry for a booking (made or moved): METHOD:REQUEST."""
    return calendar([event_lines(reservation, organizer=True)], method="REQUEST")


def cancellation(reservation: Reservation) -> str:
    """The e-mail's entry for a cancelled booking: same UID, METHOD:CANCEL, STATUS:CANCELLED."""
    return calendar([event_lines(reservation, cancelled=True, organizer=True)], method="CANCEL")


def download(reservation: Reservation) -> str:
    """One reservation as a file to open (`GET /api/reservations/<id>/ics/`)."""
    cancelled = reservation.status != Reservation.Status.ACTIVE
    return calendar([event_lines(reservation, cancelled=cancelled)])
