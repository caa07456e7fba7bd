"""A stand-in for Paysafe for local runs (`make run`): `PAYMENT_GATEWAY=test`, DEBUG on.

It never touches the network and keeps its records in this process's memory (a restart of
`runserver` forgets them). It refuses to load with DEBUG off, so a deployed stage can never
take fake payments.

Test tokens (use them as `single_use_token` at checkout or when saving a card):
- `test-visa`, `test-mastercard`: approved (any other token starting with `test-` too);
- `test-decline`: declined by the bank; `test-insufficient-funds`: insufficient funds;
- anything else: an invalid single-use token.
A saved card's `payment_token` (`test-card-<n>`) is approved.
"""

from __future__ import annotations

import itertools
import secrets
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from app.integrations.payments import (
    Authorisation,
    AuthStatus,
    CardAlreadySaved,
    CardDeclined,
    DeclineReason,
    InvalidToken,
    NotSettledYet,
    ProfileAlreadyExists,
    RecordNotFound,
    Refund,
    Settlement,
    VaultCard,
    VaultProfile,
)


def _refuse_without_debug() -> None:
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The Paysafe test gateway is for local runs only: it refuses to load with DEBUG off."
        )


_refuse_without_debug()

# token -> (reason, the code Paysafe would give)
DECLINES = {
    "test-decline": (DeclineReason.BANK, "3009"),
    "test-insufficient-funds": (DeclineReason.INSUFFICIENT_FUNDS, "3022"),
}
_lock = threading.Lock()
_ids = itertools.count(1)
_profiles: dict[str, dict[str, VaultCard]] = {}  # profile id -> {card id: card}
_merchant_ids: dict[str, str] = {}  # merchant customer id -> profile id
_auths: dict[str, Authorisation] = {}


def _new_id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}-{secrets.token_hex(4)}"


class TestGateway:
    """A `PaymentGateway` with Paysafe's behaviour for the cases the store meets."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        _refuse_without_debug()

    @classmethod
    def from_settings(cls) -> TestGateway:
        return cls()

    def create_profile(
        self, *, merchant_customer_id: str, first_name: str, last_name: str, email: str, phone: str = ""
    ) -> VaultProfile:
        with _lock:
            if merchant_customer_id in _merchant_ids:
                raise ProfileAlreadyExists(code="7505", status=409)
            profile_id = _new_id("profile")
            _merchant_ids[merchant_customer_id] = profile_id
            _profiles[profile_id] = {}
        return VaultProfile(id=profile_id)

    def find_profile(self, merchant_customer_id: str) -> VaultProfile:
        if merchant_customer_id not in _merchant_ids:
            raise RecordNotFound(code="5269", status=404)
        return VaultProfile(id=_merchant_ids[merchant_customer_id])

    def _cards(self, profile_id: str) -> dict[str, VaultCard]:
        if profile_id not in _profiles:
            raise RecordNotFound(code="5269", status=404)
        return _profiles[profile_id]

    def add_card(self, profile_id: str, single_use_token: str) -> VaultCard:
        if not str(single_use_token).startswith("test-") or single_use_token in DECLINES:
            raise InvalidToken(code="5068", status=400)
        cards = self._cards(profile_id)
        card_type = "MC" if "master" in single_use_token else "VI"
        for card in cards.values():
            if card.card_type == card_type:
                raise CardAlreadySaved(card.id, code="7503", status=409)
        card = VaultCard(
            id=_new_id("card"),
            payment_token=f"test-card-{next(_ids)}",
            card_type=card_type,
            last_digits="5100" if card_type == "MC" else "1111",
            expiry_month=12,
            expiry_year=2030,
        )
        cards[card.id] = card
        return card

    def get_card(self, profile_id: str, card_id: str) -> VaultCard:
        card = self._cards(profile_id).get(card_id)
        if card is None:
            raise RecordNotFound(code="5269", status=404)
        return card

    def list_cards(self, profile_id: str) -> list[VaultCard]:
        return list(self._cards(profile_id).values())

    def delete_card(self, profile_id: str, card_id: str) -> None:
        if self._cards(profile_id).pop(card_id, None) is None:
            raise RecordNotFound(code="5269", status=404)

    def authorize(self, *, merchant_ref_num: str, amount_cents: int, token: str) -> Authorisation:
        token = str(token)
        if token in DECLINES:
            reason, code = DECLINES[token]
            raise CardDeclined(reason, code=code, status=402)
        if not token.startswith("test-"):
            raise InvalidToken(code="5068", status=400)
        card_type, last_digits = self._charged_card(token)
        auth = Authorisation(
            id=_new_id("auth"),
            reference=merchant_ref_num,
            status=AuthStatus.COMPLETED,
            amount_cents=amount_cents,
            settlement_id=_new_id("settlement"),
            card_type=card_type,
            last_digits=last_digits,
        )
        with _lock:
            _auths[auth.id] = auth
        return auth

    def find_auths(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Authorisation]:
        return [auth for auth in _auths.values() if auth.reference == merchant_ref_num]

    def _charged_card(self, token: str) -> tuple[str, str]:
        for cards in list(_profiles.values()):
            for card in list(cards.values()):
                if card.payment_token == token:
                    return card.card_type, card.last_digits
        return ("MC", "5100") if "master" in token else ("VI", "1111")

    def void_auth(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund:
        auth = _auths.get(auth_id)
        if auth is None:
            raise RecordNotFound(code="5269", status=404)
        _auths[auth_id] = Authorisation(auth.id, auth.reference, AuthStatus.FAILED, auth.amount_cents)
        return Refund(id=_new_id("void"))

    def refund_settlement(self, settlement_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund:
        # Local settlements are never batched: Paysafe would say 3406, so the store cancels them.
        raise NotSettledYet(code="3406", status=409)

    def cancel_settlement(self, settlement_id: str) -> Settlement:
        return Settlement(id=settlement_id, status="CANCELLED")

    def settle(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Settlement:
        if auth_id not in _auths:
            raise RecordNotFound(code="5269", status=404)
        return Settlement(id=_new_id("settlement"), status="PENDING")

    def find_refunds(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Refund]:
        return []  # local refunds are cancellations: none is ever made by reference
