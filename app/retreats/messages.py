"""Scheduled e-mails to a retreat's participants: a reminder before, a follow-up after.

`manage.py send_retreat_messages` (every 15 minutes on a stage, app/core/scheduled.py) sends:
- the reminder, from `RETREAT_REMINDER_DAYS` days before the first date until it starts, to each
  confirmed seat bought before that moment (a seat bought later had its confirmation: no reminder);
- the follow-up, from `RETREAT_FOLLOW_UP_HOURS` after the last date's end, for `FOLLOW_UP_DAYS`
  days, to each seat still confirmed, when the retreat has a `follow_up_link` (set later within
  those days: it still goes).

Each e-mail goes at most once per seat, even when two runs overlap or a run is retried: a run first
inserts the `RetreatMessage` row (unique per seat and kind) and sends only when its own insert
succeeded, so the database's unique key decides, not a flag read then written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from app.retreats import notices
from app.retreats.models import Retreat, RetreatMessage, RetreatReservation

FOLLOW_UP_DAYS = 14  # how long after the follow-up's time a late run (or a link set late) still sends it

Kind = RetreatMessage.Kind


def _confirmed_seats(retreat: Retreat) -> QuerySet[RetreatReservation]:
    return retreat.reservations.filter(status=RetreatReservation.Status.CONFIRMED, user__is_active=True).select_related(
        "user", "retreat"
    )


def _claim(reservation: RetreatReservation, kind: str, now: datetime) -> bool:
    """True when this call recorded the message (and so must send it); False when it went already."""
    try:
        with transaction.atomic():
            RetreatMessage.objects.create(reservation=reservation, kind=kind, sent_at=now)
    except IntegrityError:
        return False
    return True


def _send_to(
    seats: QuerySet[RetreatReservation], kind: str, send: Callable[[RetreatReservation], None], now: datetime
) -> int:
    sent = 0
    for reservation in seats.exclude(messages__kind=kind).order_by("id"):
        if _claim(reservation, kind, now):
            send(reservation)
            sent += 1
    return sent


def send_reminders(now: datetime) -> int:
    ahead = timedelta(days=settings.RETREAT_REMINDER_DAYS)
    retreats = Retreat.objects.annotate(first_start=Min("dates__start")).filter(
        first_start__gt=now, first_start__lte=now + ahead
    )
    sent = 0
    for retreat in retreats:
        due = retreat.first_start - ahead
        seats = _confirmed_seats(retreat).filter(created__lte=due)
        sent += _send_to(seats, Kind.REMINDER, notices.reminder, now)
    return sent


def send_follow_ups(now: datetime) -> int:
    after = timedelta(hours=settings.RETREAT_FOLLOW_UP_HOURS)
    retreats = (
        Retreat.objects.exclude(follow_up_link="")
        .annotate(last_end=Max("dates__end"))
        .filter(last_end__lte=now - after, last_end__gt=now - after - timedelta(days=FOLLOW_UP_DAYS))
    )
    return sum(_send_to(_confirmed_seats(retreat), Kind.FOLLOW_UP, notices.follow_up, now) for retreat in retreats)


def send_due(now: datetime | None = None) -> int:
    """Send the reminders and follow-ups due; returns how many went."""
    now = now or timezone.now()
    return send_reminders(now) + send_follow_ups(now)
