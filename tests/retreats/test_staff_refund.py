"""Staff giving back more of a seat after the member's own partial cancellation, saying why."""

import json
from decimal import Decimal

import pytest
import requests
import responses

from app.retreats.models import RetreatReservation, RetreatStaffRefund
from app.store.models import Order, OrderRefund
from tests.retreats.conftest import buy_retreat, make_retreat
from tests.store.conftest import SETTLEMENTS, approve

pytestmark = pytest.mark.django_db
REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"


def refund_calls(paysafe):
    return [json.loads(call.request.body) for call in paysafe.calls if call.request.url == REFUND_URL]


@pytest.fixture
def half_refunded_seat(paysafe, member_client):
    """A seat bought for 229.95 and cancelled by its member 20 days before: the policy gave back 114.98."""
    retreat = make_retreat(days_ahead=20)
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    assert member_client.delete(f"/api/retreat-reservations/{seat.pk}/").json()["refunded_amount"] == "114.98"
    return seat


def post(client, seat, body, key="staff-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/retreat-reservations/{seat.pk}/refund/", body, format="json", **headers)


def test_staff_give_back_the_rest_once_with_its_reason_recorded_and_a_retry_pays_nothing_more(
    paysafe, half_refunded_seat, admin_client_api
):
    seat = half_refunded_seat
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-2", "status": "PENDING"})
    body = {"amount": "114.97", "reason": "Flight cancelled by the airline"}

    made = post(admin_client_api, seat, body)

    assert made.status_code == 200, made.json()
    assert (made.json()["amount"], made.json()["state"]) == ("114.97", "done")
    assert [call["amount"] for call in refund_calls(paysafe)] == [11498, 11497]
    order = Order.objects.get()
    assert (order.status, order.refunded_amount) == ("refunded", Decimal("229.95"))  # all that was paid, no more
    seat.refresh_from_db()
    assert seat.refunded_amount == Decimal("229.95")
    assert RetreatStaffRefund.objects.get().reason == "Flight cancelled by the airline"
    again = post(admin_client_api, seat, body)
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert len(refund_calls(paysafe)) == 2  # the retry moved no money
    more = post(admin_client_api, seat, {"amount": "0.01", "reason": "One more cent"}, key="staff-2")
    assert more.status_code == 400 and "At most 0.00 is left" in str(more.json())


def test_never_more_than_was_paid_and_every_bad_request_is_a_clear_4xx(
    paysafe, half_refunded_seat, admin_client_api, member_client
):
    seat = half_refunded_seat
    too_much = post(admin_client_api, seat, {"percent": "100", "reason": "Goodwill"})
    assert too_much.status_code == 400 and "At most 114.97 is left" in str(too_much.json()["fields"]["amount"])
    assert post(admin_client_api, seat, {"amount": "10.00"}).json()["fields"].keys() == {"reason"}
    both = post(admin_client_api, seat, {"amount": "10.00", "percent": "5", "reason": "x"})
    assert both.status_code == 400 and "exactly one" in str(both.json())
    no_key = post(admin_client_api, seat, {"amount": "10.00", "reason": "x"}, key=None)
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["detail"]
    assert post(member_client, seat, {"amount": "10.00", "reason": "x"}).status_code == 403
    assert len(refund_calls(paysafe)) == 1 and RetreatStaffRefund.objects.count() == 0
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-2", "status": "PENDING"})
    # 50 % of the 229.95 paid is 114.975 -> 114.98: one cent more than is left
    assert post(admin_client_api, seat, {"percent": "50", "reason": "Goodwill"}).status_code == 400
    reused = post(admin_client_api, seat, {"percent": "20", "reason": "Goodwill"})  # 45.99
    assert reused.status_code == 200 and reused.json()["amount"] == "45.99"
    other = post(admin_client_api, seat, {"amount": "1.00", "reason": "Something else"})
    assert other.status_code == 409  # the same key for a different refund


def test_a_confirmed_seat_is_not_refunded_here(paysafe, member_client, admin_client_api):
    retreat = make_retreat()
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    answer = post(admin_client_api, seat, {"amount": "10.00", "reason": "x"})
    assert answer.status_code == 400 and "refund_percent" in answer.json()["detail"]


def test_the_staff_refund_is_recorded_before_the_money_moves_and_a_retry_after_a_timeout_resumes_it(
    paysafe, half_refunded_seat, admin_client_api
):
    seat = half_refunded_seat
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout())
    paysafe.add(responses.GET, REFUND_URL.replace("/settlements/settle-1/refunds", "/refunds"), json={"refunds": []})
    body = {"amount": "50.00", "reason": "Goodwill"}
    lost = post(admin_client_api, seat, body)
    assert lost.status_code == 503 and lost.json()["code"] == "payment_unavailable"
    assert RetreatStaffRefund.objects.get().state == "pending"
    pending = OrderRefund.objects.get(state="pending")
    assert pending.amount == Decimal("50.00")

    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-2", "status": "PENDING"})
    resumed = post(admin_client_api, seat, body)
    assert resumed.status_code == 200 and resumed.json()["state"] == "done"
    sent = refund_calls(paysafe)
    assert sent[-1]["merchantRefNum"] == sent[-2]["merchantRefNum"]  # the same reference: found, not doubled
    assert OrderRefund.objects.filter(state="done").count() == 2
    seat.refresh_from_db()
    assert seat.refunded_amount == Decimal("164.98")
