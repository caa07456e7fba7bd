"""Every paid order is fulfilled or flagged for staff: never a 500 that loses the paid state."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

from app.store.models import Membership, Order, OrderStatusChange
from app.store.services.checkout import create_order
from app.store.services.eligibility import CartItem
from tests.conftest import make_user
from tests.store.conftest import AUTHS, SETTLEMENTS, auth_body, buy
from tests.store.test_reconcile import age


def approve_and_then(mock, side_effect):
    """Approve the next charge, running `side_effect` while Paysafe 'processes' it."""

    def callback(request):
        side_effect()
        sent = json.loads(request.body)
        return 200, {}, json.dumps(auth_body(sent["merchantRefNum"], sent["amount"], auth_id="auth-late"))

    mock.add_callback(responses.POST, AUTHS, callback=callback, content_type="application/json")


def test_a_grant_that_fails_after_the_charge_flags_the_order_instead_of_a_500(
    member_client, member, membership, paysafe, admin_client_api
):
    # While the card is being charged, an admin sets the member's membership end to the limit of
    # what dates can hold: the eligibility check passed, the grant now overflows.
    def admin_edits_member():
        type(member).objects.filter(pk=member.pk).update(membership_end=datetime(9999, 12, 1, tzinfo=UTC))

    approve_and_then(paysafe, admin_edits_member)
    response = buy(member_client, ("membership", membership, 1))

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["needs_attention"] is True
    assert "Do not pay again" in body["detail"] and "our team has been told" in body["detail"]
    order = Order.objects.get()
    assert order.paysafe_auth_id == "auth-late" and order.paysafe_settlement_id == "settle-1"
    assert "OverflowError" in order.attention_reason
    assert not OrderStatusChange.objects.filter(order=order, to_status="paid").exists()

    flagged = admin_client_api.get("/api/orders/?needs_attention=true").json()
    assert [o["reference"] for o in flagged["results"]] == [order.reference]
    assert admin_client_api.get("/api/orders/?needs_attention=false").json()["count"] == 0

    # Staff refund it: the money goes back, nothing to take back.
    paysafe.add(responses.POST, f"{SETTLEMENTS}/settle-1/refunds", json={"id": "refund-9"})
    refunded = admin_client_api.post(f"/api/orders/{order.pk}/refund/", {}, format="json")
    assert refunded.status_code == 200, refunded.json()
    assert refunded.json()["status"] == "refunded" and refunded.json()["needs_attention"] is False
    assert "Refunded 45.99 CAD" in refunded.json()["detail"]


def test_the_needs_attention_filter_rejects_a_value_that_is_not_a_boolean(admin_client_api):
    response = admin_client_api.get("/api/orders/?needs_attention=perhaps")
    assert response.status_code == 400
    assert "needs_attention" in response.json()["fields"]


def test_the_admin_lists_and_filters_orders_needing_attention(client, staff_user, member, package):
    order = create_order(member, [CartItem("package", package, 1)])
    Order.objects.filter(pk=order.pk).update(needs_attention=True, attention_reason="Payment auth-1 was approved")
    create_order(member, [CartItem("package", package, 2)])
    client.force_login(staff_user)
    page = client.get("/admin/store/order/?needs_attention__exact=1").content.decode()
    assert order.reference in page and "1 order" in page.lower()


def legacy_membership():
    """Made by an admin before products were bounded, straight into the database."""
    return Membership.objects.create(name="Forever", price=Decimal("10.00"), duration_days=5_000_000)


def test_a_product_from_before_the_bounds_is_refused_before_any_charge(member_client, member, paysafe):
    response = buy(member_client, ("membership", legacy_membership(), 1))
    assert response.status_code == 400
    assert "lines" in response.json()["fields"]
    assert "beyond what can be recorded" in response.json()["fields"]["lines"][0]
    assert not paysafe.calls and not Order.objects.exists()


def test_reconcile_handles_each_order_on_its_own_and_exits_non_zero_when_one_needs_attention(member, package, paysafe):
    # Three orders whose checkout died after the charge: the first (newest, handled first) cannot
    # be granted, the others can.
    good = [create_order(member, [CartItem("package", package, quantity)]) for quantity in (1, 2)]
    bad = create_order(member, [CartItem("membership", legacy_membership(), 1)])
    for order in (*good, bad):
        age(order, 30 if order is bad else 40)
    amounts = {order.reference: int(order.total * 100) for order in (*good, bad)}

    def lookup(request):
        reference = request.params["merchantRefNum"]
        return 200, {}, json.dumps({"auths": [auth_body(reference, amounts[reference], auth_id=f"a-{reference}")]})

    paysafe.add_callback(responses.GET, AUTHS, callback=lookup, content_type="application/json")
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_payments", stdout=out)

    assert "2 completed" in out.getvalue() and "1 need staff attention" in out.getvalue()
    assert bad.reference in str(raised.value)
    assert [Order.objects.get(pk=o.pk).status for o in good] == ["paid", "paid"]
    bad.refresh_from_db()
    assert (bad.status, bad.needs_attention, bad.paysafe_auth_id) == ("pending", True, f"a-{bad.reference}")
    member.refresh_from_db()
    assert member.tickets == 15

    # The exit status says so from the shell too.
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "reconcile_payments"]).execute()
    assert exited.value.code != 0


def test_a_membership_already_near_the_date_limit_is_refused_before_the_charge(
    member_client, member, membership, paysafe
):
    member.membership_end = datetime(8999, 6, 1, tzinfo=UTC) - timedelta(days=100)
    member.save(update_fields=["membership_end"])
    response = buy(member_client, ("membership", membership, 1))
    assert response.status_code == 400 and "lines" in response.json()["fields"]
    assert not paysafe.calls


def test_other_members_orders_are_not_in_the_filter(member_client, package, db):
    other = make_user(email="other@example.com")
    order = create_order(other, [CartItem("package", package, 1)])
    Order.objects.filter(pk=order.pk).update(needs_attention=True)
    assert member_client.get("/api/orders/?needs_attention=true").json()["count"] == 0
