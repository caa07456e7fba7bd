"""What a new user of `make run` does: demo data, buy a package with the test gateway, reserve a slot."""

from io import StringIO

import pytest
from django.core.management import call_command

from app.bookings.models import Reservation
from app.store.models import Membership, Order, Package
from tests.bookings.conftest import make_period, make_slot, make_workplace


@pytest.fixture
def local_run(settings):
    """DEBUG on, the built-in test gateway selected: nothing leaves the process."""
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    settings.PAYSAFE_USER = settings.PAYSAFE_PASSWORD = settings.PAYSAFE_ACCOUNT_NUMBER = ""


def test_demo_products_load_and_load_again(db, local_run):
    for _ in range(2):
        call_command("load_demo_data", stdout=StringIO())
    assert Membership.objects.filter(available=True).count() == 1
    assert Package.objects.filter(available=True).count() == 2
    assert Package.objects.filter(exclusive_memberships__isnull=False).count() == 1


def test_buy_a_package_with_the_test_gateway_then_reserve_a_slot(member_client, member, local_run):
    call_command("load_demo_data", stdout=StringIO())
    package = member_client.get("/api/packages/").json()["results"]
    five = next(p for p in package if p["name"] == "5 tickets")
    member.refresh_from_db()
    start = member.tickets

    bought = member_client.post(
        "/api/orders/",
        {"lines": [{"product": "package", "id": five["id"], "quantity": 1}], "single_use_token": "test-visa"},
        format="json",
    )
    assert bought.status_code == 201, bought.json()
    assert bought.json()["status"] == "paid"
    member.refresh_from_db()
    assert member.tickets == start + 5

    slot = make_slot(make_period(make_workplace(), price=2))
    reserved = member_client.post("/api/reservations/", {"timeslot": slot.pk}, format="json")
    assert reserved.status_code == 201, reserved.json()
    member.refresh_from_db()
    assert member.tickets == start + 3
    assert Reservation.objects.filter(user=member, timeslot=slot).exists()


def test_a_declining_test_token_fails_the_order(member_client, member, local_run, package):
    response = member_client.post(
        "/api/orders/",
        {"lines": [{"product": "package", "id": package.pk}], "single_use_token": "test-decline"},
        format="json",
    )
    assert response.status_code == 402
    assert "declined" in response.json()["detail"]
    member.refresh_from_db()
    assert member.tickets == 0


def test_save_a_test_card_pay_with_it_and_refund(member_client, member, admin_client_api, local_run, package):
    card = member_client.post("/api/payment-profiles/", {"single_use_token": "test-visa"}, format="json").json()
    again = member_client.post("/api/payment-profiles/", {"single_use_token": "test-visa"}, format="json")
    assert again.json()["id"] == card["id"]  # "card already exists" reuses it
    order = member_client.post(
        "/api/orders/",
        {"lines": [{"product": "package", "id": package.pk}], "payment_token": card["payment_token"]},
        format="json",
    ).json()
    assert order["status"] == "paid"
    refunded = admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json")
    assert refunded.status_code == 200
    assert Order.objects.get().status == "refunded"
    member.refresh_from_db()
    assert member.tickets == 0
