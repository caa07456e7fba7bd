"""Invitations: seats kept from public sale until their release date, taken by orders with the token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from app.retreats.models import RetreatInvitation, RetreatReservation
from tests.conftest import make_user, token_client
from tests.retreats.conftest import buy_retreat, make_retreat
from tests.store.conftest import approve

pytestmark = pytest.mark.django_db


def invite(admin_client_api, retreat, seats=1, release_in=timedelta(days=7)):
    body = {"retreat": retreat.pk, "seats": seats, "release_at": (timezone.now() + release_in).isoformat()}
    return admin_client_api.post("/api/retreat-invitations/", body, format="json")


def order_invited(client, retreat, token, card="tok-1"):
    body = {"lines": [{"product": "retreat", "id": retreat.pk}], "single_use_token": card, "invitation": token}
    return client.post("/api/orders/", body, format="json")


def test_kept_seats_are_not_sold_to_the_public_but_to_the_invited(
    paysafe, admin_client_api, member_client, anon_client
):
    retreat = make_retreat(seats=2)
    created = invite(admin_client_api, retreat)
    assert created.status_code == 201 and len(created.json()["token"]) >= 20 and created.json()["used"] == 0
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 1
    approve(paysafe)
    assert buy_retreat(token_client(make_user(email="public@example.com")), retreat).status_code == 201
    refused = buy_retreat(token_client(make_user(email="late@example.com")), retreat)
    assert refused.status_code == 409 and refused.json()["code"] == "retreat_sold_out"

    invited = order_invited(member_client, retreat, created.json()["token"])
    assert invited.status_code == 201, invited.json()
    assert RetreatReservation.objects.get(user__email="member@example.com").invitation_id == created.json()["id"]
    assert admin_client_api.get(f"/api/retreat-invitations/{created.json()['id']}/").json()["used"] == 1
    # Its one seat is used: the token gives no other.
    again = order_invited(token_client(make_user(email="friend@example.com")), retreat, created.json()["token"])
    assert again.status_code == 409


def test_after_the_release_date_the_seats_are_public_again(paysafe, admin_client_api, anon_client):
    retreat = make_retreat(seats=1)
    invite(admin_client_api, retreat)
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 0
    RetreatInvitation.objects.update(release_at=timezone.now() - timedelta(minutes=1))
    assert anon_client.get(f"/api/retreats/{retreat.pk}/").json()["seats_remaining"] == 1
    approve(paysafe)
    assert buy_retreat(token_client(make_user(email="public@example.com")), retreat).status_code == 201


def test_a_wrong_token_is_a_clear_400_and_only_staff_invite(paysafe, admin_client_api, member_client):
    retreat = make_retreat()
    wrong = order_invited(member_client, retreat, "not-a-token")
    assert wrong.status_code == 400 and "invitation" in wrong.json()["fields"]
    assert invite(member_client, retreat).status_code == 403
