"""Exchanging a seat that has options: the options of the retreat left are refunded in full, their
units back in stock, by the same idempotent flow as the exchange's own refund."""

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import requests
import responses
from django.utils import timezone

from app.retreats.models import RetreatExchange, RetreatOptionPurchase, RetreatReservation
from app.store.models import Order, OrderRefund
from tests.retreats.conftest import make_retreat
from tests.retreats.test_options import make_option, order, remaining
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, error_body

pytestmark = pytest.mark.django_db


def open_retreat(**fields):
    return make_retreat(exchange_deadline=timezone.now() + timedelta(days=5), **fields)


def refunds_sent(paysafe, settlement):
    url = f"{SETTLEMENTS}/{settlement}/refunds"
    return [json.loads(call.request.body)["amount"] for call in paysafe.calls if call.request.url == url]


def charges(paysafe):
    return [json.loads(call.request.body)["amount"] for call in paysafe.calls if call.request.url == AUTHS]


def exchange(client, seat, retreat, key="x-1", token="tok-exchange"):
    body = {"retreat": retreat.pk, "single_use_token": token}
    return client.post(f"/api/retreat-reservations/{seat.pk}/exchange/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def lake(paysafe, member_client):
    """A seat (200.00) with a single room (80.00) in one order: 321.93 paid, of which 91.98 for the
    room (80.00 + GST 4.00 + QST 7.98); then three meals (20.00 each) in a second order: 68.99."""
    lake = open_retreat(seats=1)
    room = make_option(lake, stock=1)
    meals = make_option(lake, name="Meals", name_fr="Repas", price="20.00", stock=10)
    approve(paysafe, settlement_id="settle-1")
    assert order(member_client, ("retreat", lake, 1), ("retreat_option", room, 1)).json()["total"] == "321.93"
    approve(paysafe, auth_id="auth-2", settlement_id="settle-2")
    assert order(member_client, ("retreat_option", meals, 3), token="tok-2").json()["total"] == "68.99"
    return lake, room, meals


def test_to_a_cheaper_retreat_the_options_are_refunded_in_full_and_their_units_go_back_in_stock(
    paysafe, lake, member_client, anon_client
):
    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="150.00", seats=1)
    seat = RetreatReservation.objects.get()
    assert remaining(anon_client, lake) == {room.pk: 0, meals.pk: 7}
    for settlement in ("settle-1", "settle-2"):
        paysafe.add(responses.POST, f"{SETTLEMENTS}/{settlement}/refunds", json={"id": settlement, "status": "OK"})

    answer = exchange(member_client, seat, sea)

    assert answer.status_code == 200, answer.json()
    # the difference: 50.00 + taxes; the options: 91.98 (room) + 68.99 (meals), not the policy's share
    assert (answer.json()["amount"], answer.json()["options_refunded"], answer.json()["state"]) == (
        "-57.49",
        "160.97",
        "done",
    )
    assert refunds_sent(paysafe, "settle-1") == [9198, 5749]  # the room, then the difference
    assert refunds_sent(paysafe, "settle-2") == [6899]
    assert remaining(anon_client, lake) == {room.pk: 1, meals.pk: 10}
    assert set(RetreatOptionPurchase.objects.values_list("status", flat=True)) == {"cancelled"}
    seat.refresh_from_db()
    assert (seat.retreat_id, seat.status) == (sea.pk, "confirmed")
    assert Order.objects.get(total="68.99").status == "refunded"
    listed = member_client.get(f"/api/retreat-reservations/{seat.pk}/").json()
    assert [row["quantity"] for row in listed["options"]] == [0, 0]

    # Cancelling later gives back the policy's share of the seat alone (229.95 less the 57.49 given back).
    cancelled = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert cancelled.json()["refunded_amount"] == "172.46"
    assert Order.objects.get(total="321.93").refunded_amount == Decimal("321.93")  # never more than was paid


def test_to_a_dearer_retreat_the_options_are_refunded_once_the_difference_is_paid(
    paysafe, lake, member_client, anon_client, django_capture_on_commit_callbacks
):
    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="300.00", seats=1)
    seat = RetreatReservation.objects.get()
    approve(paysafe, auth_id="auth-3", settlement_id="settle-3")
    for settlement in ("settle-1", "settle-2"):
        paysafe.add(responses.POST, f"{SETTLEMENTS}/{settlement}/refunds", json={"id": settlement, "status": "OK"})

    with django_capture_on_commit_callbacks(execute=True):
        answer = exchange(member_client, seat, sea)

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["amount"], answer.json()["options_refunded"]) == ("114.98", "160.97")
    assert charges(paysafe) == [32193, 6899, 11498]  # the difference charged in full, not netted
    assert (refunds_sent(paysafe, "settle-1"), refunds_sent(paysafe, "settle-2")) == ([9198], [6899])
    assert remaining(anon_client, lake) == {room.pk: 1, meals.pk: 10}
    seat.refresh_from_db()
    assert seat.retreat_id == sea.pk
    again = exchange(member_client, seat, sea)
    assert again.json()["id"] == answer.json()["id"] and len(paysafe.calls) == len(charges(paysafe)) + 2


def test_a_declined_difference_leaves_the_seat_and_its_options_as_they_were(paysafe, lake, member_client, anon_client):
    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="300.00", seats=1)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)

    declined = exchange(member_client, seat, sea)

    assert declined.status_code == 402 and declined.json()["code"] == "payment_declined"
    seat.refresh_from_db()
    assert seat.retreat_id == lake.pk and RetreatExchange.objects.get().state == "failed"
    assert remaining(anon_client, lake) == {room.pk: 0, meals.pk: 7}
    assert set(RetreatOptionPurchase.objects.values_list("status", "quantity")) == {("confirmed", 1), ("confirmed", 3)}
    assert OrderRefund.objects.count() == 0


def test_a_lost_answer_while_refunding_the_options_is_resumed_by_the_same_request_never_paying_twice(
    paysafe, lake, member_client, anon_client
):
    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="150.00", seats=1)
    seat = RetreatReservation.objects.get()
    first = f"{SETTLEMENTS}/settle-1/refunds"
    paysafe.add(responses.POST, first, body=requests.exceptions.ReadTimeout())

    lost = exchange(member_client, seat, sea)

    assert lost.status_code == 503 and lost.json()["code"] == "payment_unavailable"
    seat.refresh_from_db()
    assert seat.retreat_id == sea.pk and RetreatExchange.objects.get().state == "pending"
    [pending] = OrderRefund.objects.all()  # recorded before the money moved
    assert (pending.state, pending.amount) == ("pending", Decimal("91.98"))
    assert remaining(anon_client, lake) == {room.pk: 0, meals.pk: 7}  # money first, then the units
    assert member_client.delete(f"/api/retreat-reservations/{seat.pk}/").status_code == 409  # not meanwhile

    paysafe.add(responses.POST, first, json={"id": "refund-1", "status": "OK"})
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-2/refunds", json={"id": "refund-2", "status": "OK"})
    resumed = exchange(member_client, seat, sea)

    assert resumed.status_code == 200 and resumed.json()["state"] == "done", resumed.json()
    assert resumed.json()["options_refunded"] == "160.97"
    sent = [json.loads(call.request.body) for call in paysafe.calls if call.request.url == first]
    assert [body["merchantRefNum"] for body in sent][:2] == [pending.merchant_ref_num] * 2  # the same refund
    assert [body["amount"] for body in sent] == [9198, 9198, 5749]
    assert sum(OrderRefund.objects.values_list("amount", flat=True)) == Decimal("218.46")  # 91.98 + 68.99 + 57.49
    assert remaining(anon_client, lake) == {room.pk: 1, meals.pk: 10}
    assert exchange(member_client, seat, sea).json()["options_refunded"] == "160.97"
    posted = [call for call in paysafe.calls if call.request.method == "POST" and "refunds" in call.request.url]
    assert len(posted) == 4  # the lost one, its retry, the meals, the difference: nothing paid twice


def test_a_difference_verified_later_refunds_the_options_once_its_payment_is_found(
    paysafe, lake, member_client, anon_client, django_capture_on_commit_callbacks
):
    from tests.store.conftest import auth_body
    from tests.store.test_reconcile import verify

    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="300.00", seats=1)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})

    waiting = exchange(member_client, seat, sea)

    assert waiting.json()["state"] == "pending" and waiting.json()["options_refunded"] == "0.00"
    assert OrderRefund.objects.count() == 0 and remaining(anon_client, lake) == {room.pk: 0, meals.pk: 7}
    pending = Order.objects.get(pk=waiting.json()["order"])
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(pending.reference, 11498)]})
    for settlement in ("settle-1", "settle-2"):
        paysafe.add(responses.POST, f"{SETTLEMENTS}/{settlement}/refunds", json={"id": settlement, "status": "OK"})

    with django_capture_on_commit_callbacks(execute=True):
        assert "1 completed" in verify()

    assert (refunds_sent(paysafe, "settle-1"), refunds_sent(paysafe, "settle-2")) == ([9198], [6899])
    assert remaining(anon_client, lake) == {room.pk: 1, meals.pk: 10}
    assert exchange(member_client, seat, sea).json()["options_refunded"] == "160.97"


def test_an_options_refund_the_gateway_failed_after_the_answer_is_made_by_the_next_scheduled_run(
    paysafe, lake, member_client, anon_client, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from tests.store.conftest import auth_body
    from tests.store.test_reconcile import verify

    lake, room, meals = lake
    sea = open_retreat(name="Sea", price="300.00", seats=1)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    pending = Order.objects.get(pk=exchange(member_client, seat, sea).json()["order"])
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(pending.reference, 11498)]})
    first = f"{SETTLEMENTS}/settle-1/refunds"
    paysafe.add(responses.POST, first, body=requests.exceptions.ReadTimeout())
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 completed" in verify()  # the seat moves; refunding its options then times out
    assert remaining(anon_client, lake) == {room.pk: 0, meals.pk: 7}
    [lost] = OrderRefund.objects.all()
    paysafe.add(responses.POST, first, json={"id": "refund-1", "status": "OK"})
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-2/refunds", json={"id": "refund-2", "status": "OK"})

    call_command("process_retreat_waitlists", stdout=StringIO())
    call_command("process_retreat_waitlists", stdout=StringIO())  # nothing left owed

    sent = [json.loads(call.request.body) for call in paysafe.calls if call.request.url == first]
    assert [body["merchantRefNum"] for body in sent] == [lost.merchant_ref_num] * 2  # resumed, not paid twice
    assert refunds_sent(paysafe, "settle-2") == [6899]
    assert remaining(anon_client, lake) == {room.pk: 1, meals.pk: 10}
    assert exchange(member_client, seat, sea).json()["options_refunded"] == "160.97"
