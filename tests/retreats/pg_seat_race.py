"""Helper process for the PostgreSQL retreat-seat race (run by test_seat_race_postgres, never collected).

`python -m tests.retreats.pg_seat_race` seeds the database named by DATABASE_URL (already migrated):
a retreat with SEATS seats and MEMBERS members; then every member checks out a seat at the same
moment, each from its own thread and database connection, through the local test gateway.
Prints `{"outcomes": [...], "seats_held": n, "paid": n}` as JSON.
"""

import json
from datetime import timedelta
from decimal import Decimal

import django

from tests.races import at_once, buying

MEMBERS = 6
SEATS = 2


def race():
    from django.utils import timezone

    from app.accounts.models import User
    from app.retreats.models import Retreat, RetreatReservation
    from app.store.models import Order

    retreat = Retreat.objects.create(name="Lake", seats=SEATS, price=Decimal("200.00"), is_published=True)
    start = timezone.now() + timedelta(days=40)
    retreat.dates.create(start=start, end=start + timedelta(days=2))
    members = [User.objects.create_user(email=f"racer{n}@example.com", password="x" * 12) for n in range(MEMBERS)]
    line = {"product": "retreat", "id": retreat.pk, "quantity": 1}
    outcomes = at_once([buying(member, line) for member in members])
    held = RetreatReservation.objects.filter(retreat=retreat, status__in=RetreatReservation.HOLDS_A_SEAT).count()
    paid = Order.objects.filter(status=Order.Status.PAID).count()
    return {"outcomes": sorted(outcomes), "seats_held": held, "paid": paid}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race()))
