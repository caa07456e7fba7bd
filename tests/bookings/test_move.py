"""Moving a booking: every rule on the new slot, the ticket difference in the ledger, one e-mail."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.bookings.models import Reservation, TimeSlot, WaitlistEntry
from app.bookings.services import reservations
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client


def move(client, reservation, slot):
    return client.post(f"/api/reservations/{reservation.pk}/move/", {"timeslot": slot.pk}, format="json")


def test_a_member_moves_a_booking_and_pays_only_the_difference(
    member_client, rich_member, period, django_capture_on_commit_callbacks
):
    old = reservations.reserve(rich_member, make_slot(period, days_ahead=3, price=1).pk)
    target = make_slot(period, days_ahead=4, price=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = move(member_client, old, target)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["timeslot"], body["status"], body["price"]) == (target.pk, "active", 3)
    old.refresh_from_db()
    assert (old.status, old.cancelled_because) == ("cancelled", "moved")
    rich_member.refresh_from_db()
    assert rich_member.tickets == 10 - 3
    [settled] = TicketMovement.objects.filter(reason=TicketMovement.Reason.MOVE)
    assert settled.delta == -2 and f"reservation {old.pk}" in settled.reference
    [message] = mail.outbox  # one e-mail, no separate cancellation
    entry = message.attachments[0][1].replace("\r\n ", "")
    assert f"UID:reservation-{old.pk}@" in entry and "SEQUENCE:1" in entry and "METHOD:REQUEST" in entry
    assert "is moved to" in message.body
    # The moved booking's calendar file keeps the UID too.
    assert f"UID:reservation-{old.pk}@" in member_client.get(f"/api/reservations/{body['id']}/ics/").content.decode()


def test_moving_to_a_cheaper_slot_returns_the_difference(member_client, rich_member, period):
    old = reservations.reserve(rich_member, make_slot(period, days_ahead=3, price=3).pk)
    assert move(member_client, old, make_slot(period, days_ahead=4, price=1)).status_code == 201
    rich_member.refresh_from_db()
    assert rich_member.tickets == 10 - 1
    assert TicketMovement.objects.get(reason=TicketMovement.Reason.MOVE).delta == 2


def test_every_booking_rule_applies_to_the_new_slot_and_nothing_changes_on_refusal(member, period):
    give_tickets(member, 1)
    client = token_client(member)
    old = reservations.reserve(member, make_slot(period, days_ahead=3, price=1).pk)
    too_dear = move(client, old, make_slot(period, days_ahead=4, price=3))
    assert too_dear.status_code == 400 and "2 more tickets" in too_dear.json()["detail"]
    full = make_slot(make_period(make_workplace(name="Tiny", seats=1)), days_ahead=5)
    reservations.reserve(give_tickets(make_user(email="ann@example.com"), 1), full.pk)
    refused = move(client, old, full)
    assert refused.status_code == 400 and refused.json()["detail"] == "This time slot is full."
    same = move(client, old, old.timeslot)
    assert same.status_code == 400
    assert Reservation.objects.get(pk=old.pk).status == "active"
    member.refresh_from_db()
    assert member.tickets == 0


def test_members_move_until_the_cancellation_deadline_and_staff_any_time(
    member_client, rich_member, admin_client_api, period
):
    soon = make_slot(period, days_ahead=3)
    TimeSlot.objects.filter(pk=soon.pk).update(start=timezone.now() + timedelta(hours=5))
    old = reservations.reserve(rich_member, soon.pk)
    target = make_slot(period, days_ahead=4)
    late = move(member_client, old, target)
    assert late.status_code == 400 and "can be moved until 24 h before the start" in late.json()["detail"]
    assert late.json()["code"] == "move_deadline_passed"
    assert (
        admin_client_api.post(f"/api/reservations/{old.pk}/move/", {"timeslot": target.pk}, format="json").status_code
        == 201
    )


def test_another_members_booking_cannot_be_moved(rich_member, period):
    old = reservations.reserve(rich_member, make_slot(period).pk)
    stranger = token_client(give_tickets(make_user(email="other@example.com"), 5))
    assert move(stranger, old, make_slot(period, days_ahead=5)).status_code == 404


def test_the_released_seat_goes_to_the_old_slots_waiting_list(
    rich_member, member_client, django_capture_on_commit_callbacks
):
    place = make_workplace(name="One seat", seats=1)
    old_slot = make_slot(make_period(place), days_ahead=3)
    old = reservations.reserve(rich_member, old_slot.pk)
    bea = give_tickets(make_user(email="bea@example.com"), 5)
    assert token_client(bea).post(f"/api/timeslots/{old_slot.pk}/waitlist/").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        assert move(member_client, old, make_slot(make_period(place), days_ahead=4)).status_code == 201
    assert WaitlistEntry.objects.get(user=bea).status == "offered"


def test_a_french_member_is_told_of_the_move_in_french(period, django_capture_on_commit_callbacks):
    fanny = give_tickets(make_user(email="fanny@example.com", first_name="Fanny", language="fr"), 5)
    old = reservations.reserve(fanny, make_slot(period).pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert move(token_client(fanny), old, make_slot(period, days_ahead=5)).status_code == 201
    assert "est déplacée" in mail.outbox[0].body and "déplacée au" in mail.outbox[0].subject
