"""Saved cards: a vault profile per member, cards added from single-use tokens, 7503 reused."""

import json

import responses

from app.store.models import PaymentProfile, SavedCard
from tests.conftest import make_user, token_client
from tests.store.conftest import PROFILES, approve, assert_no_secret, buy, error_body


def card_body(card_id="card-1", vault_ref="Cpaytoken1", digits="1111"):
    return {
        "id": card_id,
        "paymentToken": vault_ref,
        "cardType": "VI",
        "lastDigits": digits,
        "cardExpiry": {"month": 9, "year": 2031},
        "status": "ACTIVE",
    }


def add_card(client, single_use="sut-1"):
    return client.post("/api/payment-profiles/", {"single_use_token": single_use}, format="json")


def test_the_first_card_creates_the_vault_profile(member_client, member, paysafe, caplog):
    paysafe.add(responses.POST, PROFILES, json={"id": "prof-1", "status": "ACTIVE"})
    paysafe.add(responses.POST, f"{PROFILES}/prof-1/cards", json=card_body())
    response = add_card(member_client, "sut-abc")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["card_type"], body["last_digits"], body["expiry_month"], body["expiry_year"]) == (
        "VI",
        "1111",
        9,
        2031,
    )
    create, card = (json.loads(call.request.body) for call in paysafe.calls)
    merchant_id = PaymentProfile.objects.get(user=member).merchant_customer_id
    assert create == {
        "merchantCustomerId": merchant_id,
        "locale": "en_US",
        "firstName": "Mia",
        "lastName": "Member",
        "email": "member@example.com",
    }
    assert card == {"singleUseToken": "sut-abc"}
    assert_no_secret(caplog.text, response.content)

    # The second card reuses the profile.
    paysafe.calls.reset()
    paysafe.add(responses.POST, f"{PROFILES}/prof-1/cards", json=card_body("card-2", "Cpaytoken2", "4444"))
    assert add_card(member_client).status_code == 201
    assert [call.request.url for call in paysafe.calls] == [f"{PROFILES}/prof-1/cards"]
    listed = member_client.get("/api/payment-profiles/").json()["results"]
    assert sorted(card["last_digits"] for card in listed) == ["1111", "4444"]


def test_a_card_already_saved_is_reused(member_client, member, paysafe):
    PaymentProfile.objects.create(user=member, merchant_customer_id="m-1", paysafe_profile_id="prof-1")
    existing = {"rel": "existing_entity", "href": f"{PROFILES}/prof-1/cards/card-9"}
    paysafe.add(
        responses.POST, f"{PROFILES}/prof-1/cards", json=error_body("7503", "exists", links=[existing]), status=409
    )
    paysafe.add(responses.GET, f"{PROFILES}/prof-1/cards/card-9", json=card_body("card-9", "Cexisting"))
    first = add_card(member_client)
    second = add_card(member_client)
    assert first.status_code == second.status_code == 201
    assert SavedCard.objects.get().payment_token == "Cexisting"


def test_a_profile_created_before_but_not_recorded_is_found_again(member_client, member, paysafe):
    PaymentProfile.objects.create(user=member, merchant_customer_id="m-7")
    paysafe.add(responses.POST, PROFILES, json=error_body("7505", "merchantCustomerId used"), status=409)
    paysafe.add(responses.GET, PROFILES, json={"id": "prof-7", "status": "ACTIVE"})
    paysafe.add(responses.POST, f"{PROFILES}/prof-7/cards", json=card_body())
    assert add_card(member_client).status_code == 201
    assert paysafe.calls[1].request.params == {"merchantCustomerId": "m-7"}
    assert PaymentProfile.objects.get().paysafe_profile_id == "prof-7"


def test_a_bad_single_use_token_is_a_clear_400(member_client, member, paysafe):
    PaymentProfile.objects.create(user=member, merchant_customer_id="m-1", paysafe_profile_id="prof-1")
    body = error_body("5068", "Field errors", fieldErrors=[{"field": "singleUseToken", "error": "does not exist"}])
    paysafe.add(responses.POST, f"{PROFILES}/prof-1/cards", json=body, status=400)
    response = add_card(member_client)
    assert response.status_code == 400
    assert "enter the card again" in response.json()["detail"]
    assert not SavedCard.objects.exists()


def test_a_saved_card_pays_and_can_be_removed(member_client, member, package, paysafe):
    profile = PaymentProfile.objects.create(user=member, merchant_customer_id="m-1", paysafe_profile_id="prof-1")
    card = SavedCard.objects.create(profile=profile, paysafe_card_id="card-1", payment_token="Csaved", last_digits="1")
    approve(paysafe)
    assert buy(member_client, ("package", package, 1), payment_token="Csaved").status_code == 201
    assert json.loads(paysafe.calls[0].request.body)["card"] == {"paymentToken": "Csaved"}

    paysafe.add(responses.DELETE, f"{PROFILES}/prof-1/cards/card-1", json={})
    assert member_client.delete(f"/api/payment-profiles/{card.pk}/").status_code == 204
    assert not SavedCard.objects.exists()
    assert paysafe.calls[-1].request.method == "DELETE"


def test_members_never_see_or_remove_each_others_cards(member_client, paysafe):
    other = make_user(email="other@example.com")
    profile = PaymentProfile.objects.create(user=other, merchant_customer_id="m-2", paysafe_profile_id="prof-2")
    card = SavedCard.objects.create(profile=profile, paysafe_card_id="card-2", payment_token="Cother")
    assert member_client.get("/api/payment-profiles/").json()["count"] == 0
    assert member_client.delete(f"/api/payment-profiles/{card.pk}/").status_code == 404
    assert token_client(other).get("/api/payment-profiles/").json()["count"] == 1
    assert SavedCard.objects.exists() and not paysafe.calls
