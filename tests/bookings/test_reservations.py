"""Reserving and cancelling: exact ticket price, one seat per member, deadlines, refunds, ledger."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from app.accounts.models import TicketMovement
from app.bookings.models import Reservation, TimeSlot
from tests.bookings.conftest import give_tickets, make_period, make_slot
from tests.conftest import make_user, token_client


def reserve(client, slot):
    return client.post("/api/reservations/", {"timeslot": slot.pk}, format="json")


def test_reserving_takes_exactly_the_slot_price(member_client, rich_member, period):
    slot = make_slot(period, price=3)
    response = reserve(member_client, slot)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "active" and body["price"] == 3 and body["timeslot"] == slot.pk
    rich_member.refresh_from_db()
    assert rich_member.tickets == 7
    movement = TicketMovement.objects.filter(reason=TicketMovement.Reason.RESERVATION).get()
    assert (movement.delta, movement.balance_after, movement.actor) == (-3, 7, rich_member)
    assert f"reservation {body['id']}" in movement.reference


def test_slot_price_defaults_to_the_period_price(member_client, rich_member, montreal):
    slot = make_slot(make_period(montreal, price=2))
    assert slot.price == 2
    reserve(member_client, slot)
    rich_member.refresh_from_db()
    assert rich_member.tickets == 8


def test_not_enough_tickets_is_a_400_and_nothing_is_taken(member_client, member, period):
    give_tickets(member, 1)
    response = reserve(member_client, make_slot(period, price=2))
    assert response.status_code == 400
    assert response.json()["detail"] == "This time slot costs 2 tickets; you have 1."
    member.refresh_from_db()
    assert member.tickets == 1
    assert not Reservation.objects.exists()


def test_a_refused_spend_writes_nothing_and_leaves_the_callers_transaction_usable(member, slot):
    """The ledger's UPDATE takes no savepoint of its own inside a transaction: a refusal must
    still let the caller go on (a move tries the difference, then refuses with its own words)."""
    from app.accounts.tickets import NotEnoughTickets, move_tickets

    give_tickets(member, 1)
    with transaction.atomic():
        with pytest.raises(NotEnoughTickets) as refused:
            move_tickets(member, -2, TicketMovement.Reason.RESERVATION, reference="too dear")
        assert (refused.value.balance, refused.value.needed) == (1, 2)
        Reservation.objects.create(user=member, timeslot=slot, price=0)  # the transaction still works
        assert move_tickets(member, -1, TicketMovement.Reason.RESERVATION, reference="affordable") == 0
    member.refresh_from_db()
    assert member.tickets == 0 and Reservation.objects.filter(user=member).count() == 1
    spent = TicketMovement.objects.filter(user=member, reason=TicketMovement.Reason.RESERVATION)
    assert [(m.delta, m.balance_after, m.reference) for m in spent] == [(-1, 0, "affordable")]


def test_one_active_reservation_per_member_and_slot(member_client, rich_member, slot):
    assert reserve(member_client, slot).status_code == 201
    again = reserve(member_client, slot)
    assert again.status_code == 400
    assert again.json()["detail"] == "You already have a reservation for this time slot."
    rich_member.refresh_from_db()
    assert rich_member.tickets == 9


def test_the_database_itself_refuses_a_second_active_reservation(rich_member, slot):
    Reservation.objects.create(user=rich_member, timeslot=slot, price=1)
    Reservation.objects.create(user=rich_member, timeslot=slot, price=1, status=Reservation.Status.CANCELLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(user=rich_member, timeslot=slot, price=1)


def test_a_full_slot_is_refused(period, slot):
    for index in range(period.workplace.seats):
        member = give_tickets(make_user(email=f"m{index}@example.com"), 1)
        assert reserve(token_client(member), slot).status_code == 201
    late = give_tickets(make_user(email="late@example.com"), 1)
    response = reserve(token_client(late), slot)
    assert response.status_code == 400
    assert response.json()["detail"] == "This time slot is full."
    late.refresh_from_db()
    assert late.tickets == 1


def test_a_past_slot_is_refused(member_client, rich_member, period):
    slot = make_slot(period, days_ahead=0)
    TimeSlot.objects.filter(pk=slot.pk).update(
        start=timezone.now() - timedelta(hours=1), end=timezone.now() + timedelta(hours=1)
    )
    response = reserve(member_client, slot)
    assert response.status_code == 400
    assert response.json()["detail"] == "This time slot has already started."


def test_a_slot_of_an_inactive_period_is_refused(member_client, rich_member, montreal):
    slot = make_slot(make_period(montreal, is_active=False))
    response = reserve(member_client, slot)
    assert response.status_code == 400
    assert response.json()["detail"] == "This time slot is not open for reservations."


@pytest.mark.parametrize("value", [999999, "abc", None])
def test_unknown_or_malformed_slot_is_a_field_error(member_client, rich_member, value):
    response = member_client.post("/api/reservations/", {"timeslot": value}, format="json")
    assert response.status_code == 400
    assert "timeslot" in response.json()["fields"]


def test_anonymous_visitors_cannot_reserve(anon_client, slot):
    response = reserve(anon_client, slot)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}
    assert not Reservation.objects.exists()


def test_member_cancels_before_the_deadline_and_gets_tickets_back(member_client, rich_member, period):
    slot = make_slot(period, days_ahead=3, price=2)
    reservation_id = reserve(member_client, slot).json()["id"]
    response = member_client.delete(f"/api/reservations/{reservation_id}/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_because"] == "member"
    rich_member.refresh_from_db()
    assert rich_member.tickets == 10
    reasons = list(TicketMovement.objects.filter(user=rich_member).values_list("reason", "delta"))
    assert reasons == [("cancellation", 2), ("reservation", -2), ("admin", 10)]
    # The seat is free again and the member may reserve it anew.
    assert reserve(member_client, slot).status_code == 201


def test_member_cannot_cancel_after_the_deadline(member_client, rich_member, period, settings):
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 24
    slot = make_slot(period, days_ahead=3)
    reservation_id = reserve(member_client, slot).json()["id"]
    TimeSlot.objects.filter(pk=slot.pk).update(
        start=timezone.now() + timedelta(hours=23), end=timezone.now() + timedelta(hours=25)
    )
    response = member_client.delete(f"/api/reservations/{reservation_id}/")
    assert response.status_code == 400
    assert "until 24 hours before the start" in response.json()["detail"]
    assert "America/Montreal" not in response.json()["detail"]  # the zone as members say it
    assert response.json()["detail"].endswith((" EST.", " EDT."))
    assert Reservation.objects.get().status == "active"
    rich_member.refresh_from_db()
    assert rich_member.tickets == 9


def test_the_deadline_is_configurable(member_client, rich_member, period, settings):
    settings.RESERVATION_CANCEL_DEADLINE_HOURS = 2
    slot = make_slot(period, days_ahead=3)
    reservation_id = reserve(member_client, slot).json()["id"]
    TimeSlot.objects.filter(pk=slot.pk).update(
        start=timezone.now() + timedelta(hours=3), end=timezone.now() + timedelta(hours=4)
    )
    assert member_client.delete(f"/api/reservations/{reservation_id}/").status_code == 200


def test_admin_cancels_any_reservation_late_with_refund(admin_client_api, staff_user, member_client, rich_member, slot):
    reservation_id = reserve(member_client, slot).json()["id"]
    TimeSlot.objects.filter(pk=slot.pk).update(
        start=timezone.now() + timedelta(hours=1), end=timezone.now() + timedelta(hours=2)
    )
    response = admin_client_api.delete(f"/api/reservations/{reservation_id}/")
    assert response.status_code == 200
    assert response.json()["cancelled_because"] == "admin"
    rich_member.refresh_from_db()
    assert rich_member.tickets == 10
    refund = TicketMovement.objects.filter(reason=TicketMovement.Reason.CANCELLATION).get()
    assert refund.actor == staff_user and refund.user == rich_member


def test_cancelling_twice_is_a_400_and_refunds_once(member_client, rich_member, slot):
    reservation_id = reserve(member_client, slot).json()["id"]
    member_client.delete(f"/api/reservations/{reservation_id}/")
    again = member_client.delete(f"/api/reservations/{reservation_id}/")
    assert again.status_code == 400
    assert again.json()["detail"] == "This reservation is already cancelled."
    rich_member.refresh_from_db()
    assert rich_member.tickets == 10


def test_members_see_and_cancel_only_their_own(member_client, rich_member, admin_client_api, slot):
    other = give_tickets(make_user(email="other@example.com"), 2)
    other_client = token_client(other)
    mine = reserve(member_client, slot).json()["id"]
    theirs = reserve(other_client, slot).json()["id"]
    assert [r["id"] for r in member_client.get("/api/reservations/").json()["results"]] == [mine]
    assert member_client.get(f"/api/reservations/{theirs}/").status_code == 404
    assert member_client.delete(f"/api/reservations/{theirs}/").status_code == 404
    assert Reservation.objects.get(pk=theirs).status == "active"
    every = admin_client_api.get("/api/reservations/").json()
    assert {r["id"] for r in every["results"]} == {mine, theirs}
    only_other = admin_client_api.get(f"/api/reservations/?user={other.pk}").json()["results"]
    assert [r["id"] for r in only_other] == [theirs]


def test_reservation_list_filters_by_status_and_rejects_nonsense(member_client, rich_member, period):
    first, second = make_slot(period, days_ahead=3), make_slot(period, days_ahead=4)
    kept = reserve(member_client, first).json()["id"]
    member_client.delete(f"/api/reservations/{reserve(member_client, second).json()['id']}/")
    active = member_client.get("/api/reservations/?status=active").json()["results"]
    assert [r["id"] for r in active] == [kept]
    assert member_client.get("/api/reservations/?status=maybe").status_code == 400
    assert member_client.get("/api/reservations/?timeslot=x").status_code == 400


def test_reservations_cannot_be_edited(member_client, admin_client_api, rich_member, slot):
    reservation_id = reserve(member_client, slot).json()["id"]
    response = member_client.patch(f"/api/reservations/{reservation_id}/", {"price": 0}, format="json")
    assert response.status_code == 403  # PATCH is staff's attendance only
    response = admin_client_api.put(f"/api/reservations/{reservation_id}/", {"price": 0}, format="json")
    assert response.status_code == 405
    response = admin_client_api.patch(f"/api/reservations/{reservation_id}/", {"price": 0}, format="json")
    assert response.status_code == 400 and "is_present" in response.json()["fields"]
    assert Reservation.objects.get().price == 1
