"""/store/, /store/checkout/ and /account/orders/ with the local test gateway (DEBUG on, no Paysafe)."""

from decimal import Decimal

import pytest
from django.test import Client

from app.accounts.models import AcademicLevel, User
from app.store.models import Membership, Order, Package, PaymentProfile, SavedCard
from tests.web.conftest import make_user


@pytest.fixture
def local_run(settings):
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    settings.STORE_TAXES = "GST:5,QST:9.975"


@pytest.fixture
def five(db):
    return Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)


def _checkout(client, package, payment, key="key-1"):
    return client.post(
        "/store/checkout/", {"product": "package", "id": package.pk, "payment": payment, "idempotency_key": key}
    )


def test_store_lists_products_and_says_why_some_are_not_offered(logged_in, five):
    annual = Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)
    annual.academic_levels.add(AcademicLevel.objects.create(name="PhD"))
    members = Package.objects.create(name="10 tickets (members)", price=Decimal("40.00"), tickets=10)
    members.exclusive_memberships.add(annual)
    html = logged_in.get("/store/").content.decode()
    assert "5 tickets" in html and "28.74 with taxes" in html
    assert f"/store/checkout/?product=package&amp;id={five.pk}" in html
    assert "The membership “Annual” is reserved to these academic levels: PhD." in html
    assert "The package “10 tickets (members)” is reserved to members holding: Annual." in html
    assert f"id={members.pk}" not in html
    # The checkout agrees: the store's own rule refuses it.
    refused = logged_in.get(f"/store/checkout/?product=package&id={members.pk}")
    assert refused.status_code == 403
    assert "reserved to members holding: Annual" in refused.content.decode()


def test_checkout_shows_totals_and_the_test_cards(logged_in, five, local_run):
    html = logged_in.get(f"/store/checkout/?product=package&id={five.pk}").content.decode()
    assert "$25.00" in html and "GST (5 %)" in html and "$1.25" in html and "QST (9.975 %)" in html and "$2.49" in html
    assert "$28.74" in html
    assert 'value="test-visa"' in html and 'value="test-decline"' in html
    assert 'name="idempotency_key"' in html


def test_a_decline_reads_as_a_sentence_then_a_card_pays(logged_in, member, five, local_run):
    declined = _checkout(logged_in, five, "test-decline", key="k-declined")
    assert declined.status_code == 402
    assert "Your bank declined the payment. Please use another card or contact your bank." in declined.content.decode()
    assert User.objects.get(pk=member.pk).tickets == 5
    paid = _checkout(logged_in, five, "test-visa", key="k-paid")
    assert paid.status_code == 302 and paid["Location"] == "/account/orders/"
    assert User.objects.get(pk=member.pk).tickets == 10
    html = logged_in.get("/account/orders/").content.decode()
    assert "Thank you! Order ORD-" in html and "$28.74" in html and "Paid" in html
    assert "Payment declined: nothing was charged" in html and "Not paid" not in html


def test_the_same_form_posted_twice_pays_once(logged_in, member, five, local_run):
    first = _checkout(logged_in, five, "test-visa", key="same-key")
    second = _checkout(logged_in, five, "test-visa", key="same-key")
    assert first.status_code == second.status_code == 302
    assert "you were not charged twice" in logged_in.get("/account/orders/").content.decode()
    assert Order.objects.filter(user=member).count() == 1
    assert User.objects.get(pk=member.pk).tickets == 10


def test_checkout_without_a_payment_choice_or_product(logged_in, five, local_run):
    missing = _checkout(logged_in, five, "")
    assert missing.status_code == 400 and "Choose how to pay." in missing.content.decode()
    assert not Order.objects.exists()
    gone = logged_in.get("/store/checkout/?product=package&id=999")
    assert gone.status_code == 404 and "does not exist or is not on sale" in gone.content.decode()


def test_test_cards_are_never_offered_with_debug_off(logged_in, five, settings):
    settings.DEBUG = False
    settings.PAYMENT_GATEWAY = "test"
    html = logged_in.get(f"/store/checkout/?product=package&id={five.pk}").content.decode()
    assert "test-visa" not in html
    refused = _checkout(logged_in, five, "test-visa")
    assert refused.status_code == 400 and not Order.objects.exists()


def test_paysafe_js_fields_and_their_origin_in_the_policy(logged_in, five, settings):
    settings.PAYSAFE_USER = "user"
    settings.PAYSAFE_JS_API_KEY = "public-key"
    settings.PAYSAFE_JS_URL = "https://hosted.paysafe.com/js/v1/latest/paysafe.min.js"
    response = logged_in.get(f"/store/checkout/?product=package&id={five.pk}")
    html = response.content.decode()
    assert 'id="card-number"' in html and 'src="https://hosted.paysafe.com/js/v1/latest/paysafe.min.js"' in html
    policy = response["Content-Security-Policy"]
    assert "https://hosted.paysafe.com" in policy.split("script-src", 1)[1].split(";")[0]
    assert "https://hosted.paysafe.com" not in logged_in.get("/store/")["Content-Security-Policy"]


def test_another_members_saved_card_is_neither_used_nor_deleted(logged_in, member, five, local_run):
    other = make_user(email="other@example.com")
    profile = PaymentProfile.objects.create(user=other, merchant_customer_id="m-other", paysafe_profile_id="p")
    card = SavedCard.objects.create(
        profile=profile, paysafe_card_id="c", payment_token="test-card-9", last_digits="1111"
    )
    assert "1111" not in logged_in.get("/account/orders/").content.decode()
    assert _checkout(logged_in, five, f"saved:{card.pk}").status_code == 400
    assert logged_in.post(f"/account/cards/{card.pk}/delete/").status_code == 404
    assert SavedCard.objects.filter(pk=card.pk).exists() and not Order.objects.exists()


def test_another_members_orders_are_not_shown(logged_in, five, local_run):
    other = make_user(email="other@example.com")
    theirs = Client()
    theirs.force_login(other)
    _checkout(theirs, five, "test-visa", key="theirs")
    reference = Order.objects.get(user=other).reference
    assert reference in theirs.get("/account/orders/").content.decode()
    assert reference not in logged_in.get("/account/orders/").content.decode()


def test_save_the_new_card_then_pay_with_it_and_delete_it(logged_in, member, five, local_run):
    response = logged_in.post(
        "/store/checkout/",
        {"product": "package", "id": five.pk, "payment": "test-visa", "save_card": "1", "idempotency_key": "k-save"},
    )
    assert response.status_code == 302
    replay = logged_in.post(
        "/store/checkout/",
        {"product": "package", "id": five.pk, "payment": "test-visa", "save_card": "1", "idempotency_key": "k-save"},
    )
    assert replay.status_code == 302 and Order.objects.filter(user=member).count() == 1
    card = SavedCard.objects.get(profile__user=member)
    assert Order.objects.get(user=member).status == "paid"
    html = logged_in.get(f"/store/checkout/?product=package&id={five.pk}").content.decode()
    assert f'value="saved:{card.pk}" checked' in html and "ending 1111" in html
    again = _checkout(logged_in, five, f"saved:{card.pk}", key="k-saved")
    assert again.status_code == 302 and User.objects.get(pk=member.pk).tickets == 15
    deleted = logged_in.post(f"/account/cards/{card.pk}/delete/", follow=True).content.decode()
    assert "The card ending 1111 is deleted." in deleted and "No saved card." in deleted
    assert not SavedCard.objects.exists()


def test_a_coupon_on_the_checkout_page_lowers_what_is_charged(logged_in, member, five, local_run):
    from app.store.models import Coupon, CouponUse

    Coupon.objects.create(code="HALF", percent_off=Decimal("50"))
    refused = logged_in.get(f"/store/checkout/?product=package&id={five.pk}&coupon=nope")
    assert refused.status_code == 400
    assert 'id="id_coupon_error">This coupon code cannot be used on this order.' in refused.content.decode()
    assert "$28.74" in refused.content.decode()  # the full price, no coupon applied
    applied = logged_in.get(f"/store/checkout/?product=package&id={five.pk}&coupon=half").content.decode()
    # 25.00 - 12.50 = 12.50; GST 0.625 -> 0.63, QST 1.246875 -> 1.25; total 14.38
    assert "Discount (coupon HALF)" in applied and "−$12.50" in applied and "$0.63" in applied and "$1.25" in applied
    assert "$14.38" in applied
    assert 'name="coupon" value="HALF"' in applied
    paid = logged_in.post(
        "/store/checkout/",
        {"product": "package", "id": five.pk, "payment": "test-visa", "idempotency_key": "k-c", "coupon": "HALF"},
    )
    assert paid.status_code == 302
    order = Order.objects.get(user=member)
    assert (order.status, order.total, order.discount) == ("paid", Decimal("14.38"), Decimal("12.50"))
    assert CouponUse.objects.filter(order=order).exists()
