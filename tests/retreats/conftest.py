"""Retreat fixtures: a published retreat in Montréal's time zone, bought through the store's checkout."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from app.retreats.models import Retreat, RetreatDate
from tests.store.conftest import fake_paysafe

MONTREAL = ZoneInfo("America/Montreal")


def make_retreat(*, seats=2, days_ahead=40, price="200.00", dates=None, **fields):
    """A published retreat whose first date starts `days_ahead` days from now at 9:00 Montréal time."""
    fields.setdefault("name", "Lake retreat")
    fields.setdefault("name_fr", "Retraite au lac")
    fields.setdefault("is_published", True)
    retreat = Retreat.objects.create(seats=seats, price=Decimal(price), **fields)
    if dates is None:
        day = (timezone.now().astimezone(MONTREAL) + timedelta(days=days_ahead)).date()
        start = datetime(day.year, day.month, day.day, 9, tzinfo=MONTREAL)
        dates = [(start, start + timedelta(days=2, hours=8))]
    for start, end in dates:
        RetreatDate.objects.create(retreat=retreat, start=start, end=end)
    return retreat


def buy_retreat(client, retreat, *, token="tok-single-use-1", key=None, coupon=None):
    body = {"lines": [{"product": "retreat", "id": retreat.pk, "quantity": 1}], "single_use_token": token}
    if coupon:
        body["coupon"] = coupon
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/orders/", body, format="json", **headers)


@pytest.fixture
def paysafe(settings):
    with fake_paysafe(settings) as mock:
        yield mock
