"""Helper process for the PostgreSQL retreat-option race (run by test_options_race_postgres, never collected).

`python -m tests.retreats.pg_option_race` seeds the database named by DATABASE_URL (already migrated):
a retreat where MEMBERS members each hold a seat, and an option with UNITS units; then every member
buys one unit at the same moment, each from its own thread and database connection, through the
local test gateway. Prints `{"outcomes": [...], "units_held": n, "paid": n}` as JSON.
"""

import json
from datetime import timedelta
from decimal import Decimal

import django

from tests.races import at_once, buying

MEMBERS = 6
UNITS = 2


def race():
    from django.db.models import Sum
    from django.utils import timezone

    from app.accounts.models import User
    from app.retreats.models import Retreat, RetreatOption, RetreatOptionPurchase, RetreatReservation
    from app.store.models import Order

    retreat = Retreat.objects.create(name="Lake", seats=MEMBERS, price=Decimal("200.00"), is_published=True)
    start = timezone.now() + timedelta(days=40)
    retreat.dates.create(start=start, end=start + timedelta(days=2))
    room = RetreatOption.objects.create(retreat=retreat, name="Single room", price=Decimal("80.00"), stock=UNITS)
    members = [User.objects.create_user(email=f"racer{n}@example.com", password="x" * 12) for n in range(MEMBERS)]
    for member in members:
        RetreatReservation.objects.create(user=member, retreat=retreat, status=RetreatReservation.Status.CONFIRMED)
    line = {"product": "retreat_option", "id": room.pk, "quantity": 1}
    outcomes = at_once([buying(member, line) for member in members])
    held = RetreatOptionPurchase.objects.filter(option=room, status__in=RetreatReservation.HOLDS_A_SEAT)
    paid = Order.objects.filter(status=Order.Status.PAID).count()
    return {"outcomes": sorted(outcomes), "units_held": held.aggregate(n=Sum("quantity"))["n"], "paid": paid}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race()))
