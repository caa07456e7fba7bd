"""Checkout through the real API with Paysafe answered at the HTTP layer."""

import base64
import json
import logging
from decimal import Decimal

import pytest
import requests
import responses

from app.accounts.models import TicketMovement
from app.store.models import Order
from tests.conftest import make_user, token_client
from tests.store.conftest import AUTHS, PASSWORD, USER, approve, assert_no_secret, auth_body, buy, error_body


def charges(mock):
    return [call for call in mock.calls if call.request.method == "POST" and call.request.url == AUTHS]


def assert_nothing_granted(member):
    member.refresh_from_db()
    assert member.tickets == 0 and member.membership_end is None
    assert not TicketMovement.objects.filter(user=member).exists()


def test_buying_a_package_charges_once_and_grants_the_tickets(member_client, member, package, paysafe, caplog):
    approve(paysafe)
    caplog.set_level(logging.DEBUG)
    response = buy(member_client, ("package", package, 2), token="tok-abc")

    assert response.status_code == 201, response.json()
    order = response.json()
    # 2 x 25.00 = 50.00; tax 14.975 % = 7.4875 -> 7.49 (half-up); total 57.49
    assert (order["subtotal"], order["tax"], order["total"], order["status"]) == ("50.00", "7.49", "57.49", "paid")
    assert order["lines"][0]["name"] == "5 tickets" and order["lines"][0]["quantity"] == 2
    [call] = charges(paysafe)
    expected_auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert call.request.headers["Authorization"] == expected_auth
    assert json.loads(call.request.body) == {
        "merchantRefNum": order["reference"],
        "amount": 5749,
        "settleWithAuth": True,
        "card": {"paymentToken": "tok-abc"},
    }
    member.refresh_from_db()
    assert member.tickets == 10
    movement = TicketMovement.objects.get(user=member)
    assert (movement.delta, movement.reason, movement.reference) == (10, "purchase", order["reference"])
    stored = Order.objects.get(pk=order["id"])
    assert (stored.paysafe_auth_id, stored.paysafe_settlement_id) == ("auth-1", "settle-1")
    assert_no_secret(caplog.text, response.content)


def test_each_tax_is_rounded_half_up_once_per_order(member_client, member, paysafe, db):
    from app.store.models import Package

    cheap = Package.objects.create(name="1 ticket", price=Decimal("0.10"), tickets=1)
    approve(paysafe)
    # 3 x 0.10 = 0.30; GST 0.015 -> 0.02, QST 0.029925 -> 0.03 (rounding each unit would give
    # 3 x (0.01 + 0.01) = 0.06; one combined rate, 0.044925 -> 0.04)
    order = buy(member_client, ("package", cheap, 3)).json()
    assert (order["subtotal"], order["tax"], order["total"]) == ("0.30", "0.05", "0.35")
    assert [(tax["name"], tax["amount"]) for tax in order["taxes"]] == [("GST", "0.02"), ("QST", "0.03")]
    assert json.loads(charges(paysafe)[0].request.body)["amount"] == 35


def test_invoice_is_mailed_after_commit(
    member_client, member, package, paysafe, mailoutbox, django_capture_on_commit_callbacks
):
    approve(paysafe)
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(member_client, ("package", package, 1)).json()
    [mail] = mailoutbox
    assert mail.to == [member.email]
    assert order["reference"] in mail.subject
    assert "28.74" in mail.body and "5 tickets" in mail.body


def test_invoice_failure_never_undoes_the_payment(
    member_client, member, package, paysafe, monkeypatch, django_capture_on_commit_callbacks
):
    approve(paysafe)

    def broken(*args, **kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr("app.core.email.send_templated_email", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = buy(member_client, ("package", package, 1))
    assert response.status_code == 201
    assert Order.objects.get().status == "paid"
    member.refresh_from_db()
    assert member.tickets == 5


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("3009", "declined"),
        ("3022", "insufficient funds"),
        ("3023", "declined"),
        ("3024", "declined"),
        ("3006", "expired"),
        ("3004", "postal code"),
        ("3007", "postal code"),
        ("3060", "authentication"),
        ("4001", "risk"),
        ("4002", "risk"),
    ],
)
def test_a_decline_fails_the_order_with_a_clear_message(member_client, member, package, paysafe, code, words):
    paysafe.add(
        responses.POST, AUTHS, json=error_body(code, "raw"), status=402, headers={"X-Application-Status-Code": code}
    )
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 402
    body = response.json()
    assert words in body["detail"].lower()
    assert body["status"] == "failed"
    assert Order.objects.get().failure_code == code
    assert len(charges(paysafe)) == 1  # no lookup, no retry
    assert_nothing_granted(member)


@pytest.mark.parametrize(
    ("code", "words"), [("5068", "card details are invalid"), ("5500", "saved card can no longer be used")]
)
def test_a_bad_token_is_a_400_and_nothing_is_granted(member_client, member, package, paysafe, code, words):
    body = error_body(code, "Field errors", fieldErrors=[{"field": "card.paymentToken", "error": "does not exist"}])
    paysafe.add(responses.POST, AUTHS, json=body, status=400)
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert Order.objects.get().status == "failed"
    assert_nothing_granted(member)


def test_bad_credentials_are_a_503_without_any_secret(member_client, member, package, paysafe, caplog):
    paysafe.add(responses.POST, AUTHS, json=error_body("5279", f"bad user {USER}"), status=401)
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 503
    assert "temporarily unavailable" in response.json()["detail"]
    assert_no_secret(response.content, caplog.text)
    assert_nothing_granted(member)


@pytest.mark.parametrize(
    "fault",
    [requests.Timeout("read timed out"), requests.ConnectionError("connection reset")],
    ids=["timeout", "connection-error"],
)
def test_after_a_network_fault_a_payment_found_by_reference_completes_the_order(
    member_client, member, package, paysafe, fault, caplog
):
    paysafe.add(responses.POST, AUTHS, body=fault)
    paysafe.add_callback(
        responses.GET,
        AUTHS,
        callback=lambda request: (
            200,
            {},
            json.dumps({"auths": [auth_body(request.params["merchantRefNum"], 2874, auth_id="late-auth")]}),
        ),
        content_type="application/json",
    )
    response = buy(member_client, ("package", package, 1))

    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert order.status == "paid" and order.paysafe_auth_id == "late-auth"
    lookups = [call for call in paysafe.calls if call.request.method == "GET"]
    assert [call.request.params for call in lookups] == [{"merchantRefNum": order.reference}]
    assert lookups[0].request.req_kwargs["timeout"] == 5  # short: charge + lookup fit in API Gateway's 30 s
    assert len(charges(paysafe)) == 1  # never charged twice
    member.refresh_from_db()
    assert member.tickets == 5
    assert_no_secret(caplog.text, response.content)


def test_after_a_timeout_with_no_payment_found_the_order_is_being_verified_and_nothing_is_charged_again(
    member_client, member, package, paysafe
):
    paysafe.add(responses.POST, AUTHS, body=requests.Timeout())
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    response = buy(member_client, ("package", package, 1))
    # Not "cancelled": the charge may land late. verify_payments looks again (tests/store/test_being_verified.py).
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["payment_being_verified"] is True
    assert "Do not pay again" in body["detail"]
    order = Order.objects.get()
    assert order.status == "pending" and order.outcome_uncertain
    assert len(charges(paysafe)) == 1
    assert_nothing_granted(member)


def test_a_5xx_with_an_html_body_is_a_clear_error_not_a_500(member_client, member, package, paysafe, caplog):
    paysafe.add(responses.POST, AUTHS, body="<html><body>502 Bad Gateway</body></html>", status=502)
    paysafe.add(responses.GET, AUTHS, body="<html>503</html>", status=503)
    response = buy(member_client, ("package", package, 1))
    # The outcome is unknown and Paysafe cannot say: the order waits for reconcile_payments.
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and "Do not pay again" in body["detail"]
    assert len(charges(paysafe)) == 1
    assert_nothing_granted(member)
    assert_no_secret(caplog.text, response.content)


def test_a_repeated_submit_with_the_same_idempotency_key_returns_the_first_order(
    member_client, member, package, paysafe
):
    approve(paysafe)
    first = buy(member_client, ("package", package, 1), key="checkout-42")
    second = buy(member_client, ("package", package, 1), key="checkout-42")
    assert first.status_code == 201 and second.status_code == 201  # the first answer's status
    assert second.json()["id"] == first.json()["id"]
    assert len(charges(paysafe)) == 1
    assert Order.objects.count() == 1
    member.refresh_from_db()
    assert member.tickets == 5


def test_an_idempotency_key_reused_for_another_order_is_refused(member_client, member, package, paysafe):
    approve(paysafe)
    buy(member_client, ("package", package, 1), key="k1")
    response = buy(member_client, ("package", package, 3), key="k1")
    assert response.status_code == 422
    assert "different order" in response.json()["detail"]
    assert len(charges(paysafe)) == 1


def test_idempotency_keys_are_per_member(member_client, package, paysafe):
    approve(paysafe)
    other = token_client(make_user(email="other@example.com"))
    assert buy(member_client, ("package", package, 1), key="same").status_code == 201
    assert buy(other, ("package", package, 1), key="same").status_code == 201
    assert len(charges(paysafe)) == 2


@pytest.mark.django_db(transaction=True)
def test_the_card_is_charged_outside_any_database_transaction(package, paysafe):
    from django.db import connection

    client = token_client(make_user())
    seen = []

    def callback(request):
        seen.append(connection.in_atomic_block)
        sent = json.loads(request.body)
        return 200, {}, json.dumps(auth_body(sent["merchantRefNum"], sent["amount"]))

    paysafe.add_callback(responses.POST, AUTHS, callback=callback, content_type="application/json")
    assert buy(client, ("package", package, 1)).status_code == 201
    assert seen == [False]


def test_a_membership_extends_from_the_later_of_now_and_the_current_end(member_client, member, membership, paysafe):
    from datetime import timedelta

    from django.utils import timezone

    current_end = timezone.now() + timedelta(days=10)
    member.membership_end = current_end
    member.save(update_fields=["membership_end"])
    approve(paysafe)
    assert buy(member_client, ("membership", membership, 1)).status_code == 201
    member.refresh_from_db()
    assert member.membership_end == current_end + timedelta(days=365)

    member.membership_end = timezone.now() - timedelta(days=30)  # expired: extends from now
    member.save(update_fields=["membership_end"])
    approve(paysafe, auth_id="auth-2")
    before = timezone.now()
    assert buy(member_client, ("membership", membership, 1)).status_code == 201
    member.refresh_from_db()
    assert before + timedelta(days=365) <= member.membership_end <= timezone.now() + timedelta(days=365)


def test_a_membership_reserved_to_other_academic_levels_is_refused(member_client, member, membership, paysafe):
    from app.accounts.models import AcademicLevel

    phd = AcademicLevel.objects.create(name="PhD")
    membership.academic_levels.add(phd)
    response = buy(member_client, ("membership", membership, 1))
    assert response.status_code == 400
    assert "PhD" in response.json()["detail"]
    assert not Order.objects.exists() and not paysafe.calls

    member.academic_level = phd
    member.save(update_fields=["academic_level"])
    approve(paysafe)
    assert buy(member_client, ("membership", membership, 1)).status_code == 201


def test_an_exclusive_package_needs_the_membership(member_client, member, membership, package, paysafe):
    package.exclusive_memberships.add(membership)
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 400
    assert "reserved to members holding: Annual" in response.json()["detail"]
    assert not paysafe.calls

    approve(paysafe)
    assert buy(member_client, ("membership", membership, 1), ("package", package, 1)).status_code == 201
    approve(paysafe, auth_id="auth-2")
    assert buy(member_client, ("package", package, 1)).status_code == 201  # holds it now
    member.refresh_from_db()
    assert member.tickets == 10


def test_unavailable_products_cannot_be_bought_but_stay_on_old_orders(member_client, member, package, paysafe):
    approve(paysafe)
    order = buy(member_client, ("package", package, 1)).json()
    package.available = False
    package.name = "Renamed"
    package.price = Decimal("99.00")
    package.save()
    response = buy(member_client, ("package", package, 1))
    assert response.status_code == 400 and "not available" in response.json()["detail"]
    line = member_client.get(f"/api/orders/{order['id']}/").json()["lines"][0]
    assert (line["name"], line["unit_price"]) == ("5 tickets", "25.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [], "single_use_token": "t"}, "lines"),
        ({"lines": [{"product": "car", "id": 1}], "single_use_token": "t"}, "lines"),
        ({"lines": [{"product": "package", "id": 1, "quantity": 0}], "single_use_token": "t"}, "lines"),
        ({"lines": [{"product": "package", "id": 1}]}, "detail"),
        ({"lines": [{"product": "package", "id": 1}], "single_use_token": "t", "payment_token": "p"}, "detail"),
        (
            {"lines": [{"product": "package", "id": 1}, {"product": "package", "id": 1}], "single_use_token": "t"},
            "lines",
        ),
    ],
)
def test_bad_checkout_requests_are_clear_400s(member_client, package, paysafe, body, field):
    response = member_client.post("/api/orders/", body, format="json")
    assert response.status_code == 400
    assert field in (response.json() if field == "detail" else response.json()["fields"])
    if field == "detail":
        assert "exactly one of single_use_token" in response.json()["detail"]
    assert not Order.objects.exists() and not paysafe.calls


def test_another_members_saved_card_cannot_be_used(member_client, package, paysafe):
    from app.store.models import PaymentProfile, SavedCard

    other = make_user(email="other@example.com")
    profile = PaymentProfile.objects.create(user=other, merchant_customer_id="m-1", paysafe_profile_id="p-1")
    SavedCard.objects.create(profile=profile, paysafe_card_id="c-1", payment_token="Cother123")
    response = buy(member_client, ("package", package, 1), payment_token="Cother123")
    assert response.status_code == 400
    assert "payment_token" in response.json()["fields"]
    assert not paysafe.calls


def test_members_see_only_their_own_orders_and_cannot_change_them(member_client, package, paysafe, admin_client_api):
    approve(paysafe)
    mine = buy(member_client, ("package", package, 1)).json()
    other = token_client(make_user(email="other@example.com"))
    approve(paysafe, auth_id="auth-2")
    theirs = buy(other, ("package", package, 1)).json()

    assert [o["id"] for o in member_client.get("/api/orders/").json()["results"]] == [mine["id"]]
    assert member_client.get(f"/api/orders/{theirs['id']}/").status_code == 404
    assert admin_client_api.get("/api/orders/").json()["count"] == 2
    patch = member_client.patch(f"/api/orders/{mine['id']}/", {"total": "0.01"}, format="json")
    assert patch.status_code == 405
    assert Order.objects.get(pk=mine["id"]).total == Decimal("28.74")


def test_anonymous_visitors_cannot_buy(anon_client, package, paysafe):
    response = buy(anon_client, ("package", package, 1))
    assert response.status_code in (401, 403)
    assert not Order.objects.exists()


def test_an_overlong_idempotency_key_is_a_clear_400(member_client, package, paysafe):
    response = buy(member_client, ("package", package, 1), key="k" * 101)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Order.objects.exists() and not paysafe.calls
