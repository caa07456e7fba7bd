"""Closing one's account: DELETE /api/users/me/ {password}."""

import logging
from datetime import timedelta

import pytest
import requests
import responses
from django.core import mail
from django.utils import timezone

from app.accounts.models import AuthToken, TicketMovement, User
from app.bookings.models import Reservation, TimeSlot
from app.bookings.services import reservations
from app.store.models import Order, PaymentProfile, SavedCard
from tests.accounts.conftest import PASSWORD, sign_up_data, token_from_last_email
from tests.bookings.conftest import give_tickets, make_period, make_slot, make_workplace
from tests.conftest import make_user, token_client
from tests.store.conftest import PROFILES, SECRETS, fake_paysafe

ME = "/api/users/me/"


def _close(client, password=PASSWORD):
    return client.delete(ME, {"password": password}, format="json")


def _card(user, n=1):
    profile, _ = PaymentProfile.objects.get_or_create(
        user=user, defaults={"merchant_customer_id": "member-abc", "paysafe_profile_id": "prof-1"}
    )
    return SavedCard.objects.create(
        profile=profile, paysafe_card_id=f"card-{n}", payment_token=f"Csecret{n}", card_type="VI", last_digits="4242"
    )


@pytest.fixture
def period(db):
    return make_period(make_workplace())


def test_closing_erases_the_person_and_keeps_the_accounts(member_client, member, period):
    give_tickets(member, 5)
    member.phone, member.last_name = "514-555-0101", "Unique-Surname"
    member.save()
    order = Order.objects.create(user=member, status="paid", currency="CAD", tax_rate=0, subtotal=10, tax=0, total=10)
    response = _close(member_client)
    assert response.status_code == 200, response.json()
    assert "closed" in response.json()["detail"]

    member.refresh_from_db()
    assert member.email.startswith("closed-") and member.email.endswith("@closed.invalid")
    assert (member.first_name, member.last_name, member.phone, member.birth_date) == ("", "", "", None)
    assert not member.is_active and not member.has_usable_password() and member.closed_at
    # Accounting stays, attached to the anonymised row.
    assert Order.objects.get(pk=order.pk).user_id == member.pk
    assert TicketMovement.objects.filter(user=member).count() == 1
    assert not User.objects.filter(last_name="Unique-Surname").exists()


def test_a_closed_account_cannot_log_in_and_its_tokens_are_revoked(member_client, member, anon_client):
    other_session = token_client(member)
    assert _close(member_client).status_code == 200
    assert not AuthToken.objects.filter(user=member).exists()
    assert member_client.get(ME).status_code == 401
    assert other_session.get("/api/users/me/data/").status_code == 401
    login = anon_client.post("/api/auth/token/", {"email": "member@example.com", "password": PASSWORD}, format="json")
    assert login.status_code == 400
    assert "Unable to log in" in login.json()["detail"]


def test_the_address_can_sign_up_again_later(member_client, member, anon_client):
    assert _close(member_client).status_code == 200
    data = sign_up_data(email="Member@example.com")
    signed_up = anon_client.post("/api/users/", data, format="json")
    assert signed_up.status_code == 201, signed_up.json()
    assert signed_up.json()["id"] != member.pk
    token = token_from_last_email()
    assert anon_client.post("/api/users/activate/", {"token": token}, format="json").status_code == 200
    login = anon_client.post("/api/auth/token/", {"email": "member@example.com", "password": data["password"]})
    assert login.status_code == 200
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert anon_client.get("/api/users/me/data/").json()["reservations"] == []


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_a_wrong_password_changes_nothing(member_client, member, period, password):
    give_tickets(member, 3)
    reservation = reservations.reserve(member, make_slot(period).pk)
    response = _close(member_client, password)
    assert response.status_code == 400
    assert response.json()["fields"]["password"]
    member.refresh_from_db()
    assert member.is_active and member.email == "member@example.com" and member.first_name == "Mia"
    assert member.tickets == 2
    assert Reservation.objects.get(pk=reservation.pk).status == "active"
    assert member_client.get(ME).status_code == 200


def test_no_password_at_all_is_a_clear_400(member_client, member):
    response = member_client.delete(ME)
    assert response.status_code == 400
    assert response.json()["fields"]["password"]
    member.refresh_from_db()
    assert member.is_active


def test_future_reservations_are_cancelled_and_refunded_first(member_client, member, period):
    give_tickets(member, 5)
    later = reservations.reserve(member, make_slot(period, days_ahead=5).pk)
    # Inside the cancellation deadline: still freed, since the member will not come.
    soon_slot = make_slot(period, days_ahead=0, start_hour=0, end_hour=1)
    TimeSlot.objects.filter(pk=soon_slot.pk).update(
        start=timezone.now() + timedelta(hours=2), end=timezone.now() + timedelta(hours=3)
    )
    soon = reservations.reserve(member, soon_slot.pk)
    past_slot = make_slot(period, days_ahead=1)
    past = reservations.reserve(member, past_slot.pk)
    TimeSlot.objects.filter(pk=past_slot.pk).update(
        start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=2, hours=-1)
    )
    response = _close(member_client)
    assert response.status_code == 200
    assert response.json()["reservations_cancelled"] == 2
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {later.pk: "cancelled", soon.pk: "cancelled", past.pk: "active"}
    refunds = TicketMovement.objects.filter(user=member, reason="cancellation")
    assert refunds.count() == 2
    member.refresh_from_db()
    assert member.tickets == 4  # 5 - 3 reserved + 2 returned: the ledger and the balance agree
    assert TicketMovement.objects.filter(user=member).first().balance_after == 4


def test_saved_cards_are_removed_from_the_vault(member_client, member, settings):
    _card(member, 1)
    _card(member, 2)
    with fake_paysafe(settings) as paysafe:
        paysafe.add(responses.DELETE, f"{PROFILES}/prof-1/cards/card-1", json={})
        paysafe.add(responses.DELETE, f"{PROFILES}/prof-1/cards/card-2", json={})
        response = _close(member_client)
        assert len(paysafe.calls) == 2
    assert response.status_code == 200
    assert (response.json()["cards_removed"], response.json()["cards_kept"]) == (2, 0)
    assert not SavedCard.objects.exists()


def test_an_unreachable_vault_does_not_stop_the_closing(member_client, member, settings, caplog):
    _card(member, 1)
    with fake_paysafe(settings) as paysafe, caplog.at_level(logging.WARNING):
        paysafe.add(responses.DELETE, f"{PROFILES}/prof-1/cards/card-1", body=requests.ConnectionError("down"))
        response = _close(member_client)
    assert response.status_code == 200
    assert (response.json()["cards_removed"], response.json()["cards_kept"]) == (0, 1)
    member.refresh_from_db()
    assert not member.is_active and member.closed_at
    assert "saved card" in caplog.text
    for secret in (*SECRETS, "Csecret1", "member@example.com"):
        assert secret not in caplog.text


def test_staff_cannot_close_their_own_account(admin_client_api, staff_user):
    response = _close(admin_client_api)
    assert response.status_code == 403
    assert "another administrator" in response.json()["detail"]
    staff_user.refresh_from_db()
    assert staff_user.is_active


def test_closing_needs_a_login(anon_client, db):
    assert _close(anon_client).status_code == 401


def test_closing_is_throttled_as_a_password_check(member_client, member):
    for _ in range(10):
        assert _close(member_client, "wrong-password").status_code == 400
    response = _close(member_client)
    assert response.status_code == 429
    member.refresh_from_db()
    assert member.is_active


def test_an_admin_still_sees_the_anonymised_account(admin_client_api, member_client, member):
    _close(member_client)
    body = admin_client_api.get(f"/api/users/{member.pk}/").json()
    assert body["email"] == User.objects.get(pk=member.pk).email and body["email"].endswith("@closed.invalid")
    assert body["is_active"] is False
    assert make_user(email="member@example.com").pk != member.pk


def test_a_closed_account_cannot_be_woken_by_a_new_activation_link(member_client, member, anon_client):
    _close(member_client)
    member.refresh_from_db()
    response = anon_client.post("/api/users/resend-activation/", {"email": member.email}, format="json")
    assert response.status_code == 200
    assert not mail.outbox
