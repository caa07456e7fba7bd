"""Cancelling a retreat seat: refunded by the retreat's policy, counted in whole days in its time zone."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
import responses

from app.retreats.models import RetreatReservation
from app.retreats.services import refund_share
from app.store.models import OrderRefund
from tests.conftest import make_user, token_client
from tests.retreats.conftest import MONTREAL, buy_retreat, make_retreat
from tests.store.conftest import SETTLEMENTS, approve

pytestmark = pytest.mark.django_db
REFUND_URL = f"{SETTLEMENTS}/settle-1/refunds"
FIRST_DAY = datetime(2027, 6, 30, 9, tzinfo=MONTREAL)  # the first date starts June 30 at 9:00, Montréal


@pytest.mark.parametrize(
    ("now", "share"),
    [
        (datetime(2027, 5, 31, 23, 59, tzinfo=MONTREAL), Decimal(100)),  # 30 days before: full
        (datetime(2027, 6, 1, 0, 0, tzinfo=MONTREAL), Decimal(50)),  # 29 days: partial
        (datetime(2027, 6, 16, 23, 59, tzinfo=MONTREAL), Decimal(50)),  # 14 days: still partial
        (datetime(2027, 6, 17, 0, 0, tzinfo=MONTREAL), Decimal(0)),  # 13 days: nothing
        (datetime(2027, 6, 30, 8, 0, tzinfo=MONTREAL), Decimal(0)),  # the day itself
    ],
)
def test_each_boundary_day_of_the_policy(now, share):
    retreat = make_retreat(dates=[(FIRST_DAY, FIRST_DAY.replace(day=30, hour=17))])
    assert (retreat.full_refund_days, retreat.partial_refund_days) == (30, 14)
    assert refund_share(retreat, now) == share


def test_days_are_counted_in_the_retreats_time_zone_not_in_utc():
    retreat = make_retreat(dates=[(FIRST_DAY, FIRST_DAY.replace(hour=17))])
    # May 31 at 23:30 in Montréal is already June 1 in UTC: still 30 days before, a full refund.
    late_evening = datetime(2027, 5, 31, 23, 30, tzinfo=MONTREAL)
    assert refund_share(retreat, late_evening) == Decimal(100)
    tokyo = make_retreat(name="Tokyo", timezone="Asia/Tokyo", dates=[(FIRST_DAY, FIRST_DAY.replace(hour=17))])
    # The same instant is June 1 in Tokyo, and the first date (June 30 9:00 Montréal) is June 30 22:00 there.
    assert refund_share(tokyo, late_evening) == Decimal(50)


def test_cancelling_refunds_the_policys_share_to_the_cent_records_it_first_and_frees_the_seat(
    paysafe, member_client, anon_client
):
    retreat = make_retreat(seats=1, days_ahead=20)  # 20 days before: 50 %
    approve(paysafe)
    order = buy_retreat(member_client, retreat).json()
    assert order["total"] == "229.95"
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 0
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})

    answer = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")

    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"refunded_amount": "114.98", "currency": "CAD"}  # 229.95 x 50 % = 114.975
    refund_call = [call for call in paysafe.calls if call.request.url == REFUND_URL]
    assert json.loads(refund_call[0].request.body)["amount"] == 11498
    assert OrderRefund.objects.get().state == "done"
    seat.refresh_from_db()
    assert (seat.status, seat.refunded_amount) == ("cancelled", Decimal("114.98"))
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 1
    again = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert again.status_code == 400 and len([c for c in paysafe.calls if c.request.url == REFUND_URL]) == 1


def test_a_timeout_leaves_the_refund_recorded_and_a_retry_gives_the_money_once(paysafe, member_client):
    import requests

    retreat = make_retreat(days_ahead=40)  # full refund
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    paysafe.add(responses.POST, REFUND_URL, body=requests.exceptions.ReadTimeout())
    first = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert first.status_code == 503 and first.json()["code"] == "payment_unavailable"
    assert OrderRefund.objects.get().state == "pending" and RetreatReservation.objects.get().status == "confirmed"

    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    second = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert second.status_code == 200 and second.json()["refunded_amount"] == "229.95"
    assert OrderRefund.objects.count() == 1 and RetreatReservation.objects.get().status == "cancelled"


def test_late_cancelling_gives_nothing_back_and_another_members_seat_is_not_found(paysafe, member_client):
    retreat = make_retreat(days_ahead=3)
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    stranger = token_client(make_user(email="stranger@example.com"))
    assert stranger.delete(f"/api/retreat-reservations/{seat.pk}/").status_code == 404
    answer = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")
    assert answer.json()["refunded_amount"] == "0.00"
    assert not [call for call in paysafe.calls if call.request.url == REFUND_URL]  # no money moved
    assert RetreatReservation.objects.get().status == "cancelled"


def test_staff_may_refund_beyond_the_policy_saying_why_and_members_may_not(paysafe, member_client, admin_client_api):
    retreat = make_retreat(days_ahead=3)  # the policy gives nothing
    approve(paysafe)
    buy_retreat(member_client, retreat)
    seat = RetreatReservation.objects.get()
    url = f"/api/retreat-reservations/{seat.pk}/"
    assert member_client.delete(f"{url}?refund_percent=100&reason=ill").status_code == 403
    silent = admin_client_api.delete(f"{url}?refund_percent=100")
    assert silent.status_code == 400 and "reason" in silent.json()["fields"]
    paysafe.add(responses.POST, REFUND_URL, json={"id": "refund-1", "status": "PENDING"})
    answer = admin_client_api.delete(f"{url}?refund_percent=100&reason=Ill%20on%20the%20day")
    assert answer.status_code == 200 and answer.json()["refunded_amount"] == "229.95"
    seat.refresh_from_db()
    assert (seat.status, seat.cancel_reason) == ("cancelled", "Ill on the day")
