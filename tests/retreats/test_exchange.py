"""Exchanging a seat for one at another retreat before the deadline: the difference settled both ways."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from app.retreats.models import RetreatExchange, RetreatReservation
from app.store.models import Order, OrderRefund
from tests.conftest import make_user, token_client
from tests.retreats.conftest import buy_retreat, make_retreat
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, error_body

pytestmark = pytest.mark.django_db


def refunds_sent(paysafe, settlement="settle-1"):
    url = f"{SETTLEMENTS}/{settlement}/refunds"
    return [json.loads(call.request.body)["amount"] for call in paysafe.calls if call.request.url == url]


def charges(paysafe):
    return [json.loads(call.request.body)["amount"] for call in paysafe.calls if call.request.url == AUTHS]


def exchange(client, seat, retreat, key="x-1", token="tok-single-use-2"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"retreat": retreat.pk, "single_use_token": token}
    return client.post(f"/api/retreat-reservations/{seat.pk}/exchange/", body, format="json", **headers)


def open_retreat(**fields):
    return make_retreat(exchange_deadline=timezone.now() + timedelta(days=5), **fields)


@pytest.fixture
def seat(paysafe, member_client):
    """A confirmed seat at a 200.00 retreat (229.95 paid), exchangeable for five more days."""
    lake = open_retreat(seats=1)
    approve(paysafe)
    assert buy_retreat(member_client, lake).status_code == 201
    return RetreatReservation.objects.get()


def remaining(client, retreat):
    return client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"]


def test_to_a_cheaper_retreat_the_seat_moves_and_the_difference_is_refunded_once(
    paysafe, seat, member_client, anon_client
):
    lake, sea = seat.retreat, open_retreat(name="Sea", price="150.00", seats=1)
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1", "status": "PENDING"})

    answer = exchange(member_client, seat, sea)

    assert answer.status_code == 200, answer.json()
    # 50.00 less before tax: 50.00 + GST 2.50 + QST 4.99 back
    assert (answer.json()["amount"], answer.json()["state"], answer.json()["to_retreat"]) == ("-57.49", "done", sea.pk)
    assert refunds_sent(paysafe) == [5749]
    seat.refresh_from_db()
    assert (seat.retreat_id, seat.status) == (sea.pk, "confirmed")
    assert (remaining(anon_client, lake), remaining(anon_client, sea)) == (1, 0)
    again = exchange(member_client, seat, sea)
    assert again.status_code == 200 and again.json()["id"] == answer.json()["id"] and refunds_sent(paysafe) == [5749]

    # Cancelling later gives back the policy's share of what is left paid: 229.95 - 57.49
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-2", "status": "PENDING"})
    cancelled = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert cancelled.json()["refunded_amount"] == "172.46"
    assert Order.objects.get().refunded_amount == Decimal("229.95")


def test_to_a_dearer_retreat_the_member_pays_the_difference_through_the_checkout_then_the_seat_moves(
    paysafe, seat, member_client, anon_client, mailoutbox, django_capture_on_commit_callbacks
):
    lake, sea = seat.retreat, open_retreat(name="Sea", name_fr="Retraite à la mer", price="300.00", seats=1)
    approve(paysafe, auth_id="auth-2", settlement_id="settle-2")

    with django_capture_on_commit_callbacks(execute=True):
        answer = exchange(member_client, seat, sea)

    assert answer.status_code == 200, answer.json()
    assert (answer.json()["amount"], answer.json()["state"]) == ("114.98", "done")  # 100.00 + taxes
    assert charges(paysafe) == [22995, 11498]
    paid = member_client.get(f"/api/orders/{answer.json()['order']}/").json()
    assert (paid["status"], paid["lines"][0]["product_id"]) == ("paid", sea.pk)
    seat.refresh_from_db()
    assert seat.retreat_id == sea.pk and seat.status == "confirmed"
    assert RetreatReservation.objects.filter(status__in=["pending", "confirmed"]).count() == 1  # the hold is gone
    listed = member_client.get("/api/retreat-reservations/").json()["results"]
    assert [(row["id"], row["retreat"]) for row in listed] == [(seat.pk, sea.pk)]  # one seat, now at sea
    assert (remaining(anon_client, lake), remaining(anon_client, sea)) == (1, 0)
    assert exchange(member_client, seat, sea).json()["id"] == answer.json()["id"] and len(charges(paysafe)) == 2
    [confirmation] = [message for message in mailoutbox if "Sea" in message.subject]  # for the new retreat
    assert confirmation.to == [seat.user.email]

    # Cancelling gives back the policy's share of both orders.
    for settlement in ("settle-1", "settle-2"):
        paysafe.add(responses.POST, f"{SETTLEMENTS}/{settlement}/refunds", json={"id": settlement, "status": "OK"})
    assert member_client.delete(f"/api/retreat-reservations/{seat.pk}/").json()["refunded_amount"] == "344.93"
    assert (refunds_sent(paysafe, "settle-1"), refunds_sent(paysafe, "settle-2")) == ([22995], [11498])


def test_a_declined_difference_leaves_the_seat_where_it_was_and_frees_the_other(
    paysafe, seat, member_client, anon_client
):
    lake, sea = seat.retreat, open_retreat(name="Sea", price="300.00", seats=1)
    paysafe.add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)

    declined = exchange(member_client, seat, sea)

    assert declined.status_code == 402 and declined.json()["code"] == "payment_declined"
    seat.refresh_from_db()
    assert seat.retreat_id == lake.pk and RetreatExchange.objects.get().state == "failed"
    assert (remaining(anon_client, lake), remaining(anon_client, sea)) == (0, 1)
    assert exchange(member_client, seat, sea).status_code == 402  # the same key answers the same
    approve(paysafe, auth_id="auth-2", settlement_id="settle-2")
    assert exchange(member_client, seat, sea, key="x-2").json()["state"] == "done"


def test_every_refusal_is_a_clear_4xx_with_its_code(paysafe, seat, member_client, admin_client_api):
    lake = seat.retreat
    sea = open_retreat(name="Sea", price="200.00", seats=1)
    assert exchange(member_client, seat, lake).json()["fields"]["retreat"] == ["The seat is already at this retreat."]
    assert exchange(member_client, seat, sea, key=None).status_code == 400
    assert exchange(admin_client_api, seat, sea).status_code == 403
    stranger = token_client(make_user(email="stranger@example.com"))
    assert exchange(stranger, seat, sea).status_code == 404
    full = open_retreat(name="Full", seats=0)
    sold_out = exchange(member_client, seat, full, key="x-full")
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "retreat_sold_out"
    draft = open_retreat(name="Draft", is_published=False)
    assert exchange(member_client, seat, draft, key="x-draft").status_code == 400

    type(lake).objects.filter(pk=lake.pk).update(exchange_deadline=timezone.now() - timedelta(minutes=1))
    closed = exchange(member_client, seat, sea, key="x-late")
    assert closed.status_code == 409 and closed.json()["code"] == "retreat_exchange_closed"
    assert "EST" in closed.json()["detail"] or "EDT" in closed.json()["detail"]  # the retreat's wall clock
    in_french = member_client.post(
        f"/api/retreat-reservations/{seat.pk}/exchange/",
        {"retreat": sea.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x-late",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "ont pris fin le" in in_french.json()["detail"]
    assert "HNE" in in_french.json()["detail"] or "HAE" in in_french.json()["detail"]
    type(lake).objects.filter(pk=lake.pk).update(exchange_deadline=None)
    never = exchange(member_client, seat, sea, key="x-never")
    assert never.status_code == 409 and never.json()["code"] == "retreat_exchange_closed"
    assert RetreatExchange.objects.count() == 0 and OrderRefund.objects.count() == 0
    seat.refresh_from_db()
    assert seat.retreat_id == lake.pk


def test_the_same_price_moves_the_seat_with_no_money_moving(paysafe, seat, member_client):
    sea = open_retreat(name="Sea", price="200.00")
    answer = exchange(member_client, seat, sea)
    assert (answer.json()["amount"], answer.json()["state"]) == ("0.00", "done")
    assert refunds_sent(paysafe) == [] and len(charges(paysafe)) == 1


def test_a_lost_answer_while_refunding_the_difference_is_resumed_by_the_same_request(paysafe, seat, member_client):
    import requests

    sea = open_retreat(name="Sea", price="150.00", seats=1)
    url = f"{SETTLEMENTS}/settle-1/refunds"
    paysafe.add(responses.POST, url, body=requests.exceptions.ReadTimeout())
    lost = exchange(member_client, seat, sea)
    assert lost.status_code == 503 and lost.json()["code"] == "payment_unavailable"
    seat.refresh_from_db()
    assert seat.retreat_id == sea.pk  # the seat moved first (under the locks); the money is owed
    assert RetreatExchange.objects.get().state == "pending"
    assert OrderRefund.objects.get().state == "pending"  # recorded before the money moved

    paysafe.add(responses.POST, url, json={"id": "refund-1", "status": "PENDING"})
    resumed = exchange(member_client, seat, sea)
    assert resumed.status_code == 200 and resumed.json()["state"] == "done"
    sent = [json.loads(call.request.body) for call in paysafe.calls if call.request.url == url]
    assert {body["merchantRefNum"] for body in sent} == {OrderRefund.objects.get().merchant_ref_num}
    assert OrderRefund.objects.get().state == "done" and Order.objects.get().refunded_amount == Decimal("57.49")


def test_a_difference_being_verified_holds_both_seats_until_the_payment_is_found_then_the_seat_moves(
    paysafe, seat, member_client, anon_client
):
    import requests

    from tests.store.conftest import auth_body
    from tests.store.test_reconcile import verify

    lake, sea = seat.retreat, open_retreat(name="Sea", price="300.00", seats=1)
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})

    waiting = exchange(member_client, seat, sea)

    assert waiting.status_code == 200 and waiting.json()["state"] == "pending"
    assert (remaining(anon_client, lake), remaining(anon_client, sea)) == (0, 0)  # both held meanwhile
    cancel = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert cancel.status_code == 409  # not while the exchange is being paid
    other = open_retreat(name="Forest", price="100.00")
    assert exchange(member_client, seat, other, key="x-2").status_code == 409

    pending = Order.objects.get(pk=waiting.json()["order"])
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(pending.reference, 11498)]})
    assert "1 completed" in verify()
    seat.refresh_from_db()
    assert seat.retreat_id == sea.pk and RetreatExchange.objects.get().state == "done"
    assert (remaining(anon_client, lake), remaining(anon_client, sea)) == (1, 0)


def test_a_membership_holder_exchanges_at_the_target_s_member_price(paysafe, seat, member, member_client):
    """Sea costs 250.00, 180.00 to holders of a membership: a holder's 200.00 seat moves there with
    20.00 before tax given back, where anyone else would pay 50.00 more."""
    from app.store.models import HeldMembership, Membership

    sea = open_retreat(name="Sea", price="250.00", member_price="180.00", seats=1)
    now = timezone.now()
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    HeldMembership.objects.create(
        user=member, membership=annual, start=now, end=now + timedelta(days=30), source="staff"
    )
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1", "status": "PENDING"})

    answer = exchange(member_client, seat, sea)

    assert answer.status_code == 200, answer.json()
    # 20.00 less before tax: 20.00 + GST 1.00 + QST 2.00 (1.995) back
    assert (answer.json()["amount"], answer.json()["state"]) == ("-23.00", "done")
    assert refunds_sent(paysafe) == [2300] and charges(paysafe) == [22995]  # the seat's purchase only
    seat.refresh_from_db()
    assert (seat.retreat_id, seat.status) == (sea.pk, "confirmed")
