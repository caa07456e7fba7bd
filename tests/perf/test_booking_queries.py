"""A member's reservation through the API: its SQL statements, counted (the benchmark
benchmarks/bookings.py times it; its target is 7 statements).

The seat counts and the member's waiting-list entry are read in one statement after the slot
lock; the entry is deleted only when there is one, and a booking still ends it."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from app.bookings.models import Reservation, WaitlistEntry
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client

# benchmarks/bookings.py's target is 7 statements; a test runs inside a transaction, so the
# request's own one is a SAVEPOINT and its RELEASE here (a BEGIN, and a COMMIT not counted, there).
# The ticket spend is one UPDATE ... RETURNING, without a savepoint of its own (app/accounts/tickets.py).
BUDGET = 8


def request_statements(client, slot, django_capture_on_commit_callbacks):
    """The statements of the request itself (the confirmation e-mail runs after commit: not run here)."""
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        response = client.post("/api/reservations/", {"timeslot": slot.pk}, format="json")
    assert response.status_code == 201, response.content
    return [q["sql"] for q in queries]


def test_a_reservation_takes_at_most_eight_statements_and_ends_the_members_waiting_list_entry(
    db, django_capture_on_commit_callbacks
):
    period = make_period(make_workplace(seats=3))
    member = give_tickets(make_user(email="ana@example.com"), 5)
    client = token_client(member)
    plain = request_statements(client, make_slot(period, days_ahead=2), django_capture_on_commit_callbacks)
    assert len(plain) <= BUDGET, plain
    assert not any("DELETE" in sql and "waitlistentry" in sql for sql in plain)

    queued = make_slot(period, days_ahead=3)
    WaitlistEntry.objects.create(
        user=member,
        timeslot=queued,
        status=WaitlistEntry.Status.OFFERED,
        offer_expires_at=timezone.now() + timedelta(minutes=30),
    )
    with_entry = request_statements(client, queued, django_capture_on_commit_callbacks)
    assert len(with_entry) == len(plain) + 1, with_entry  # the entry's DELETE
    assert not WaitlistEntry.objects.filter(user=member).exists()
    assert Reservation.objects.filter(user=member, status="active").count() == 2
