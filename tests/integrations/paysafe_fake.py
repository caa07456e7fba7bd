"""Paysafe at the HTTP layer (`responses`), answering with the shapes of docs/shared paysafe reference:
a small stateful stand-in so the contract tests can run the same steps against the real client.

Outcomes follow the same tokens as the local test gateway: `test-decline` (3009),
`test-insufficient-funds` (3022), any other `test-...` approved, anything else 5068.
"""

import itertools
import json
import re

import responses

from tests.store.conftest import AUTHS, PROFILES, REFUNDS, SETTLEMENTS

DECLINES = {"test-decline": "3009", "test-insufficient-funds": "3022"}


def _error(status, code, message="error", **extra):
    body = {"error": {"code": code, "message": message, "links": [], **extra}}
    return status, {"X-Application-Status-Code": code}, json.dumps(body)


def _ok(body):
    return 200, {}, json.dumps(body)


class FakePaysafe:
    def __init__(self, mock: responses.RequestsMock):
        self.ids = itertools.count(1)
        self.profiles = {}  # id -> {"merchantCustomerId", "cards": {id: card}}
        self.auths = []
        self.tokens = {}  # permanent payment token -> card
        mock.add_callback(responses.POST, AUTHS, callback=self.authorize, content_type="application/json")
        mock.add_callback(responses.GET, AUTHS, callback=self.find_auths, content_type="application/json")
        mock.add_callback(responses.POST, re.compile(re.escape(AUTHS) + r"/[^/]+/voidauths"), callback=self.void)
        mock.add_callback(responses.POST, re.compile(re.escape(SETTLEMENTS) + r"/[^/]+/refunds"), callback=self.refund)
        mock.add_callback(responses.PUT, re.compile(re.escape(SETTLEMENTS) + r"/[^/]+$"), callback=self.cancel)
        mock.add_callback(responses.POST, re.compile(re.escape(AUTHS) + r"/[^/]+/settlements"), callback=self.settle)
        mock.add_callback(responses.GET, REFUNDS, callback=self.find_refunds)
        mock.add_callback(responses.POST, PROFILES, callback=self.create_profile)
        mock.add_callback(responses.GET, PROFILES, callback=self.find_profile)
        cards = re.compile(re.escape(PROFILES) + r"/([^/?]+)/cards/?([^/?]*)")
        mock.add_callback(responses.POST, cards, callback=self.add_card)
        mock.add_callback(responses.GET, cards, callback=self.get_card)
        mock.add_callback(responses.DELETE, cards, callback=self.delete_card)
        mock.add_callback(responses.GET, re.compile(re.escape(PROFILES) + r"/[^/?]+(\?.*)?$"), callback=self.profile)

    def _id(self, prefix):
        return f"{prefix}-{next(self.ids)}"

    def authorize(self, request):
        sent = json.loads(request.body)
        token = sent["card"]["paymentToken"]
        if token in DECLINES:
            return _error(402, DECLINES[token], "declined")
        if not token.startswith("test-"):
            return _error(400, "5068", "Field errors", fieldErrors=[{"field": "card.paymentToken", "error": "x"}])
        auth = {
            "id": self._id("auth"),
            "merchantRefNum": sent["merchantRefNum"],
            "amount": sent["amount"],
            "settleWithAuth": True,
            "status": "COMPLETED",
            "txnTime": "2026-11-28T10:00:00Z",
            "card": {"type": "VI", "lastDigits": "1111", "cardExpiry": {"month": 12, "year": 2030}},
            "settlements": [{"id": self._id("settle"), "status": "PENDING", "amount": sent["amount"]}],
        }
        self.auths.append(auth)
        return _ok(auth)

    def find_auths(self, request):
        reference = request.params["merchantRefNum"]
        return _ok({"auths": [auth for auth in self.auths if auth["merchantRefNum"] == reference]})

    def void(self, request):
        auth_id = re.search(r"/auths/([^/]+)/voidauths", request.url).group(1)
        auth = next((auth for auth in self.auths if auth["id"] == auth_id), None)
        if auth is None:
            return _error(404, "5269", "not found")
        auth["status"] = "CANCELLED"
        return _ok({"id": self._id("void"), "status": "COMPLETED", **json.loads(request.body)})

    def refund(self, request):
        return _error(409, "3406", "The settlement has not been batched yet")

    def settle(self, request):
        auth_id = re.search(r"/auths/([^/]+)/settlements", request.url).group(1)
        if not any(auth["id"] == auth_id for auth in self.auths):
            return _error(404, "5269", "not found")
        return _ok({"id": self._id("settle"), "status": "PENDING", **json.loads(request.body)})

    def find_refunds(self, request):
        return _ok({"refunds": []})  # this stand-in never batches, so it never refunds a settlement

    def cancel(self, request):
        return _ok({"id": request.url.rpartition("/")[2], "status": "CANCELLED"})

    def create_profile(self, request):
        sent = json.loads(request.body)
        if any(p["merchantCustomerId"] == sent["merchantCustomerId"] for p in self.profiles.values()):
            return _error(409, "7505", "merchantCustomerId already used")
        profile_id = self._id("profile")
        self.profiles[profile_id] = {"merchantCustomerId": sent["merchantCustomerId"], "cards": {}}
        return _ok({"id": profile_id, "status": "ACTIVE", **sent})

    def find_profile(self, request):
        wanted = request.params["merchantCustomerId"]
        for profile_id, profile in self.profiles.items():
            if profile["merchantCustomerId"] == wanted:
                return _ok({"id": profile_id, "status": "ACTIVE", "merchantCustomerId": wanted})
        return _error(404, "5269", "not found")

    def profile(self, request):
        profile = self.profiles.get(request.url.split("?")[0].rpartition("/")[2])
        if profile is None:
            return _error(404, "5269", "not found")
        return _ok({"id": "p", "status": "ACTIVE", "cards": list(profile["cards"].values())})

    def _card_path(self, request):
        match = re.search(r"/profiles/([^/?]+)/cards/?([^/?]*)", request.url)
        return self.profiles.get(match.group(1)), match.group(2)

    def add_card(self, request):
        profile, _ = self._card_path(request)
        token = json.loads(request.body)["singleUseToken"]
        if profile is None:
            return _error(404, "5269", "not found")
        if not token.startswith("test-") or token in DECLINES:
            return _error(400, "5068", "Field errors", fieldErrors=[{"field": "singleUseToken", "error": "x"}])
        card_type = "MC" if "master" in token else "VI"
        for card in profile["cards"].values():
            if card["cardType"] == card_type:
                link = {"rel": "existing_entity", "href": f"{PROFILES}/x/cards/{card['id']}"}
                return _error(409, "7503", "Card number already in use", links=[link])
        card = {
            "id": self._id("card"),
            "paymentToken": f"test-C{next(self.ids)}",
            "cardType": card_type,
            "lastDigits": "1111",
            "cardExpiry": {"month": 12, "year": 2030},
            "status": "ACTIVE",
            "cardBin": "411111",
        }
        profile["cards"][card["id"]] = card
        return _ok(card)

    def get_card(self, request):
        profile, card_id = self._card_path(request)
        card = (profile or {"cards": {}})["cards"].get(card_id)
        return _ok(card) if card else _error(404, "5269", "not found")

    def delete_card(self, request):
        profile, card_id = self._card_path(request)
        if profile is None or profile["cards"].pop(card_id, None) is None:
            return _error(404, "5269", "not found")
        return _ok({})
