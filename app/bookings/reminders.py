"""Reminders before each session: `send_reminders`, every 5 minutes on a stage.

For each offset of `REMINDER_HOURS` (default 24 and 2 hours before the start), a member whose
`session_reminders` is on gets one e-mail. At most once per (reservation, offset), even when two
runs overlap or a run is retried: the run inserts the `ReminderSent` rows first with
`INSERT ... ON CONFLICT DO NOTHING RETURNING` and sends only what its own insert returned, so the
database's unique key, not a flag read then written, decides. A late run catches up, never after
the start; when several offsets are due at once only the latest-due (the nearest to the start)
goes and the others are recorded as done. An offset already past when the member booked is
skipped: the confirmation said it all.

Batches of `BATCH` reservations (keyset on the id) cost three queries each, whatever their size.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import ngettext

from app.bookings.models import ReminderSent, Reservation
from app.core.email import send_templated_email

BATCH = 500
OPT_OUT_SALT = "app.bookings.reminders.opt-out"


def offsets() -> list[int]:
    return sorted({int(hours) for hours in settings.REMINDER_HOURS if int(hours) > 0})


def opt_out_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=OPT_OUT_SALT, compress=True)


def user_from_opt_out_token(token: str) -> int | None:
    """The member a one-click link names, or None when it was tampered with. It never expires:
    the link in a reminder sent months ago must still turn reminders off."""
    try:
        return int(signing.loads(token, salt=OPT_OUT_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def opt_out_url(user_id: int) -> str:
    return f"{settings.SITE_URL}/reminders/off/{opt_out_token(user_id)}/"


def _candidates(now: datetime, horizon: timedelta) -> Iterator[list[Reservation]]:
    rows = (
        Reservation.objects.filter(
            status=Reservation.Status.ACTIVE,
            user__session_reminders=True,
            user__is_active=True,
            timeslot__removed_at__isnull=True,
            timeslot__start__gt=now,
            timeslot__start__lte=now + horizon,
        )
        .select_related("user", "timeslot__period__workplace")
        .order_by("id")
    )
    last = 0
    while True:
        batch = list(rows.filter(id__gt=last)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def _claim(pairs: list[tuple[int, int]], now: datetime) -> set[tuple[int, int]]:
    """Insert the (reservation, offset) rows; those this call inserted come back, others' do not."""
    if not pairs:
        return set()
    table = connection.ops.quote_name(ReminderSent._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(pairs))
    params: list[int | datetime] = [item for reservation_id, hours in pairs for item in (reservation_id, hours, now)]
    # Only the quoted table name and placeholders are formatted in; every value is a parameter.
    sql = f"INSERT INTO {table} (reservation_id, hours_before, sent_at) VALUES {values} "  # noqa: S608
    sql += "ON CONFLICT (reservation_id, hours_before) DO NOTHING RETURNING reservation_id, hours_before"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]) for row in cursor.fetchall()}


def send_reminders(now: datetime | None = None) -> int:
    """Send the reminders due; returns how many went."""
    now = now or timezone.now()
    hours_list = offsets()
    if not hours_list:
        return 0
    sent = 0
    for batch in _candidates(now, timedelta(hours=max(hours_list))):
        done: dict[int, set[int]] = defaultdict(set)
        for reservation_id, hours in ReminderSent.objects.filter(reservation__in=batch).values_list(
            "reservation_id", "hours_before"
        ):
            done[reservation_id].add(hours)
        to_claim: list[tuple[int, int]] = []
        to_send: dict[int, int] = {}  # reservation id -> the offset its e-mail is for
        for reservation in batch:
            start = reservation.timeslot.start
            due = [h for h in hours_list if start - timedelta(hours=h) <= now]
            due = [h for h in due if reservation.created <= start - timedelta(hours=h)] or []
            fresh = [h for h in due if h not in done[reservation.pk]]
            if not fresh:
                continue
            to_claim += [(reservation.pk, h) for h in fresh]
            if min(due) in fresh:  # the latest-due offset; earlier ones are only recorded
                to_send[reservation.pk] = min(due)
        claimed = _claim(to_claim, now)
        for reservation in batch:
            offset = to_send.get(reservation.pk)
            if offset is not None and (reservation.pk, offset) in claimed:
                _send(reservation, now)
                sent += 1
    return sent


def _send(reservation: Reservation, now: datetime) -> None:
    from app.bookings.notices import slot_params

    user = reservation.user
    with translation.override(user.language):
        hours_left = max(1, round((reservation.timeslot.start - now).total_seconds() / 3600))
        params = {
            **slot_params(reservation.timeslot),
            "first_name": user.first_name,
            "starts_in": ngettext("in %(hours)d hour", "in %(hours)d hours", hours_left) % {"hours": hours_left},
            "opt_out_url": opt_out_url(user.pk),
        }
    send_templated_email(
        language=user.language,
        to_email=user.email,
        to_name=user.get_full_name(),
        template_setting="SESSION_REMINDER",
        params=params,
        local_template="emails/session_reminder",
    )
