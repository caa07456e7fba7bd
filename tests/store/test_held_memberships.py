"""Held memberships: bought or granted by staff, they unlock members-only packages and show in /api/users/me/."""

import importlib
from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from app.store.models import HeldMembership, Order, OrderLine, Package
from tests.store.conftest import approve, buy


def members_only(membership):
    package = Package.objects.create(name="10 tickets (members)", price=Decimal("40.00"), tickets=10)
    package.exclusive_memberships.add(membership)
    return package


def test_a_membership_granted_by_staff_unlocks_a_members_only_package(
    admin_client_api, member_client, member, membership, paysafe
):
    package = members_only(membership)
    refused = buy(member_client, ("package", package, 1))
    assert refused.status_code == 400 and "reserved to members holding: Annual" in refused.json()["detail"]
    assert (
        member_client.post("/api/held-memberships/", {"user": member.pk, "membership": membership.pk}).status_code
        == 403
    )
    granted = admin_client_api.post(
        "/api/held-memberships/", {"user": member.pk, "membership": membership.pk}, format="json"
    )
    assert granted.status_code == 201, granted.json()
    assert granted.json()["source"] == "staff" and granted.json()["name"] == "Annual"
    me = member_client.get("/api/users/me/").json()
    assert [(held["name"], held["source"]) for held in me["held_memberships"]] == [("Annual", "staff")]
    assert me["has_membership"] is True
    approve(paysafe)
    assert buy(member_client, ("package", package, 1)).status_code == 201


def test_a_bought_membership_is_held_until_its_order_is_refunded(
    admin_client_api, member_client, member, membership, paysafe
):
    approve(paysafe)
    order = buy(member_client, ("membership", membership, 1)).json()
    [held] = member_client.get("/api/users/me/").json()["held_memberships"]
    assert (held["membership"], held["source"]) == (membership.pk, "purchase")
    paysafe.add(
        "POST",
        "https://api.test.paysafe.com/cardpayments/v1/accounts/1001234567/settlements/settle-1/refunds",
        json={"id": "r-1"},
    )
    assert admin_client_api.post(f"/api/orders/{order['id']}/refund/", {}, format="json").status_code == 200
    assert member_client.get("/api/users/me/").json()["held_memberships"] == []
    refused = buy(member_client, ("package", members_only(membership), 1))
    assert refused.status_code == 400


def test_an_ended_grant_is_not_held(admin_client_api, member_client, member, membership):
    start = timezone.now() - timedelta(days=30)
    response = admin_client_api.post(
        "/api/held-memberships/",
        {
            "user": member.pk,
            "membership": membership.pk,
            "start": start.isoformat(),
            "end": (start + timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    assert member_client.get("/api/users/me/").json()["held_memberships"] == []
    backwards = admin_client_api.post(
        "/api/held-memberships/",
        {"user": member.pk, "membership": membership.pk, "start": start.isoformat(), "end": start.isoformat()},
        format="json",
    )
    assert backwards.status_code == 400 and backwards.json()["fields"]["end"] == ["The end must be after the start."]


def test_the_migration_builds_them_from_paid_orders_and_membership_end(member, membership):
    now = timezone.now()
    order = Order.objects.create(user=member, status="paid", currency="CAD", tax_rate=0, subtotal=40, tax=0, total=40)
    OrderLine.objects.create(
        order=order,
        kind="membership",
        membership=membership,
        name="Annual",
        unit_price=40,
        quantity=1,
        duration_days=365,
        membership_start=now,
        membership_end=now + timedelta(days=365),
    )
    member.membership_end = now + timedelta(days=400)  # 35 more days given by staff before the records
    member.save(update_fields=["membership_end"])
    migration = importlib.import_module("app.store.migrations.0006_held_memberships_from_orders")
    migration.build(apps, None)
    rows = list(HeldMembership.objects.filter(user=member).order_by("start").values_list("membership_id", "source"))
    assert rows == [(membership.pk, "purchase"), (None, "migrated")]
    assert HeldMembership.objects.get(source="migrated").end == member.membership_end
