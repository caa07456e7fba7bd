"""Django admin: orders are read-only, refunds run through the same rules as the API."""

import responses

from app.store.models import Coupon, Order
from tests.store.conftest import SETTLEMENTS, approve, buy


def test_order_pages_render_and_money_fields_are_read_only(client, staff_user, member_client, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    client.force_login(staff_user)
    assert client.get("/admin/store/order/").status_code == 200
    page = client.get(f"/admin/store/order/{order['id']}/change/")
    assert page.status_code == 200
    assert 'name="total"' not in page.content.decode()  # shown, not editable
    client.post(f"/admin/store/order/{order['id']}/change/", {"total": "0.01", "status": "pending"})
    stored = Order.objects.get(pk=order["id"])
    assert (str(stored.total), stored.status) == ("28.74", "paid")


def test_the_refund_action_refunds_and_reports(client, staff_user, member_client, member, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1"})
    client.force_login(staff_user)
    response = client.post("/admin/store/order/", {"action": "refund", "_selected_action": [order["id"]]}, follow=True)
    assert "Refunded 28.74 CAD" in response.content.decode()
    member.refresh_from_db()
    assert (Order.objects.get().status, member.tickets) == ("refunded", 0)


COUPON_FORM = {
    "code": "SPRING",
    "percent_off": "10",
    "amount_off": "",
    "valid_from_0": "2030-05-01",
    "valid_from_1": "00:00:00",
    "valid_until_0": "2030-04-01",
    "valid_until_1": "00:00:00",
    "max_uses": "",
    "max_uses_per_member": "",
}


def test_the_admin_refuses_a_coupon_that_ends_before_it_starts(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/admin/store/coupon/add/", COUPON_FORM)
    assert response.status_code == 200  # the form again, with the service's message on the field
    assert "The end of validity must be after its start." in response.content.decode()
    assert not Coupon.objects.exists()


def test_the_admin_refuses_both_kinds_of_discount_and_a_taken_code(client, staff_user):
    Coupon.objects.create(code="TAKEN", percent_off=5)
    client.force_login(staff_user)
    form = {**COUPON_FORM, "code": "taken", "amount_off": "2", "valid_until_0": "2030-06-01"}
    html = client.post("/admin/store/coupon/add/", form).content.decode()
    assert "Give exactly one of percent_off or amount_off." in html
    assert "A coupon with this code already exists." in html
    assert Coupon.objects.count() == 1
    fixed = {**form, "code": "SPRING", "amount_off": ""}
    assert client.post("/admin/store/coupon/add/", fixed).status_code == 302
    assert Coupon.objects.get(code="SPRING").valid_until.year == 2030
