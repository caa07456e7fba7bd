"""One refund path: full and partial refunds are recorded rows, listed on the order, never doubled."""

import json
from decimal import Decimal

import pytest
import requests
import responses

from app.store.models import Order, OrderLine, OrderRefund
from tests.store.conftest import REFUNDS, SETTLEMENTS, approve, buy

REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


@pytest.fixture
def order(member_client, package, membership, paysafe):
    """2 x 5 tickets + 1 annual membership: 103.48 in all."""
    approve(paysafe)
    response = buy(member_client, ("package", package, 2), ("membership", membership, 1))
    assert response.status_code == 201 and response.json()["total"] == "103.48"
    paysafe.calls.reset()
    return Order.objects.get(pk=response.json()["id"])


def post_refund(client, order, body=None):
    return client.post(f"/api/orders/{order.pk}/refund/", body or {}, format="json")


def refund_posts(mock):
    return [json.loads(c.request.body) for c in mock.calls if c.request.method == "POST"]


def test_a_full_refund_is_a_recorded_row_listed_on_the_order(admin_client_api, member_client, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    response = post_refund(admin_client_api, order)
    assert response.status_code == 200, response.json()
    row = OrderRefund.objects.get(order=order)
    lines = {str(line.pk): line.quantity for line in order.lines.all()}
    assert (row.state, row.amount, row.lines, row.gateway_refund_id) == ("done", Decimal("103.48"), lines, "refund-1")
    [listed] = response.json()["refunds"]
    assert listed["number"] == 1 and listed["amount"] == "103.48" and listed["status"] == "done"
    assert listed["created_at"] and sorted(listed["lines"], key=lambda item: item["id"]) == [
        {"id": int(pk), "quantity": quantity} for pk, quantity in sorted(lines.items(), key=lambda item: int(item[0]))
    ]
    # The member sees the same list on their order.
    assert member_client.get(f"/api/orders/{order.pk}/").json()["refunds"] == response.json()["refunds"]


def test_a_partial_then_a_full_refund_are_two_rows_that_add_up_to_the_total(admin_client_api, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    package_line = order.lines.get(kind="package")
    first = post_refund(admin_client_api, order, {"lines": [{"id": package_line.pk, "quantity": 1}]})
    assert first.status_code == 200 and first.json()["status"] == "partially_refunded"
    rest = post_refund(admin_client_api, order)
    assert rest.status_code == 200 and rest.json()["status"] == "refunded"
    amounts = [refund["amount"] for refund in rest.json()["refunds"]]
    assert amounts == ["28.74", "74.74"] and sum(map(Decimal, amounts)) == Decimal("103.48")
    assert [post["amount"] for post in refund_posts(paysafe)] == [2874, 7474]  # no cent given twice
    assert rest.json()["refunds"][1]["lines"] == sorted(
        [{"id": package_line.pk, "quantity": 1}, {"id": order.lines.get(kind="membership").pk, "quantity": 1}],
        key=lambda item: item["id"],
    )
    again = post_refund(admin_client_api, order)
    assert again.status_code == 200 and "already refunded" in again.json()["detail"]
    assert len(refund_posts(paysafe)) == 2 and OrderRefund.objects.filter(order=order).count() == 2


def test_a_full_refund_after_a_timeout_reuses_its_reference_and_gives_the_money_once(
    admin_client_api, order, member, paysafe
):
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout("slow"))
    paysafe.add(responses.GET, REFUNDS, json={"refunds": []})
    lost = post_refund(admin_client_api, order)
    assert lost.status_code == 503 and lost.json()["code"] == "payment_unavailable"
    pending = OrderRefund.objects.get(order=order)
    assert pending.state == "pending" and Order.objects.get(pk=order.pk).status == "paid"
    member.refresh_from_db()
    assert member.tickets == 10  # nothing taken back while the money's fate is unknown

    partial = post_refund(admin_client_api, order, {"lines": [{"id": order.lines.first().pk, "quantity": 1}]})
    assert partial.status_code == 409 and partial.json()["code"] == "refund_pending"

    paysafe.replace(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    retry = post_refund(admin_client_api, order)
    assert retry.status_code == 200 and retry.json()["status"] == "refunded"
    references = [post["merchantRefNum"] for post in refund_posts(paysafe)]
    assert references == [f"{order.reference}-R1", f"{order.reference}-R1"]
    assert OrderRefund.objects.get(order=order).state == "done"
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("103.48")


def test_a_full_refund_whose_lost_answer_went_through_is_found_not_repeated(admin_client_api, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout("slow"))
    found = {"refunds": [{"id": "refund-late", "status": "PENDING", "merchantRefNum": f"{order.reference}-R1"}]}
    paysafe.add(responses.GET, REFUNDS, json=found)
    response = post_refund(admin_client_api, order)
    assert response.status_code == 200 and response.json()["status"] == "refunded"
    assert OrderRefund.objects.get(order=order).gateway_refund_id == "refund-late"
    assert len(refund_posts(paysafe)) == 1


def test_an_empty_list_of_lines_is_a_400_not_the_whole_order(admin_client_api, order, paysafe):
    response = post_refund(admin_client_api, order, {"lines": []})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "lines" in response.json()["fields"]
    assert not paysafe.calls and not OrderRefund.objects.exists()
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_the_order_shows_each_lines_own_id_which_the_refund_takes(admin_client_api, member_client, order, paysafe):
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    shown = member_client.get(f"/api/orders/{order.pk}/").json()["lines"]
    membership_line = OrderLine.objects.get(order=order, kind="membership")
    [answer] = [line for line in shown if line["product"] == "membership"]
    assert answer["id"] == membership_line.pk and answer["product_id"] == membership_line.membership_id
    assert answer["id"] != answer["product_id"]  # the two names can no longer be taken for each other
    response = post_refund(admin_client_api, order, {"lines": [{"id": answer["id"], "quantity": 1}]})
    assert response.status_code == 200, response.json()
    refunded = {line["product"]: line["refunded_quantity"] for line in response.json()["lines"]}
    assert refunded == {"membership": 1, "package": 0}
