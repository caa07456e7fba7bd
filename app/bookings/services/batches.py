"""Many time slots at once, from weekdays and wall-clock time ranges, converted day by day (DST-aware)."""

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from app.bookings.models import Period, TimeSlot
from app.bookings.services.common import local_datetime, lock_workplace
from app.core.exceptions import Invalid

MAX_BATCH_SLOTS = 2000


def _weekday_dates(first: date, last: date, weekdays: set[int]) -> Iterator[date]:
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            yield day
        day += timedelta(days=1)


def batch_create_timeslots(
    period: Period,
    *,
    weekdays: Iterable[int],
    ranges: Iterable[tuple[time, time]],
    start_date: date | None = None,
    end_date: date | None = None,
    price: int | None = None,
) -> list[TimeSlot]:
    """Create, for every date of the period on one of `weekdays` (0 = Monday), a slot per local time range.

    `ranges` are `(time, time)` pairs on the workplace's wall clock; each is converted with the
    zone's rules for that very date, so 09:00 stays 09:00 on both sides of a DST change. All or
    nothing: a single clash or impossible time creates no slot.
    """
    ranges = sorted(ranges)
    for (start_a, end_a), (start_b, _end_b) in pairwise(ranges):
        if start_b < end_a:
            raise Invalid(
                fields={
                    "ranges": [
                        _("%(first)s overlaps %(second)s.")
                        % {"first": f"{start_a:%H:%M}–{end_a:%H:%M}", "second": f"{start_b:%H:%M}"}
                    ]
                }
            )
    for start, end in ranges:
        if end <= start:
            raise Invalid(
                fields={
                    "ranges": [
                        _("%(range)s: the end must be after the start.") % {"range": f"{start:%H:%M}–{end:%H:%M}"}
                    ]
                }
            )
    first = max(period.start_date, start_date or period.start_date)
    last = min(period.end_date, end_date or period.end_date)
    if last < first:
        raise Invalid(_("These dates are outside the period."))
    zone = ZoneInfo(period.workplace.timezone)
    planned = []
    for day in _weekday_dates(first, last, set(weekdays)):
        for clock_start, clock_end in ranges:
            planned.append((day, local_datetime(day, clock_start, zone), local_datetime(day, clock_end, zone)))
    if not planned:
        raise Invalid(_("No date of the period falls on these weekdays."))
    if len(planned) > MAX_BATCH_SLOTS:
        raise Invalid(
            _("%(count)d slots requested; at most %(max)d at once.") % {"count": len(planned), "max": MAX_BATCH_SLOTS}
        )
    with transaction.atomic():
        lock_workplace(period.workplace_id)
        existing = list(
            TimeSlot.objects.filter(
                period__workplace_id=period.workplace_id,
                start__lt=planned[-1][2],
                end__gt=planned[0][1],
                removed_at__isnull=True,
            ).values_list("start", "end")
        )
        clashes = [
            f"{start.astimezone(zone):%Y-%m-%d %H:%M}"
            for _day, start, end in planned
            if _overlaps(start, end, existing)
        ]
        if clashes:
            raise Invalid(
                ngettext(
                    "%(count)d slot would overlap existing ones, starting %(first)s. None created.",
                    "%(count)d slots would overlap existing ones, starting %(first)s. None created.",
                    len(clashes),
                )
                % {"count": len(clashes), "first": ", ".join(clashes[:5])}
            )
        price = period.price if price is None else price
        slots = [TimeSlot(period=period, start=s, end=e, local_date=day, price=price) for day, s, e in planned]
        return bulk_create_with_history(slots, TimeSlot)  # one history row per slot (app/staff)


def _overlaps(start: datetime, end: datetime, existing: list[tuple[datetime, datetime]]) -> bool:
    return any(start < other_end and end > other_start for other_start, other_end in existing)
