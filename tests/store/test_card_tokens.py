"""A saved card is charged only through payment_token, after the ownership check."""

import pytest

from app.store.models import Order, PaymentProfile, SavedCard
from tests.conftest import make_user
from tests.store.conftest import approve, buy


@pytest.fixture
def others_card(db):
    other = make_user(email="other@example.com")
    profile = PaymentProfile.objects.create(user=other, merchant_customer_id="m-9", paysafe_profile_id="prof-9")
    return SavedCard.objects.create(profile=profile, paysafe_card_id="card-9", payment_token="Cothers-token")


def test_another_members_saved_token_sent_as_a_single_use_token_is_refused(
    member_client, member, package, paysafe, others_card
):
    approve(paysafe)
    response = buy(member_client, ("package", package, 1), token=others_card.payment_token)
    assert response.status_code == 400
    assert "single_use_token" in response.json()["fields"]
    assert "payment_token" in response.json()["fields"]["single_use_token"][0]
    assert not paysafe.calls and not Order.objects.exists()
    member.refresh_from_db()
    assert member.tickets == 0


def test_even_ones_own_saved_token_goes_through_payment_token_only(member_client, member, package, paysafe):
    profile = PaymentProfile.objects.create(user=member, merchant_customer_id="m-1", paysafe_profile_id="prof-1")
    SavedCard.objects.create(profile=profile, paysafe_card_id="card-1", payment_token="Cmine")
    approve(paysafe)
    assert buy(member_client, ("package", package, 1), token="Cmine").status_code == 400
    assert not paysafe.calls
    assert buy(member_client, ("package", package, 1), payment_token="Cmine").status_code == 201


def test_a_saved_token_cannot_be_saved_again_as_a_new_card(member_client, paysafe, others_card):
    response = member_client.post(
        "/api/payment-profiles/", {"single_use_token": others_card.payment_token}, format="json"
    )
    assert response.status_code == 400
    assert "single_use_token" in response.json()["fields"]
    assert not paysafe.calls
    assert SavedCard.objects.count() == 1


def test_with_the_test_gateway_too(member_client, member, package, settings, others_card):
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    SavedCard.objects.filter(pk=others_card.pk).update(payment_token="test-card-1")
    response = buy(member_client, ("package", package, 1), token="test-card-1")
    assert response.status_code == 400 and "single_use_token" in response.json()["fields"]
    assert not Order.objects.exists()
