"""Every change of an order's status leaves a history row: from, to, who or what, when, why."""

import re
from pathlib import Path

import requests
import responses

from app.store.models import Order, OrderStatusChange
from tests.store.conftest import AUTHS, SETTLEMENTS, approve, auth_body, buy, error_body
from tests.store.test_reconcile import age, run, verify

APP = Path(__file__).resolve().parents[2] / "app"


def history(order_id):
    return [
        (change.from_status, change.to_status, change.source, change.actor_id)
        for change in OrderStatusChange.objects.filter(order_id=order_id)
    ]


def test_a_paid_checkout_records_pending_to_paid(member_client, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    assert history(order["id"]) == [("pending", "paid", "checkout", None)]
    change = OrderStatusChange.objects.get()
    assert "auth-1" in change.reason and change.at is not None


def test_a_decline_records_pending_to_failed_with_the_reason(member_client, package, paysafe):
    paysafe.add(responses.POST, AUTHS, json=error_body("3022"), status=402)
    buy(member_client, ("package", package, 1))
    order = Order.objects.get()
    assert history(order.pk) == [("pending", "failed", "checkout", None)]
    assert "insufficient funds" in OrderStatusChange.objects.get().reason


def test_a_refund_records_the_admin_who_made_it(admin_client_api, staff_user, member_client, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-1"})
    assert admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json").status_code == 200
    assert history(order["id"]) == [
        ("pending", "paid", "checkout", None),
        ("paid", "refunded", "refund", staff_user.pk),
    ]
    # Refunding again changes nothing, so it records nothing.
    admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json")
    assert len(history(order["id"])) == 2


def test_reconcile_records_its_changes(member_client, package, paysafe):
    paysafe.add(responses.POST, AUTHS, body=requests.ConnectionError())
    paysafe.add(responses.GET, AUTHS, body=requests.ConnectionError())
    buy(member_client, ("package", package, 1))
    stuck = Order.objects.get()
    assert history(stuck.pk) == []  # still pending: nothing changed yet
    paysafe.reset()
    age(stuck, 30)
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    assert "1 failed" in run()
    assert history(stuck.pk) == [("pending", "failed", "reconcile", None)]


def test_a_late_payment_records_failed_to_paid(member_client, package, paysafe):
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    buy(member_client, ("package", package, 1))
    order = Order.objects.get()
    verify("--give-up-after-minutes", "0")  # no payment found yet: given up
    paysafe.reset()
    paysafe.add(responses.GET, AUTHS, json={"auths": [auth_body(order.reference, 2874)]})
    assert "1 completed" in run()
    assert history(order.pk) == [("pending", "failed", "reconcile", None), ("failed", "paid", "reconcile", None)]


def test_the_admin_shows_the_history(client, staff_user, member_client, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    client.force_login(staff_user)
    page = client.get(f"/admin/store/order/{order['id']}/change/").content.decode()
    assert "Status changes" in page or "status change" in page.lower()
    assert "auth-1" in page


def test_only_change_status_writes_an_orders_status():
    """The one function: no other module updates `status` on orders."""
    writers = []
    for path in APP.rglob("*.py"):
        text = path.read_text()
        if "Order" in text and re.search(r"\.update\([^)]*\bstatus=", text):
            writers.append(path.relative_to(APP).as_posix())
    assert [w for w in writers if w.startswith("store/")] == ["store/services/status.py"]
