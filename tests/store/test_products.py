"""Memberships and packages: anyone reads what is available, admins write."""

from decimal import Decimal

from app.store.models import Membership, Package


def test_anyone_reads_only_available_products(anon_client, package, membership):
    Package.objects.create(name="Old", price=Decimal("1.00"), tickets=1, available=False)
    names = [p["name"] for p in anon_client.get("/api/packages/").json()["results"]]
    assert names == ["5 tickets"]
    assert anon_client.get("/api/memberships/").json()["results"][0]["price"] == "40.00"


def test_admins_see_and_create_products(admin_client_api, membership):
    response = admin_client_api.post(
        "/api/packages/",
        {
            "name": "Members 10",
            "price": "40.00",
            "tickets": 10,
            "available": False,
            "exclusive_memberships": [membership.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert admin_client_api.get("/api/packages/").json()["count"] == 1
    assert list(Package.objects.get().exclusive_memberships.all()) == [membership]


def test_members_cannot_write_products(member_client, package):
    response = member_client.patch(f"/api/packages/{package.pk}/", {"price": "0.01"}, format="json")
    assert response.status_code == 403
    package.refresh_from_db()
    assert package.price == Decimal("25.00")


def test_negative_prices_and_durations_are_refused(admin_client_api, db):
    response = admin_client_api.post(
        "/api/memberships/", {"name": "Bad", "price": "-1.00", "duration_days": 0}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"price", "duration_days"}
    assert not Membership.objects.exists()


def test_a_product_on_orders_cannot_be_deleted(admin_client_api, member, package):
    from app.store.services.checkout import create_order
    from app.store.services.eligibility import CartItem

    create_order(member, [CartItem("package", package, 1)])
    response = admin_client_api.delete(f"/api/packages/{package.pk}/")
    assert response.status_code == 409
    assert "make it unavailable" in response.json()["detail"]
    assert Package.objects.filter(pk=package.pk).exists()
    assert (
        admin_client_api.delete(
            f"/api/memberships/{Membership.objects.create(name='M', price=1, duration_days=1).pk}/"
        ).status_code
        == 204
    )
