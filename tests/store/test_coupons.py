"""Coupons through the API: admins manage them, members check and use them; Paysafe at the HTTP layer."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from app.accounts.models import Organization
from app.store.models import Coupon, CouponUse, Order, Package
from app.store.services.checkout import quote
from app.store.services.coupons import CouponNotUsable
from app.store.services.pricing import totals
from app.store.services.taxes import Tax
from tests.conftest import make_user, token_client
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, error_body

NOT_USABLE = ["This coupon code cannot be used on this order."]


def reason(user, code, *lines):
    """What staff are told (members only get NOT_USABLE)."""
    with pytest.raises(CouponNotUsable) as refused:
        quote(user, [{"product": k, "id": p.pk, "quantity": q} for k, p, q in lines], code)
    return refused.value.reason


def check(client, code, *lines):
    body = {"code": code, "lines": [{"product": k, "id": p.pk, "quantity": q} for k, p, q in lines]}
    return client.post("/api/coupons/check/", body, format="json")


def buy_with(client, coupon, *lines, key=None):
    body = {
        "lines": [{"product": k, "id": p.pk, "quantity": q} for k, p, q in lines],
        "single_use_token": "tok-1",
        "coupon": coupon,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/orders/", body, format="json", **headers)


def charged_amounts(mock):
    return [json.loads(c.request.body)["amount"] for c in mock.calls if c.request.url == AUTHS]


def test_admins_create_coupons_members_cannot(admin_client_api, member_client, package):
    body = {"code": "Spring10", "percent_off": "10", "packages": [package.pk], "max_uses": 5}
    assert member_client.post("/api/coupons/", body, format="json").status_code == 403
    created = admin_client_api.post("/api/coupons/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "Spring10" and created.json()["uses"] == 0
    again = admin_client_api.post("/api/coupons/", {**body, "code": "SPRING10"}, format="json")
    assert again.status_code == 400 and again.json()["fields"]["code"] == ["A coupon with this code already exists."]
    both = admin_client_api.post("/api/coupons/", {"code": "X", "percent_off": "5", "amount_off": "2"}, format="json")
    assert both.status_code == 400 and both.json()["fields"]["percent_off"] == [
        "Give exactly one of percent_off or amount_off."
    ]
    assert member_client.get("/api/coupons/").status_code == 403


def test_check_gives_the_price_with_the_discount_before_tax(member_client, package, settings):
    settings.STORE_TAXES = "GST:5,QST:9.975"
    Coupon.objects.create(code="TENOFF", percent_off=Decimal("10"))
    response = check(member_client, "tenoff", ("package", package, 2))
    assert response.status_code == 200, response.json()
    # 50.00 - 5.00 = 45.00; GST 5 % of 45.00 = 2.25, QST 9.975 % = 4.48875 -> 4.49; total 51.74
    assert response.json() == {
        "code": "TENOFF",
        "subtotal": "50.00",
        "discount": "5.00",
        "taxes": [
            {"name": "GST", "rate": "5.000", "amount": "2.25", "registration_number": ""},
            {"name": "QST", "rate": "9.975", "amount": "4.49", "registration_number": ""},
        ],
        "tax": "6.74",
        "total": "51.74",
    }
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": timezone.now() - timedelta(minutes=1)}, "This coupon has expired."),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "This coupon is not valid yet."),
        ({"max_uses": 0}, "This coupon has been used up."),
        ({"max_uses_per_member": 0}, "You have already used this coupon as many times as it allows."),
    ],
)
def test_refusals_name_the_coupon_field_with_one_answer(member_client, member, package, fields, message):
    Coupon.objects.create(code="C", amount_off=Decimal("5"), **fields)
    response = check(member_client, "c", ("package", package, 1))
    assert response.status_code == 400 and response.json()["fields"]["coupon"] == NOT_USABLE
    assert reason(member, "c", ("package", package, 1)) == message


def test_unknown_code_wrong_product_and_wrong_organisation(member_client, member, package, membership):
    unknown = check(member_client, "NOPE", ("package", package, 1))
    assert unknown.json()["fields"]["coupon"] == NOT_USABLE
    assert reason(member, "NOPE", ("package", package, 1)) == "This coupon code does not exist."
    only_annual = Coupon.objects.create(code="ANNUAL", amount_off=Decimal("5"))
    only_annual.memberships.add(membership)
    wrong = check(member_client, "annual", ("package", package, 1))
    # The same status and body as an unknown code: a guess learns only "not usable here".
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    assert (
        reason(member, "annual", ("package", package, 1)) == "This coupon does not apply to any product of this order."
    )
    campus = Coupon.objects.create(code="CAMPUS", percent_off=Decimal("50"))
    campus.organizations.add(Organization.objects.create(name="Elsewhere University"))
    assert check(member_client, "campus", ("package", package, 1)).json() == unknown.json()
    assert (
        reason(member, "campus", ("package", package, 1))
        == "This coupon is reserved to members of other organisations."
    )


def test_a_fixed_amount_applies_only_to_the_products_it_names_and_never_below_zero(member_client, package, settings):
    settings.STORE_TAXES = "HST:15"
    cheap = Package.objects.create(name="1 ticket", price=Decimal("3.00"), tickets=1)
    coupon = Coupon.objects.create(code="BIG", amount_off=Decimal("10.00"))
    coupon.packages.add(cheap)
    body = check(member_client, "big", ("package", cheap, 1), ("package", package, 1)).json()
    # Only the 3.00 line is eligible: 3.00 off, not 10.00. 25.00 taxed at 15 % = 3.75.
    assert (body["subtotal"], body["discount"], body["tax"], body["total"]) == ("28.00", "3.00", "3.75", "28.75")


def test_paying_with_a_coupon_charges_the_discounted_total_and_records_one_use(member_client, member, package, paysafe):
    coupon = Coupon.objects.create(code="TENOFF", percent_off=Decimal("10"), max_uses_per_member=1)
    approve(paysafe)
    paid = buy_with(member_client, "TenOff", ("package", package, 2), key="k1")
    assert paid.status_code == 201, paid.json()
    assert (paid.json()["discount"], paid.json()["total"], paid.json()["coupon_code"]) == ("5.00", "51.74", "TENOFF")
    assert charged_amounts(paysafe) == [5174]
    assert CouponUse.objects.get(coupon=coupon).order_id == paid.json()["id"]
    # The same key again: the same order, no charge; a different coupon under that key is refused.
    assert (
        buy_with(member_client, "TENOFF", ("package", package, 2), key="k1").status_code == 201
    )  # a replay: the first answer again
    other = buy_with(member_client, "", ("package", package, 2), key="k1")
    assert other.status_code == 422
    assert charged_amounts(paysafe) == [5174]
    used = buy_with(member_client, "TENOFF", ("package", package, 1), key="k2")
    assert used.status_code == 400
    assert used.json()["fields"]["coupon"] == NOT_USABLE


def test_a_declined_payment_gives_the_use_back(member_client, package, paysafe):
    Coupon.objects.create(code="ONCE", amount_off=Decimal("1"), max_uses=1)
    paysafe.add(
        responses.POST, AUTHS, json=error_body("3009"), status=402, headers={"X-Application-Status-Code": "3009"}
    )
    declined = buy_with(member_client, "ONCE", ("package", package, 1), key="d1")
    assert declined.status_code == 402
    assert not CouponUse.objects.exists()
    # The failed order no longer holds the only use: the member may try another card.
    assert check(member_client, "ONCE", ("package", package, 1)).status_code == 200


def test_a_refund_returns_the_use(admin_client_api, member_client, member, package, paysafe):
    coupon = Coupon.objects.create(code="ONCE", amount_off=Decimal("1"), max_uses=1)
    approve(paysafe)
    order = buy_with(member_client, "ONCE", ("package", package, 1)).json()
    assert CouponUse.objects.filter(coupon=coupon).count() == 1
    other = token_client(make_user(email="other@example.com"))
    assert check(other, "ONCE", ("package", package, 1)).json()["fields"]["coupon"] == NOT_USABLE
    assert reason(other.user, "ONCE", ("package", package, 1)) == "This coupon has been used up."
    paysafe.add("POST", f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1", "status": "PENDING"})
    refunded = admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json")
    assert refunded.status_code == 200, refunded.json()
    assert not CouponUse.objects.exists()
    assert check(other, "ONCE", ("package", package, 1)).status_code == 200


@pytest.mark.parametrize(
    ("subtotal", "discount", "rate", "expected"),
    [
        # tax of exactly half a cent rounds up
        ("10.10", "0.00", "5", ("10.10", "0.51", "10.61")),
        ("0.10", "0.00", "5", ("0.10", "0.01", "0.11")),  # 0.005 -> 0.01
        ("0.09", "0.00", "5", ("0.09", "0.00", "0.09")),  # 0.0045 -> 0.00
        ("50.00", "5.00", "14.975", ("50.00", "6.74", "51.74")),  # 6.73875
        ("19.99", "19.99", "14.975", ("19.99", "0.00", "0.00")),  # a 100 % discount: nothing to tax
        ("3.00", "10.00", "15", ("3.00", "0.00", "0.00")),  # never below zero
        ("33.33", "3.33", "14.975", ("33.33", "4.49", "34.49")),  # 30.00 x 14.975 % = 4.4925
    ],
)
def test_tax_rounding_edge_cases(subtotal, discount, rate, expected):
    got = totals(Decimal(subtotal), Decimal(discount), [Tax("Tax", Decimal(rate))])
    assert (str(got.subtotal), str(got.tax), str(got.total)) == expected
