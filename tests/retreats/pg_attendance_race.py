"""Helper process for the PostgreSQL attendance race (run by test_attendance_race_postgres, never collected).

`python -m tests.retreats.pg_attendance_race` seeds the database named by DATABASE_URL (already
migrated): an in-person retreat under way with one confirmed seat and STAFF staff members; then
every staff member marks the seat present at the same date at the same moment, each from its own
thread and database connection. Prints `{"outcomes": [...], "rows": n}` as JSON.
"""

import json
from datetime import timedelta
from decimal import Decimal
from functools import partial

import django

from tests.races import at_once

STAFF = 6


def race():
    from django.utils import timezone

    from app.accounts.models import User
    from app.retreats.attendance import mark
    from app.retreats.models import Retreat, RetreatJoin, RetreatReservation

    retreat = Retreat.objects.create(name="Lake", seats=2, price=Decimal("200.00"), is_published=True)
    start = timezone.now() - timedelta(hours=2)
    date = retreat.dates.create(start=start, end=start + timedelta(hours=8))
    member = User.objects.create_user(email="member@example.com", password="x" * 12)
    seat = RetreatReservation.objects.create(user=member, retreat=retreat, status="confirmed")
    staff = [
        User.objects.create_user(email=f"staff{n}@example.com", password="x" * 12, is_staff=True) for n in range(STAFF)
    ]

    def mark_present(actor):
        return mark(RetreatReservation.objects.select_related("retreat").get(pk=seat.pk), date.pk, True, actor)

    outcomes = at_once([partial(mark_present, actor) for actor in staff])
    return {"outcomes": outcomes, "rows": RetreatJoin.objects.filter(reservation=seat, date=date).count()}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race()))
