"""A stand-in for Paysafe for local runs (`make run`): DEBUG on and no PAYSAFE_USER.

It never touches the network and keeps its records in this process's memory (a restart of
`runserver` forgets them). It refuses to load with DEBUG off, so a deployed stage can never
take fake payments.

Test tokens (use them as `single_use_token` at checkout or when saving a card):
- `test-visa`, `test-mastercard`: approved (any other token starting with `test-` too);
- `test-decline`: declined by the bank (3009); `test-insufficient-funds`: 3022;
- anything else: "singleUseToken does not exist" (5068).
A saved card's `payment_token` (`test-card-<n>`) is approved.
"""

import itertools
import secrets
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from app.integrations.paysafe import MESSAGES, PaysafeError


def _refuse_without_debug():
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The Paysafe test gateway is for local runs only: it refuses to load with DEBUG off."
        )


_refuse_without_debug()

DECLINES = {"test-decline": ("3009", 402), "test-insufficient-funds": ("3022", 402)}
_lock = threading.Lock()
_ids = itertools.count(1)
_profiles = {}  # profile id -> {"merchantCustomerId": ..., "cards": {card id: card}}
_auths = {}  # auth id -> auth


def _error(code, status):
    return PaysafeError(MESSAGES.get(code, "The payment could not be processed."), code=code, status=status)


def _new_id(prefix):
    return f"{prefix}-{next(_ids)}-{secrets.token_hex(4)}"


class TestGateway:
    """Same methods and answers as `PaysafeClient`, shaped like Paysafe's payloads."""

    __test__ = False  # not a pytest test class

    def __init__(self):
        _refuse_without_debug()

    def create_profile(self, *, merchant_customer_id, first_name, last_name, email, phone=""):
        with _lock:
            if any(p["merchantCustomerId"] == merchant_customer_id for p in _profiles.values()):
                raise _error("7505", 409)
            profile_id = _new_id("profile")
            _profiles[profile_id] = {"merchantCustomerId": merchant_customer_id, "cards": {}}
        return {"id": profile_id, "status": "ACTIVE", "merchantCustomerId": merchant_customer_id}

    def find_profile(self, merchant_customer_id):
        for profile_id, profile in _profiles.items():
            if profile["merchantCustomerId"] == merchant_customer_id:
                return {"id": profile_id, "status": "ACTIVE"}
        raise _error("5269", 404)

    def _profile(self, profile_id):
        if profile_id not in _profiles:
            raise _error("5269", 404)
        return _profiles[profile_id]

    def add_card(self, profile_id, single_use_token):
        if not str(single_use_token).startswith("test-") or single_use_token in DECLINES:
            raise _error("5068", 400)
        profile = self._profile(profile_id)
        card_type = "MC" if "master" in single_use_token else "VI"
        last_digits = "5100" if card_type == "MC" else "1111"
        for card in profile["cards"].values():
            if card["cardType"] == card_type:
                error = _error("7503", 409)
                error.links = [{"rel": "existing_entity", "href": f"/profiles/{profile_id}/cards/{card['id']}"}]
                raise error
        card_id = _new_id("card")
        card = {
            "id": card_id,
            "paymentToken": f"test-card-{next(_ids)}",
            "cardType": card_type,
            "lastDigits": last_digits,
            "cardExpiry": {"month": 12, "year": 2030},
            "status": "ACTIVE",
        }
        profile["cards"][card_id] = card
        return dict(card)

    def get_card(self, profile_id, card_id):
        card = self._profile(profile_id)["cards"].get(card_id)
        if card is None:
            raise _error("5269", 404)
        return dict(card)

    def list_cards(self, profile_id):
        return [dict(card) for card in self._profile(profile_id)["cards"].values()]

    def delete_card(self, profile_id, card_id):
        if self._profile(profile_id)["cards"].pop(card_id, None) is None:
            raise _error("5269", 404)
        return {}

    def authorize(self, *, merchant_ref_num, amount_cents, token):
        token = str(token)
        if token in DECLINES:
            raise _error(*DECLINES[token])
        if not token.startswith("test-"):
            raise _error("5068", 400)
        auth = {
            "id": _new_id("auth"),
            "merchantRefNum": merchant_ref_num,
            "amount": amount_cents,
            "status": "COMPLETED",
            "settlements": [{"id": _new_id("settlement"), "status": "PENDING", "amount": amount_cents}],
        }
        with _lock:
            _auths[auth["id"]] = auth
        return dict(auth)

    def find_auths(self, merchant_ref_num, *, timeout=None):
        return [dict(a) for a in _auths.values() if a["merchantRefNum"] == merchant_ref_num]

    def void_auth(self, auth_id, *, merchant_ref_num, amount_cents):
        if auth_id not in _auths:
            raise _error("5269", 404)
        _auths[auth_id]["status"] = "CANCELLED"
        return {"id": _new_id("void"), "status": "COMPLETED", "amount": amount_cents}

    def refund_settlement(self, settlement_id, *, merchant_ref_num, amount_cents):
        # Local settlements are never batched: Paysafe would say 3406, so the store cancels them.
        raise _error("3406", 409)

    def cancel_settlement(self, settlement_id):
        return {"id": settlement_id, "status": "CANCELLED"}
