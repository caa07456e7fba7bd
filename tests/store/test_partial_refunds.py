"""Partial refunds (admin): chosen lines or units of a paid order; Paysafe answered at the HTTP layer."""

import json
from decimal import Decimal

import pytest
import requests
import responses

from app.accounts.models import TicketMovement
from app.store.models import HeldMembership, Order, OrderLine
from tests.store.conftest import AUTHS, REFUNDS, SETTLEMENTS, approve, buy, error_body

REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


@pytest.fixture
def order(member_client, package, membership, paysafe, settings):
    """2 x 5 tickets (25.00) + 1 annual membership (40.00) = 90.00; tax 14.975 % = 13.4775 -> 13.48; 103.48."""
    approve(paysafe)
    response = buy(member_client, ("package", package, 2), ("membership", membership, 1))
    assert response.status_code == 201 and response.json()["total"] == "103.48"
    paysafe.calls.reset()
    return Order.objects.get(pk=response.json()["id"])


def line(order, kind):
    return OrderLine.objects.get(order=order, kind=kind)


def refund(client, order, *lines, **headers):
    body = {"lines": [{"id": line.pk, "quantity": quantity} for line, quantity in lines]}
    return client.post(f"/api/orders/{order.pk}/refund/", body, format="json", **headers)


def refunded_amounts(mock):
    return [json.loads(c.request.body)["amount"] for c in mock.calls if c.request.method == "POST"]


def test_one_unit_then_the_rest_add_up_to_the_total_exactly(admin_client_api, order, member, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    first = refund(admin_client_api, order, (line(order, "package"), 1))
    assert first.status_code == 200, first.json()
    # 25.00 + 14.975 % (3.74375 -> 3.74) = 28.74
    body = first.json()
    assert (body["status"], body["refunded_amount"]) == ("partially_refunded", "28.74")
    assert [line["refunded_quantity"] for line in body["lines"]] == [1, 0]
    assert json.loads(paysafe.calls[0].request.body) == {"merchantRefNum": f"{order.reference}-R1", "amount": 2874}
    member.refresh_from_db()
    assert member.tickets == 5  # 10 bought, 5 taken back
    assert HeldMembership.objects.filter(user=member).count() == 1  # the membership line is untouched
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-2", "status": "PENDING"})
    rest = admin_client_api.post(f"/api/orders/{order.pk}/refund/", {}, format="json")
    assert rest.status_code == 200, rest.json()
    assert (rest.json()["status"], rest.json()["refunded_amount"]) == ("refunded", "103.48")
    assert refunded_amounts(paysafe) == [2874, 7474]  # 28.74 + 74.74 = 103.48, not a cent more
    member.refresh_from_db()
    assert member.tickets == 0 and member.membership_end is not None and not HeldMembership.objects.exists()


def test_a_line_refunded_twice_or_beyond_its_units_is_refused(admin_client_api, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    too_many = refund(admin_client_api, order, (line(order, "package"), 3))
    assert too_many.status_code == 400
    assert too_many.json()["fields"]["lines"] == [
        f"Line {line(order, 'package').pk} has only 2 units left to refund, not 3."
    ]
    assert refund(admin_client_api, order, (line(order, "membership"), 1)).status_code == 200
    again = refund(admin_client_api, order, (line(order, "membership"), 1))
    assert again.status_code == 400
    assert again.json()["fields"]["lines"] == [f"Line {line(order, 'membership').pk} was already refunded."]
    assert refunded_amounts(paysafe) == [4599]  # 40.00 + 5.99 tax, once
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("45.99")


def test_a_retry_with_the_same_key_refunds_once(admin_client_api, order, member, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    key = {"HTTP_IDEMPOTENCY_KEY": "refund-key-1"}
    first = refund(admin_client_api, order, (line(order, "package"), 1), **key)
    again = refund(admin_client_api, order, (line(order, "package"), 1), **key)
    assert first.status_code == again.status_code == 200
    assert again.json()["refunded_amount"] == "28.74" and "already made" in again.json()["detail"]
    assert refunded_amounts(paysafe) == [2874]
    assert TicketMovement.objects.filter(user=member, reason="refund").count() == 1


def test_a_timeout_then_a_lookup_finds_the_refund_and_it_is_not_made_twice(admin_client_api, order, member, paysafe):
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout("slow"))
    paysafe.add(
        responses.GET,
        REFUNDS,
        json={"refunds": [{"id": "refund-late", "merchantRefNum": f"{order.reference}-R1", "status": "PENDING"}]},
    )
    response = refund(admin_client_api, order, (line(order, "package"), 1))
    assert response.status_code == 200, response.json()
    assert response.json()["refunded_amount"] == "28.74"
    lookup = [c for c in paysafe.calls if c.request.method == "GET"]
    assert lookup and f"merchantRefNum={order.reference}-R1" in lookup[0].request.url
    assert Order.objects.get(pk=order.pk).refunds.get().gateway_refund_id == "refund-late"


def test_a_timeout_with_nothing_found_keeps_the_refund_pending_and_a_retry_resumes_it(
    admin_client_api, order, member, paysafe
):
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout("slow"))
    paysafe.add(responses.GET, REFUNDS, json={"refunds": []})
    lost = refund(admin_client_api, order, (line(order, "package"), 1))
    assert lost.status_code == 503 and "Try again with the same lines" in lost.json()["detail"]
    assert Order.objects.get(pk=order.pk).status == "paid"
    other = refund(admin_client_api, order, (line(order, "membership"), 1))
    assert other.status_code == 409
    paysafe.replace(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    retry = refund(admin_client_api, order, (line(order, "package"), 1))
    assert retry.status_code == 200 and retry.json()["refunded_amount"] == "28.74"
    sent = [json.loads(c.request.body)["merchantRefNum"] for c in paysafe.calls if c.request.method == "POST"]
    assert sent == [f"{order.reference}-R1", f"{order.reference}-R1"]  # the same reference: never two refunds


def test_before_settlement_the_settlement_is_cancelled_and_the_rest_settled(admin_client_api, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json=error_body("3406", "not batched"), status=400)
    paysafe.add(responses.PUT, f"{SETTLEMENTS}/settle-1", json={"id": "settle-1", "status": "CANCELLED"})
    paysafe.add(responses.POST, f"{AUTHS}/auth-1/settlements", json={"id": "settle-2", "status": "PENDING"})
    response = refund(admin_client_api, order, (line(order, "membership"), 1))
    assert response.status_code == 200, response.json()
    settle = [c for c in paysafe.calls if c.request.url.endswith("/auth-1/settlements")]
    assert json.loads(settle[0].request.body) == {"merchantRefNum": f"{order.reference}-S1", "amount": 10348 - 4599}
    assert Order.objects.get(pk=order.pk).paysafe_settlement_id == "settle-2"


def test_members_cannot_refund_and_unknown_lines_are_refused(member_client, admin_client_api, order):
    assert refund(member_client, order, (line(order, "package"), 1)).status_code == 403
    body = {"lines": [{"id": 999999, "quantity": 1}]}
    unknown = admin_client_api.post(f"/api/orders/{order.pk}/refund/", body, format="json")
    assert unknown.status_code == 400 and unknown.json()["fields"]["lines"] == [
        "Line 999999 is not a line of this order."
    ]
