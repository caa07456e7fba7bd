"""The payment gateway contract: the same steps, the same typed answers, from every gateway.

Run against the Paysafe client (Paysafe answered at the HTTP layer with its documented shapes,
tests/integrations/paysafe_fake.py) and the local test gateway. The store relies on nothing else.
"""

import uuid

import pytest

from app.integrations.payments import (
    AuthStatus,
    CardAlreadySaved,
    CardDeclined,
    DeclineReason,
    InvalidToken,
    NotSettledYet,
    PaymentGateway,
    ProfileAlreadyExists,
    RecordNotFound,
    Refund,
    VaultCard,
    get_gateway,
)
from tests.integrations.paysafe_fake import FakePaysafe
from tests.store.conftest import fake_paysafe


@pytest.fixture(params=["paysafe", "test"])
def gateway(request, settings) -> PaymentGateway:
    if request.param == "test":
        settings.DEBUG = True
        settings.PAYMENT_GATEWAY = "test"
        yield get_gateway()
        return
    with fake_paysafe(settings) as mock:
        FakePaysafe(mock)
        yield get_gateway()


def reference():
    return f"ORD-{uuid.uuid4().hex[:12].upper()}"


def test_an_approved_charge_is_completed_settled_and_found_by_its_reference(gateway):
    ref = reference()
    auth = gateway.authorize(merchant_ref_num=ref, amount_cents=2874, token="test-visa")
    assert (auth.status, auth.reference, auth.amount_cents) == (AuthStatus.COMPLETED, ref, 2874)
    assert auth.id and auth.settlement_id
    assert gateway.find_auths(ref, timeout=5) == [auth]
    assert gateway.find_auths(reference()) == []


@pytest.mark.parametrize(
    ("token", "reason", "words"),
    [
        ("test-decline", DeclineReason.BANK, "declined"),
        ("test-insufficient-funds", DeclineReason.INSUFFICIENT_FUNDS, "insufficient funds"),
    ],
)
def test_a_decline_is_a_typed_error_with_a_message_for_the_member(gateway, token, reason, words):
    ref = reference()
    with pytest.raises(CardDeclined) as raised:
        gateway.authorize(merchant_ref_num=ref, amount_cents=2874, token=token)
    assert raised.value.reason == reason
    assert words in str(raised.value)
    assert gateway.find_auths(ref) == []


def test_an_unknown_token_is_an_invalid_token(gateway):
    with pytest.raises(InvalidToken) as raised:
        gateway.authorize(merchant_ref_num=reference(), amount_cents=100, token="not-a-token")
    assert "enter the card again" in str(raised.value)


def test_an_unsettled_payment_cannot_be_refunded_but_can_be_cancelled(gateway):
    auth = gateway.authorize(merchant_ref_num=reference(), amount_cents=500, token="test-visa")
    with pytest.raises(NotSettledYet):
        gateway.refund_settlement(auth.settlement_id, merchant_ref_num=f"{auth.reference}-R", amount_cents=500)
    cancelled = gateway.cancel_settlement(auth.settlement_id)
    assert (cancelled.id, cancelled.status) == (auth.settlement_id, "CANCELLED")


def test_a_partial_refund_before_settlement_is_a_cancel_then_a_smaller_settlement(gateway):
    auth = gateway.authorize(merchant_ref_num=reference(), amount_cents=5749, token="test-visa")
    gateway.cancel_settlement(auth.settlement_id)
    settled = gateway.settle(auth.id, merchant_ref_num=f"{auth.reference}-S1", amount_cents=2875)
    assert settled.id and settled.id != auth.settlement_id and settled.status == "PENDING"
    with pytest.raises(RecordNotFound):
        gateway.settle("auth-unknown", merchant_ref_num="x", amount_cents=1)
    assert gateway.find_refunds(f"{auth.reference}-R1") == []


def test_the_vault_keeps_profiles_and_cards(gateway):
    merchant_id = f"member-{uuid.uuid4().hex}"
    profile = gateway.create_profile(
        merchant_customer_id=merchant_id, first_name="Mia", last_name="Member", email="m@example.com"
    )
    assert profile.id
    with pytest.raises(ProfileAlreadyExists):
        gateway.create_profile(merchant_customer_id=merchant_id, first_name="M", last_name="M", email="m@example.com")
    assert gateway.find_profile(merchant_id) == profile

    card = gateway.add_card(profile.id, "test-visa")
    assert isinstance(card, VaultCard) and card.payment_token and card.card_type == "VI"
    assert (len(card.last_digits), card.expiry_month, card.expiry_year) == (4, 12, 2030)
    with pytest.raises(CardAlreadySaved) as again:
        gateway.add_card(profile.id, "test-visa")
    assert again.value.card_id == card.id
    assert gateway.get_card(profile.id, card.id) == card
    assert gateway.list_cards(profile.id) == [card]

    paid = gateway.authorize(merchant_ref_num=reference(), amount_cents=100, token=card.payment_token)
    assert paid.status == AuthStatus.COMPLETED

    assert gateway.delete_card(profile.id, card.id) is None
    assert gateway.list_cards(profile.id) == []
    with pytest.raises(RecordNotFound):
        gateway.delete_card(profile.id, card.id)


def test_a_bad_single_use_token_cannot_be_saved(gateway):
    profile = gateway.create_profile(
        merchant_customer_id=f"member-{uuid.uuid4().hex}", first_name="M", last_name="M", email="m@example.com"
    )
    with pytest.raises(InvalidToken):
        gateway.add_card(profile.id, "not-a-token")
    with pytest.raises(RecordNotFound):
        gateway.find_profile(f"member-{uuid.uuid4().hex}")


def test_a_void_gives_the_money_back_and_the_charge_no_longer_counts(gateway):
    auth = gateway.authorize(merchant_ref_num=reference(), amount_cents=100, token="test-visa")
    refund = gateway.void_auth(auth.id, merchant_ref_num=f"{auth.reference}-V", amount_cents=100)
    assert isinstance(refund, Refund) and refund.id
    assert [found.status for found in gateway.find_auths(auth.reference)] == [AuthStatus.FAILED]
    with pytest.raises(RecordNotFound):
        gateway.void_auth("no-such-auth", merchant_ref_num="ORD-X", amount_cents=100)


def test_the_boundary_holds_no_cycle_and_no_provider_json_outside_the_gateways():
    import ast
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "app"

    def imports(path):
        tree = ast.parse(path.read_text())
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }

    assert "app.integrations.paysafe" not in imports(app / "integrations" / "test_gateway.py")
    assert "app.integrations.test_gateway" not in imports(app / "integrations" / "paysafe.py")
    paysafe_keys = {"merchantRefNum", "paymentToken", "settlements", "cardExpiry", "singleUseToken", "auths", "error"}
    for path in (app / "store").rglob("*.py"):
        assert "app.integrations.paysafe" not in imports(path), path
        strings = {node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant)}
        assert not strings & paysafe_keys, path
