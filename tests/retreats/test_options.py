"""Retreat options (a single room, meals): their own stock, sold beside a seat through the checkout."""

import re
from decimal import Decimal

import pytest
import responses

from app.retreats.models import RetreatOption, RetreatOptionPurchase, RetreatReservation
from app.store.models import Coupon, Order, OrderRefund, Package
from tests.conftest import make_user, token_client
from tests.retreats.conftest import make_retreat
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, error_body

pytestmark = pytest.mark.django_db


def make_option(retreat, *, stock=2, price="80.00", **fields):
    fields.setdefault("name", "Single room")
    fields.setdefault("name_fr", "Chambre simple")
    return RetreatOption.objects.create(retreat=retreat, stock=stock, price=Decimal(price), **fields)


def order(client, *lines, token="tok-single-use-1", coupon=None, key=None):
    body = {
        "lines": [{"product": kind, "id": product.pk, "quantity": quantity} for kind, product, quantity in lines],
        "single_use_token": token,
    }
    if coupon:
        body["coupon"] = coupon
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/orders/", body, format="json", **headers)


def remaining(client, retreat):
    return {
        option["id"]: option["remaining"] for option in client.get(f"/api/retreats/{retreat.pk}/").json()["options"]
    }


def test_staff_write_options_and_everyone_reads_those_on_sale_with_what_is_left(
    admin_client_api, member_client, anon_client
):
    retreat = make_retreat()
    created = admin_client_api.post(
        "/api/retreat-options/",
        {"retreat": retreat.pk, "name": "Meals", "name_fr": "Repas", "price": "45.00", "stock": 10},
        format="json",
    )
    assert created.status_code == 201, created.json()
    make_option(retreat, name="Old room", is_active=False)
    assert member_client.post("/api/retreat-options/", {"retreat": retreat.pk}, format="json").status_code == 403
    bad = admin_client_api.post("/api/retreat-options/", {"retreat": retreat.pk, "price": "-1"}, format="json")
    assert bad.status_code == 400 and {"name", "price", "stock"} <= set(bad.json()["fields"])

    [meals] = anon_client.get(f"/api/retreats/{retreat.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()["options"]
    assert (meals["name"], meals["price"], meals["stock"], meals["remaining"]) == ("Repas", "45.00", 10, 10)
    assert [o["name"] for o in anon_client.get(f"/api/retreat-options/?retreat={retreat.pk}").json()["results"]] == [
        "Meals"
    ]
    assert len(admin_client_api.get("/api/retreat-options/").json()["results"]) == 2


def test_a_seat_and_its_option_are_bought_in_one_order_taxed_and_each_line_names_its_product(
    paysafe, member_client, anon_client
):
    retreat = make_retreat()
    room = make_option(retreat)
    approve(paysafe)
    bought = order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 1))
    assert bought.status_code == 201, bought.json()
    # 280.00 + GST 14.00 + QST 27.93
    assert (bought.json()["subtotal"], bought.json()["total"]) == ("280.00", "321.93")
    lines = {line["product"]: line["product_id"] for line in bought.json()["lines"]}
    assert lines == {"retreat": retreat.pk, "retreat_option": room.pk}
    listed = member_client.get(f"/api/orders/{bought.json()['id']}/").json()["lines"]
    assert {line["product_id"] for line in listed} == {retreat.pk, room.pk}
    purchase = RetreatOptionPurchase.objects.get()
    assert (purchase.status, purchase.quantity, purchase.reservation.retreat_id) == ("confirmed", 1, retreat.pk)
    assert remaining(anon_client, retreat) == {room.pk: 1}
    [seat] = member_client.get("/api/retreat-reservations/", HTTP_ACCEPT_LANGUAGE="fr").json()["results"]
    assert [(o["option"], o["name"], o["quantity"], o["status"]) for o in seat["options"]] == [
        (room.pk, "Chambre simple", 1, "confirmed")
    ]


def test_an_option_needs_a_seat_at_its_retreat_held_before_or_bought_with_it(paysafe, member_client):
    retreat = make_retreat()
    other = make_retreat(name="Sea retreat")
    room = make_option(retreat)
    alone = order(member_client, ("retreat_option", room, 1))
    assert alone.status_code == 400 and "sold only with a seat" in str(alone.json())
    wrong_seat = order(member_client, ("retreat", other, 1), ("retreat_option", room, 1))
    assert wrong_seat.status_code == 400 and Order.objects.count() == 0  # nothing held, no order
    approve(paysafe)
    assert order(member_client, ("retreat", retreat, 1)).status_code == 201
    later = order(member_client, ("retreat_option", room, 2), token="tok-2")
    assert later.status_code == 201, later.json()
    assert RetreatOptionPurchase.objects.get().quantity == 2


def test_the_last_unit_goes_to_one_member_the_next_is_a_409_and_a_declined_payment_puts_it_back(
    paysafe, member_client, anon_client
):
    retreat = make_retreat(seats=3)
    room = make_option(retreat, stock=1)
    paysafe.add(responses.POST, AUTHS, json=error_body("3009", "declined"), status=402)
    declined = order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 1))
    assert declined.status_code == 402
    assert RetreatOptionPurchase.objects.get().status == "released"
    assert remaining(anon_client, retreat) == {room.pk: 1}

    approve(paysafe)
    other = token_client(make_user(email="other@example.com"))
    assert order(other, ("retreat", retreat, 1), ("retreat_option", room, 1)).status_code == 201
    orders_before = Order.objects.count()
    sold_out = order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 1), token="tok-2")
    assert sold_out.status_code == 409 and sold_out.json()["code"] == "retreat_option_sold_out"
    assert Order.objects.count() == orders_before  # neither the seat nor the option was held
    assert RetreatReservation.objects.filter(status="pending").count() == 0
    too_many = order(other, ("retreat_option", make_option(retreat, name="Meals", stock=3), 4), token="tok-3")
    assert too_many.status_code == 409 and too_many.json()["code"] == "retreat_option_sold_out"


def test_cancelling_the_seat_refunds_its_options_by_the_same_policy_in_every_order_and_frees_them(
    paysafe, member_client, anon_client
):
    retreat = make_retreat(days_ahead=20)  # 20 days before: 50 %
    room = make_option(retreat, stock=1)
    meals = make_option(retreat, name="Meals", price="20.00", stock=10)
    approve(paysafe, settlement_id="settle-1")
    first = order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 1)).json()
    approve(paysafe, auth_id="auth-2", settlement_id="settle-2")
    second = order(member_client, ("retreat_option", meals, 3), token="tok-2").json()
    assert (first["total"], second["total"]) == ("321.93", "68.99")  # 60.00 + 3.00 + 5.99
    for settlement, refund_id in (("settle-1", "r-1"), ("settle-2", "r-2")):
        paysafe.add(responses.POST, f"{SETTLEMENTS}/{settlement}/refunds", json={"id": refund_id, "status": "PENDING"})
    seat = RetreatReservation.objects.get()

    answer = member_client.delete(f"/api/retreat-reservations/{seat.pk}/")

    assert answer.status_code == 200, answer.json()
    # 50 % of 321.93 = 160.965 -> 160.97, and 50 % of 68.99 = 34.495 -> 34.50
    assert answer.json()["refunded_amount"] == "195.47"
    refunds = {refund.order_id: refund.amount for refund in OrderRefund.objects.all()}
    assert refunds == {first["id"]: Decimal("160.97"), second["id"]: Decimal("34.50")}
    assert set(RetreatOptionPurchase.objects.values_list("status", flat=True)) == {"cancelled"}
    assert remaining(anon_client, retreat) == {room.pk: 1, meals.pk: 10}
    assert Order.objects.get(pk=second["id"]).status == "refunded"


def test_a_coupon_naming_the_retreat_applies_to_its_options_and_one_naming_a_package_does_not(paysafe, member_client):
    retreat = make_retreat()
    room = make_option(retreat)
    lake = Coupon.objects.create(code="LAKE", percent_off=Decimal("10"))
    lake.retreats.add(retreat)
    packages_only = Coupon.objects.create(code="PACK", percent_off=Decimal("10"))
    packages_only.packages.add(Package.objects.create(name="5 tickets", price="25.00", tickets=5))
    approve(paysafe)
    assert order(member_client, ("retreat", retreat, 1)).status_code == 201
    refused = order(member_client, ("retreat_option", room, 1), token="tok-2", coupon="PACK")
    assert refused.status_code == 400 and refused.json()["code"] == "coupon_not_usable"
    with_coupon = order(member_client, ("retreat_option", room, 1), token="tok-3", coupon="lake")
    assert with_coupon.status_code == 201, with_coupon.json()
    assert (with_coupon.json()["subtotal"], with_coupon.json()["discount"]) == ("80.00", "8.00")


def test_staff_refunding_some_units_of_an_option_line_puts_those_units_back_on_sale(
    paysafe, member, member_client, admin_client_api, anon_client
):
    from django.utils import timezone

    from app.store.models import HeldMembership, Membership

    retreat = make_retreat()
    meals = make_option(retreat, name="Meals", price="20.00", member_price="15.00", stock=5)
    now = timezone.now()
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    HeldMembership.objects.create(
        user=member, membership=annual, start=now, end=now + timezone.timedelta(days=30), source="staff"
    )
    approve(paysafe)
    bought = order(member_client, ("retreat", retreat, 1), ("retreat_option", meals, 3)).json()
    assert bought["subtotal"] == "245.00"  # 200.00 + 3 x 15.00: holders of a membership pay the member price
    assert remaining(anon_client, retreat) == {meals.pk: 2}
    [line] = [line for line in bought["lines"] if line["product"] == "retreat_option"]
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "r-1", "status": "PENDING"})

    refunded = admin_client_api.post(
        f"/api/orders/{bought['id']}/refund/", {"lines": [{"id": line["id"], "quantity": 1}]}, format="json"
    )

    assert refunded.status_code == 200, refunded.json()
    assert remaining(anon_client, retreat) == {meals.pk: 3}
    purchase = RetreatOptionPurchase.objects.get()
    assert (purchase.quantity, purchase.status) == (2, "confirmed")
    assert RetreatReservation.objects.get().status == "confirmed"  # the seat is not touched


def test_the_admin_shows_a_retreats_options_with_their_units_taken_and_the_lists_of_what_was_bought(
    paysafe, member_client, staff_user, client
):
    retreat = make_retreat()
    room = make_option(retreat, stock=4)
    approve(paysafe)
    assert order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 3)).status_code == 201
    client.force_login(staff_user)
    page = client.get(f"/admin/retreats/retreat/{retreat.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chambre simple" in text and "unités prises" in text.lower()
    taken = re.findall(r'field-taken">\s*<p>(\d+)</p>', text)
    assert taken[0] == "3"  # units taken by seats now (the second row is the empty form)
    for listing in ("retreatoptionpurchase", "retreatexchange", "retreatstaffrefund"):
        assert client.get(f"/admin/retreats/{listing}/").status_code == 200


def test_a_seat_still_being_paid_in_another_order_does_not_carry_options_yet(paysafe, member, member_client):
    from app.retreats.models import RetreatReservation as Seat

    retreat = make_retreat()
    room = make_option(retreat)
    Seat.objects.create(user=member, retreat=retreat, status="pending")  # its payment may yet fail
    refused = order(member_client, ("retreat_option", room, 1))
    assert refused.status_code == 400 and "sold only with a seat" in str(refused.json())


@pytest.mark.django_db
def test_a_retreats_page_offers_an_option_at_the_member_price_to_a_holder_and_at_the_price_to_others():
    from app.retreats.options import offers

    retreat = make_retreat()
    make_option(retreat, name="Meals", price="20.00", member_price="15.00")
    make_option(retreat, name="Room", price="80.00")

    as_holder, _ = offers(retreat, held={7}, user_id=None)  # `held`: the ids of the memberships held
    as_visitor, _ = offers(retreat, held=set(), user_id=None)

    assert [(offer.name, offer.price) for offer in as_holder] == [
        ("Meals", Decimal("15.00")),
        ("Room", Decimal("80.00")),
    ]
    assert [(offer.name, offer.price) for offer in as_visitor] == [
        ("Meals", Decimal("20.00")),
        ("Room", Decimal("80.00")),
    ]


def test_refunding_the_seats_line_from_the_order_page_puts_its_options_units_back_on_sale(
    paysafe, member_client, admin_client_api, anon_client
):
    """The options cannot be used without the seat: their units go back on sale with it, at once; their
    money goes back with their own line only, which staff may refund afterwards (no unit freed twice)."""
    retreat = make_retreat()
    room = make_option(retreat, stock=1)
    meals = make_option(retreat, name="Meals", price="20.00", stock=5)
    approve(paysafe)
    bought = order(member_client, ("retreat", retreat, 1), ("retreat_option", room, 1)).json()
    later = order(member_client, ("retreat_option", meals, 2), token="tok-single-use-2").json()
    assert remaining(anon_client, retreat) == {room.pk: 0, meals.pk: 3}
    lines = {line["product"]: line for line in bought["lines"]}
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "r-1", "status": "PENDING"})
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "r-2", "status": "PENDING"})

    seat_only = admin_client_api.post(
        f"/api/orders/{bought['id']}/refund/", {"lines": [{"id": lines["retreat"]["id"], "quantity": 1}]}, format="json"
    )

    assert seat_only.status_code == 200, seat_only.json()
    assert RetreatReservation.objects.get().status == "cancelled"
    assert remaining(anon_client, retreat) == {room.pk: 1, meals.pk: 5}  # both orders' options
    assert Order.objects.get(pk=later["id"]).status == "paid"  # the meals' money: not refunded by this
    room_line = admin_client_api.post(
        f"/api/orders/{bought['id']}/refund/",
        {"lines": [{"id": lines["retreat_option"]["id"], "quantity": 1}]},
        format="json",
    )
    assert room_line.status_code == 200, room_line.json()
    assert remaining(anon_client, retreat) == {room.pk: 1, meals.pk: 5}
    assert RetreatOptionPurchase.objects.get(option=room).status == "cancelled"
