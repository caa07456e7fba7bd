"""Guessing coupon codes: at most COUPON_FAILURES_PER_MEMBER (30) refused codes per member per hour,
and COUPON_FAILURES_PER_CLIENT per client, counted in the shared database on every path that takes
a code (check, checkout, the checkout page); one answer whatever the reason; staff see the reason."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from app.accounts.models import AuthToken
from app.store.models import Coupon, Order
from tests.conftest import make_user
from tests.store.test_checkout import charges
from tests.store.test_coupons import NOT_USABLE, buy_with, check


def _client(user, address):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.issue(user)[1]}")
    return client


def test_a_member_gets_30_refused_codes_an_hour_then_none_is_checked(member, package):
    Coupon.objects.create(code="REAL", percent_off=Decimal("10"))
    client = _client(member, "198.51.100.20")
    answers = [check(client, f"GUESS{i}", ("package", package, 1)) for i in range(30)]
    assert {answer.status_code for answer in answers} == {400}
    assert {tuple(answer.json()["fields"]["coupon"]) for answer in answers} == {tuple(NOT_USABLE)}
    assert {answer.json()["code"] for answer in answers} == {"coupon_not_usable"}
    refused = check(client, "REAL", ("package", package, 1))  # even a real code, once over the limit
    assert refused.status_code == 429
    assert "Too many coupon codes" in refused.json()["detail"]
    assert refused.json()["code"] == "throttled"
    # A new client does not reset the member's count; another member elsewhere is not affected.
    assert check(_client(member, "203.0.113.20"), "REAL", ("package", package, 1)).status_code == 429
    other = make_user(email="other@example.com")
    assert check(_client(other, "203.0.113.21"), "REAL", ("package", package, 1)).status_code == 200


def test_a_client_rotating_members_is_limited_too(db, package, settings):
    settings.COUPON_FAILURES_PER_CLIENT = 4
    Coupon.objects.create(code="REAL", percent_off=Decimal("10"))
    for index in range(2):
        guesser = _client(make_user(email=f"guesser{index}@example.com"), "198.51.100.30")
        assert [check(guesser, f"G{index}{i}", ("package", package, 1)).status_code for i in range(2)] == [400, 400]
    third = make_user(email="third@example.com")
    assert check(_client(third, "198.51.100.30"), "REAL", ("package", package, 1)).status_code == 429
    assert check(_client(third, "192.0.2.30"), "REAL", ("package", package, 1)).status_code == 200


def test_checkout_counts_refused_codes_and_charges_nothing_once_over(member, package, paysafe, settings):
    settings.COUPON_FAILURES_PER_MEMBER = 2
    Coupon.objects.create(code="REAL", percent_off=Decimal("10"))
    client = _client(member, "198.51.100.40")
    assert buy_with(client, "WRONG1", ("package", package, 1)).json()["fields"]["coupon"] == NOT_USABLE
    assert check(client, "WRONG2", ("package", package, 1)).status_code == 400
    assert buy_with(client, "REAL", ("package", package, 1)).status_code == 429
    assert not charges(paysafe)
    assert not Order.objects.exists()


def test_the_checkout_page_counts_refused_codes(member, package, settings):
    settings.COUPON_FAILURES_PER_MEMBER = 2
    Coupon.objects.create(code="REAL", percent_off=Decimal("10"))
    browser = Client(REMOTE_ADDR="198.51.100.50")
    browser.force_login(member)
    for code in ("NO1", "NO2"):
        page = browser.get("/store/checkout/", {"product": "package", "id": package.pk, "coupon": code})
        assert "cannot be used on this order" in page.content.decode()
    page = browser.get("/store/checkout/", {"product": "package", "id": package.pk, "coupon": "REAL"})
    assert "Too many coupon codes" in page.content.decode()


def test_staff_see_why_a_coupon_cannot_be_used_in_the_admin(staff_user, member, package):
    Coupon.objects.create(code="OLD", percent_off=Decimal("10"), valid_until=timezone.now() - timedelta(days=1))
    Coupon.objects.create(code="GONE", percent_off=Decimal("10"), max_uses=0)
    Coupon.objects.create(code="LIVE", percent_off=Decimal("10"))
    assert check(_client(member, "192.0.2.60"), "OLD", ("package", package, 1)).json()["fields"]["coupon"] == NOT_USABLE
    admin = Client()
    admin.force_login(staff_user)
    page = admin.get("/admin/store/coupon/").content.decode()
    assert "Expired" in page and "Used up" in page and "Usable" in page
