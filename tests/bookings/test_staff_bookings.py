"""Staff book seats for members (paid or free) and take attendance, through the API."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.bookings.models import Reservation, TimeSlot
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client


def book(client, slot, **extra):
    return client.post("/api/reservations/", {"timeslot": slot.pk, **extra}, format="json")


def test_staff_books_for_a_member_who_pays_and_is_emailed(
    admin_client_api, staff_user, rich_member, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(admin_client_api, slot, user=rich_member.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["user"], body["price"], body["booked_by_staff"], body["is_present"]) == (rich_member.pk, 1, True, None)
    rich_member.refresh_from_db()
    assert rich_member.tickets == 9
    movement = TicketMovement.objects.get(user=rich_member, reason=TicketMovement.Reason.RESERVATION)
    assert (movement.delta, movement.actor) == (-1, staff_user)
    assert Reservation.objects.get().booked_by == staff_user
    [message] = mail.outbox
    assert message.to == [rich_member.email]
    assert "reserved a seat for you" in message.body and "Montreal Library" in message.body
    # The member sees it among their own reservations.
    mine = token_client(rich_member).get("/api/reservations/").json()["results"]
    assert [r["id"] for r in mine] == [body["id"]]


def test_staff_books_free_with_a_reason_and_the_ledger_says_so(
    admin_client_api, staff_user, member, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(admin_client_api, slot, user=member.pk, free_reason="Volunteer of the month")
    assert response.status_code == 201, response.json()
    assert response.json()["price"] == 0 and response.json()["free_reason"] == "Volunteer of the month"
    member.refresh_from_db()
    assert member.tickets == 0
    movement = TicketMovement.objects.get(user=member)
    assert (movement.delta, movement.reason, movement.actor) == (0, "free_reservation", staff_user)
    assert "Volunteer of the month" in movement.reference
    assert "no ticket was taken" in mail.outbox[0].body
    # Cancelling a free seat returns nothing and breaks no balance.
    cancelled = admin_client_api.delete(f"/api/reservations/{response.json()['id']}/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    member.refresh_from_db()
    assert member.tickets == 0


def test_staff_booking_keeps_every_member_rule(admin_client_api, rich_member, period):
    slot = make_slot(period)
    assert book(admin_client_api, slot, user=rich_member.pk).status_code == 201
    again = book(admin_client_api, slot, user=rich_member.pk)
    assert again.status_code == 400 and "This member already has a reservation" in again.json()["detail"]
    poor = make_user(email="poor@example.com")
    paid = book(admin_client_api, slot, user=poor.pk)
    assert paid.status_code == 400 and "the member has 0" in paid.json()["detail"]
    # Full: the workplace has 3 seats.
    for index in range(2):
        assert (
            book(admin_client_api, slot, user=give_tickets(make_user(email=f"f{index}@example.com"), 1).pk).status_code
            == 201
        )
    full = book(admin_client_api, slot, user=poor.pk, free_reason="guest")
    assert full.status_code == 400 and "full" in full.json()["detail"]
    # Period closed, slot started, slot removed: refused for staff as for members.
    closed = make_slot(make_period(make_workplace(name="Closed"), is_active=False))
    response = book(admin_client_api, closed, user=rich_member.pk)
    assert response.status_code == 400 and "not open" in response.json()["detail"]
    started = make_slot(period, days_ahead=5)
    TimeSlot.objects.filter(pk=started.pk).update(start=timezone.now() - timedelta(minutes=5))
    response = book(admin_client_api, started, user=rich_member.pk)
    assert response.status_code == 400 and "already started" in response.json()["detail"]
    removed = make_slot(period, days_ahead=6)
    TimeSlot.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    response = book(admin_client_api, removed, user=rich_member.pk)
    assert response.status_code == 400 and "timeslot" in response.json()["fields"]
    inactive = make_user(email="gone@example.com", is_active=False)
    response = book(admin_client_api, make_slot(period, days_ahead=7), user=inactive.pk, free_reason="x")
    assert response.status_code == 400 and "not active" in response.json()["detail"]
    unknown = book(admin_client_api, slot, user=999999)
    assert unknown.status_code == 400 and "user" in unknown.json()["fields"]


def test_a_member_cannot_book_for_someone_else(member_client, rich_member, slot):
    other = give_tickets(make_user(email="other@example.com"), 5)
    response = book(member_client, slot, user=other.pk)
    assert response.status_code == 403
    assert "user" in response.json()["fields"]
    free = book(member_client, slot, free_reason="I deserve it")
    assert free.status_code == 403 and "free_reason" in free.json()["fields"]
    assert not Reservation.objects.exists()
    # Naming oneself is the ordinary booking.
    assert book(member_client, slot, user=rich_member.pk).status_code == 201


def started_reservation(member, period):
    slot = make_slot(period, days_ahead=8)
    reservation = Reservation.objects.create(user=member, timeslot=slot, price=1)
    TimeSlot.objects.filter(pk=slot.pk).update(start=timezone.now() - timedelta(minutes=10))
    return reservation


def test_staff_mark_attendance_after_the_start(admin_client_api, member, period):
    reservation = started_reservation(member, period)
    response = admin_client_api.patch(f"/api/reservations/{reservation.pk}/", {"is_present": True}, format="json")
    assert response.status_code == 200 and response.json()["is_present"] is True
    response = admin_client_api.patch(f"/api/reservations/{reservation.pk}/", {"is_present": False}, format="json")
    assert response.status_code == 200 and response.json()["is_present"] is False
    # The member sees it in their reservations.
    mine = token_client(member).get(f"/api/reservations/{reservation.pk}/").json()
    assert mine["is_present"] is False


def test_attendance_before_the_start_or_on_a_cancelled_seat_is_refused(admin_client_api, member, period):
    reservation = Reservation.objects.create(user=member, timeslot=make_slot(period), price=0)
    response = admin_client_api.patch(f"/api/reservations/{reservation.pk}/", {"is_present": True}, format="json")
    assert response.status_code == 400
    assert "once the time slot has started" in response.json()["fields"]["is_present"][0]
    cancelled = started_reservation(make_user(email="c@example.com"), period)
    Reservation.objects.filter(pk=cancelled.pk).update(status="cancelled")
    response = admin_client_api.patch(f"/api/reservations/{cancelled.pk}/", {"is_present": True}, format="json")
    assert response.status_code == 400 and "cancelled" in response.json()["fields"]["is_present"][0]
    bad = admin_client_api.patch(f"/api/reservations/{reservation.pk}/", {"is_present": "maybe"}, format="json")
    assert bad.status_code == 400 and "is_present" in bad.json()["fields"]
    reservation.refresh_from_db()
    assert reservation.is_present is None


@pytest.mark.parametrize("own", [True, False])
def test_a_member_cannot_mark_attendance(member_client, member, period, own):
    owner = member if own else make_user(email="someone@example.com")
    reservation = started_reservation(owner, period)
    response = member_client.patch(f"/api/reservations/{reservation.pk}/", {"is_present": True}, format="json")
    assert response.status_code == 403
    assert "staff" in response.json()["detail"]
    reservation.refresh_from_db()
    assert reservation.is_present is None
