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
    assert set(response.json()["fields"]) >= {"price", "duration_days"}
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


def test_product_fields_are_bounded_so_any_paid_order_can_be_granted(admin_client_api, db):
    membership = admin_client_api.post(
        "/api/memberships/", {"name": "Forever", "price": "99999999.00", "duration_days": 5_000_000}, format="json"
    )
    assert membership.status_code == 400
    assert set(membership.json()["fields"]) >= {"price", "duration_days"}
    package = admin_client_api.post(
        "/api/packages/", {"name": "Huge", "price": "10.00", "tickets": 2_000_000_000}, format="json"
    )
    assert package.status_code == 400 and "tickets" in package.json()["fields"]
    assert not Membership.objects.exists() and not Package.objects.exists()
    # The largest allowed values are accepted.
    ok = admin_client_api.post(
        "/api/memberships/", {"name": "Ten years", "price": "10000.00", "duration_days": 3660}, format="json"
    )
    assert ok.status_code == 201, ok.json()


def test_an_order_total_beyond_what_an_order_holds_is_a_400_naming_the_lines(member_client, paysafe, db):
    from app.store.models import Order

    # Priced before the bounds, straight into the database.
    legacy = Package.objects.create(name="Gold bar", price=Decimal("99999999.00"), tickets=1)
    response = member_client.post(
        "/api/orders/",
        {"lines": [{"product": "package", "id": legacy.pk, "quantity": 2}], "single_use_token": "t"},
        format="json",
    )
    assert response.status_code == 400
    assert "more than one order can hold" in response.json()["fields"]["lines"][0]
    assert not Order.objects.exists() and not paysafe.calls


def test_the_admin_form_refuses_out_of_bounds_products(client, staff_user):
    client.force_login(staff_user)
    page = client.post(
        "/admin/store/package/add/", {"name": "Huge", "price": "20000.00", "tickets": "5000", "available": "on"}
    )
    assert page.status_code == 200  # the form again, with its errors
    assert "less than or equal to 10000" in page.content.decode()
    assert not Package.objects.exists()
