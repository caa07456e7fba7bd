"""/sessions/ and /api/timeslots/ with 10 and with 2,000 upcoming slots: the same queries, bounded bytes.

Availability (places left, the member's own reservation) is counted for the slots shown only, so
neither the queries nor the page grow with the upcoming slots. Their rates, which must keep 80 %
with 2,000 slots, are measured by benchmarks/growth.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.bookings.models import Reservation
from tests.bookings.conftest import give_tickets, make_period, make_workplace
from tests.conftest import make_user, token_client
from tests.perf.data import slots_on_days

KB = 1024
BUDGETS = {"/sessions/": (8, 40 * KB), "/api/timeslots/": (6, 64 * KB)}


def measure(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), len(response.content)


def add_upcoming(periods, count, first_day):
    """`count` upcoming slots over `periods`, one in three reserved by someone else."""
    other = make_user(email=f"other{first_day}@example.com")
    made = []
    for index, period in enumerate(periods):
        share = count // len(periods) + (index < count % len(periods))
        made += slots_on_days(period, range(first_day, first_day + share))
    Reservation.objects.bulk_create(Reservation(user=other, timeslot=s, price=1) for s in made[::3])


@pytest.mark.parametrize("who", ["member", "visitor"])
def test_slot_lists_cost_the_same_with_2000_upcoming_slots_as_with_10(client, db, who):
    member = give_tickets(make_user(), 5)
    periods = [make_period(make_workplace()), make_period(make_workplace("Kolkata Room", "Asia/Kolkata"))]
    api = token_client(member)
    if who == "member":
        client.force_login(member)
    else:
        api.credentials()  # anonymous
    clients = {"/sessions/": client, "/api/timeslots/": api}
    add_upcoming(periods, 10, first_day=1)
    few = {path: measure(c, path) for path, c in clients.items()}
    add_upcoming(periods, 1990, first_day=10)
    many = {path: measure(c, path) for path, c in clients.items()}
    for path, (max_queries, max_bytes) in BUDGETS.items():
        assert many[path][0] == few[path][0], (path, few[path], many[path])
        assert many[path][0] <= max_queries, (path, many[path])
        assert many[path][1] <= max_bytes, (path, many[path])
    assert api.get("/api/timeslots/").json()["count"] == 2000
