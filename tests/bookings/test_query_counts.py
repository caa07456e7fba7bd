"""Every list endpoint runs the same number of SQL queries for 10 rows as for 100."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from app.bookings.models import Reservation, TimeSlot, WorkplacePicture
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


def make_rows(n):
    """Up to n workplaces (with a picture), periods, slots, and reservations by as many members."""
    for index in range(TimeSlot.objects.count(), n):
        workplace = make_workplace(name=f"Place {index:03d}", seats=2)
        WorkplacePicture.objects.create(workplace=workplace, image=f"workplaces/{index}.png")
        slot = make_slot(make_period(workplace), days_ahead=2 + index % 20)
        member = give_tickets(make_user(email=f"q{index}@example.com"), 1)
        Reservation.objects.create(user=member, timeslot=slot, price=1)
    return member


@pytest.fixture
def clients(anon_client, staff_user):
    def build(last_member):
        return {"anonymous": anon_client, "member": token_client(last_member), "admin": token_client(staff_user)}

    return build


@pytest.mark.parametrize("url", ["/api/workplaces/", "/api/periods/", "/api/timeslots/", "/api/reservations/"])
def test_list_queries_do_not_grow_with_rows(db, staff_user, clients, url):
    counts = {}
    for n in (10, 100):
        last_member = make_rows(n)
        for who, client in clients(last_member).items():
            if url == "/api/reservations/" and who == "anonymous":
                continue
            queries, body = count_queries(client, f"{url}?limit=200")
            expected_rows = 1 if (url == "/api/reservations/" and who == "member") else n
            assert body["count"] == expected_rows
            counts.setdefault(who, []).append(queries)
    for who, (at_10, at_100) in counts.items():
        assert at_10 == at_100, f"{url} as {who}: {at_10} queries for 10 rows, {at_100} for 100"


def test_slot_list_needs_at_most_five_queries(db, staff_user, clients):
    last_member = make_rows(50)
    queries, body = count_queries(clients(last_member)["member"], "/api/timeslots/")
    assert len(body["results"]) == 50
    assert queries <= 5
