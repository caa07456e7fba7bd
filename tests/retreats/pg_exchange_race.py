"""Helper process for the PostgreSQL exchange race (run by test_exchange_race_postgres, never collected).

`python -m tests.retreats.pg_exchange_race` seeds the database named by DATABASE_URL (already
migrated): MEMBERS members each buy a seat at one retreat through the checkout (local test gateway),
then all ask at the same moment to exchange it for a seat at another retreat of the same price that
has SEATS seats, and one buyer races them for a seat there too, each from its own thread and
database connection. Prints `{"outcomes": [...], "seats_held": n, "moved": n}` as JSON.
"""

import json
from datetime import timedelta
from decimal import Decimal
from functools import partial

import django

from tests.races import at_once

MEMBERS = 5
SEATS = 2


def race():
    from django.utils import timezone

    from app.accounts.models import User
    from app.core.exceptions import DomainError
    from app.retreats.exchanges import exchange
    from app.retreats.models import Retreat, RetreatReservation
    from app.store.services.checkout import checkout

    start = timezone.now() + timedelta(days=40)
    deadline = timezone.now() + timedelta(days=5)
    lake, sea = (
        Retreat.objects.create(
            name=name, seats=seats, price=Decimal("200.00"), is_published=True, exchange_deadline=deadline
        )
        for name, seats in (("Lake", MEMBERS), ("Sea", SEATS))
    )
    for retreat in (lake, sea):
        retreat.dates.create(start=start, end=start + timedelta(days=2))
    members = [User.objects.create_user(email=f"racer{n}@example.com", password="x" * 12) for n in range(MEMBERS)]
    for member in members:
        checkout(member, [{"product": "retreat", "id": lake.pk, "quantity": 1}], single_use_token="test-visa")
    buyer = User.objects.create_user(email="buyer@example.com", password="x" * 12)

    def move(member):
        try:
            seat = RetreatReservation.objects.select_related("user", "retreat").get(user=member)
            return "exchanged:" + exchange(seat, sea.pk, idempotency_key="race").state
        except DomainError as error:
            return str(error.code)

    def buy():
        try:
            line = {"product": "retreat", "id": sea.pk, "quantity": 1}
            return "bought:" + checkout(buyer, [line], single_use_token="test-visa").order.status
        except DomainError as error:
            return str(error.code)

    outcomes = at_once([*(partial(move, member) for member in members), buy])
    held = RetreatReservation.objects.filter(retreat=sea, status__in=RetreatReservation.HOLDS_A_SEAT).count()
    moved = RetreatReservation.objects.filter(retreat=sea, user__in=members).count()
    return {"outcomes": sorted(outcomes), "seats_held": held, "moved": moved}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(race()))
