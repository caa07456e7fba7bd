"""One way to show a member a date and time, in pages and e-mails alike.

The workplace's wall clock with its zone as members say it: `HNE`/`HAE` in French, `EST`/`EDT`
in English for North American zones, else the zone's city ("Paris"); never an IANA id. Formats
come from the catalog (`pgettext("date format", ...)`), so each language writes dates its own way:
"Monday, December 7, 2026, 9:00 a.m. EST" / "lundi 7 décembre 2026, 9 h 00 HNE".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import pgettext

from app.core.i18n import current_language

# North American abbreviations (what zoneinfo's tzname() gives) -> what a French reader knows.
FRENCH_ZONES = {
    "EST": "HNE",
    "EDT": "HAE",
    "CST": "HNC",
    "CDT": "HAC",
    "MST": "HNR",
    "MDT": "HAR",
    "PST": "HNP",
    "PDT": "HAP",
    "AST": "HNA",
    "ADT": "HAA",
    "NST": "HNT",
    "NDT": "HAT",
}


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def zone_name(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """`HNE` / `EST` for North American zones, else the zone's city (`Paris`)."""
    zone = zone or site_zone()
    abbreviation = moment.astimezone(zone).tzname() or ""
    if abbreviation in FRENCH_ZONES:
        return FRENCH_ZONES[abbreviation] if current_language() == "fr" else abbreviation
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def day_text(day: date | datetime) -> str:
    """`Monday, December 7, 2026` / `lundi 7 décembre 2026`."""
    return dateformat.format(day, pgettext("date format", "l, F j, Y"))


def clock_text(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """`9:00 a.m.` / `9 h 00`, on the zone's wall clock."""
    return dateformat.format(moment.astimezone(zone or site_zone()), pgettext("time format", "g:i a"))


def moment_text(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """`Monday, December 7, 2026, 9:00 a.m. EST` / `lundi 7 décembre 2026, 9 h 00 HNE`."""
    zone = zone or site_zone()
    local = moment.astimezone(zone)
    return pgettext("date and time", "{day}, {clock} {zone}").format(
        day=day_text(local), clock=clock_text(local, zone), zone=zone_name(local, zone)
    )


def span_text(start: datetime, end: datetime, zone: ZoneInfo | None = None) -> str:
    """`9:00 a.m.–12:00 p.m. EST` / `9 h 00–12 h 00 HNE`: a time slot on one day."""
    zone = zone or site_zone()
    return f"{clock_text(start, zone)}–{clock_text(end, zone)} {zone_name(start, zone)}"


def slot_text(start: datetime, end: datetime, zone: ZoneInfo | None = None) -> str:
    """`Monday, December 7, 2026, 9:00 a.m.–12:00 p.m. EST`: a session, day and hours."""
    zone = zone or site_zone()
    return pgettext("date and time", "{day}, {clock} {zone}").format(
        day=day_text(start.astimezone(zone)),
        clock=f"{clock_text(start, zone)}–{clock_text(end, zone)}",
        zone=zone_name(start, zone),
    )
