"""Refunds (admin): money back first, then the goods, never twice."""

import json
from datetime import timedelta

import pytest
import responses

from app.accounts.models import TicketMovement
from app.accounts.tickets import move_tickets
from app.store.models import Order
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, assert_no_secret, buy, error_body

REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


@pytest.fixture
def paid_order(member_client, member, package, paysafe):
    approve(paysafe)
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 201
    paysafe.calls.reset()
    return Order.objects.get(pk=response.json()["id"])


def refund(client, order, **body):
    return client.post(f"/api/orders/{order.pk}/refund/", body, format="json")


def test_a_refund_returns_the_money_and_takes_the_tickets_back(admin_client_api, paid_order, member, paysafe, caplog):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING", "amount": 2874})
    response = refund(admin_client_api, paid_order)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "refunded"
    [call] = paysafe.calls
    # The reference is the recorded refund's: the one path of full and partial refunds.
    assert json.loads(call.request.body) == {"merchantRefNum": f"{paid_order.reference}-R1", "amount": 2874}
    member.refresh_from_db()
    assert member.tickets == 0
    assert TicketMovement.objects.filter(user=member, reason="refund", delta=-5).count() == 1
    assert Order.objects.get(pk=paid_order.pk).paysafe_refund_id == "refund-1"
    assert_no_secret(caplog.text, response.content)


def test_a_refund_is_idempotent(admin_client_api, paid_order, member, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING", "amount": 2874})
    refund(admin_client_api, paid_order)
    again = refund(admin_client_api, paid_order)
    assert again.status_code == 200
    assert "already refunded" in again.json()["detail"]
    assert len(paysafe.calls) == 1
    assert TicketMovement.objects.filter(user=member, reason="refund").count() == 1


def test_an_unbatched_settlement_is_cancelled_instead(admin_client_api, paid_order, member, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json=error_body("3406", "not batched"), status=400)
    paysafe.add(responses.PUT, f"{SETTLEMENTS}/settle-1", json={"id": "settle-1", "status": "CANCELLED"})
    response = refund(admin_client_api, paid_order)
    assert response.status_code == 200
    cancel = paysafe.calls[1].request
    assert (cancel.method, json.loads(cancel.body)) == ("PUT", {"status": "CANCELLED"})
    member.refresh_from_db()
    assert member.tickets == 0


def test_a_refund_that_went_through_before_is_recognised(admin_client_api, paid_order, paysafe):
    # A first attempt timed out after Paysafe refunded: the retry is told 3404, not refunded twice.
    paysafe.add(responses.POST, REFUND_URL, json=error_body("3404", "already refunded"), status=400)
    response = refund(admin_client_api, paid_order)
    assert response.status_code == 200
    assert Order.objects.get(pk=paid_order.pk).status == "refunded"


def test_a_refund_timeout_leaves_the_order_paid_with_a_clear_message(admin_client_api, paid_order, member, paysafe):
    import requests

    paysafe.add(responses.POST, REFUND_URL, body=requests.Timeout())
    response = refund(admin_client_api, paid_order)
    assert response.status_code == 503
    assert "Try again" in response.json()["detail"]
    assert Order.objects.get(pk=paid_order.pk).status == "paid"
    member.refresh_from_db()
    assert member.tickets == 5


def test_spent_tickets_make_a_refund_refuse_unless_forced(admin_client_api, paid_order, member, paysafe):
    move_tickets(member, -3, TicketMovement.Reason.RESERVATION, reference="res-1")
    response = refund(admin_client_api, paid_order)
    assert response.status_code == 400
    assert "2 tickets left of the 5" in response.json()["detail"]
    assert not paysafe.calls
    assert Order.objects.get(pk=paid_order.pk).status == "paid"

    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING", "amount": 2874})
    forced = refund(admin_client_api, paid_order, force=True)
    assert forced.status_code == 200
    assert "3 tickets had already been spent" in forced.json()["detail"]
    member.refresh_from_db()
    assert member.tickets == 0


def test_a_refund_takes_the_membership_time_back(admin_client_api, member_client, member, membership, paysafe):
    approve(paysafe)
    order = buy(member_client, ("membership", membership, 1)).json()
    member.refresh_from_db()
    granted_end = member.membership_end
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING", "amount": 4599})
    assert refund(admin_client_api, Order.objects.get(pk=order["id"])).status_code == 200
    member.refresh_from_db()
    assert not member.has_membership
    assert granted_end - member.membership_end == timedelta(days=365)


def test_members_cannot_refund(member_client, paid_order, paysafe):
    assert refund(member_client, paid_order).status_code == 403
    assert not paysafe.calls
    assert Order.objects.get(pk=paid_order.pk).status == "paid"


def test_only_paid_orders_can_be_refunded(admin_client_api, member_client, package, paysafe):
    paysafe.add(responses.POST, AUTHS, json=error_body("3009"), status=402)
    order = buy(member_client, ("package", package, 1)).json()
    response = refund(admin_client_api, Order.objects.get(pk=order["id"]))
    assert response.status_code == 400
    assert "failed" in response.json()["detail"]
