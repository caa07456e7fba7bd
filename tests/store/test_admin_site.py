"""Django admin: orders are read-only, refunds run through the same rules as the API."""

import responses

from app.store.models import Order
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
