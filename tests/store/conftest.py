"""Store fixtures: fake Paysafe credentials and Paysafe answered at the HTTP layer by `responses`."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
import responses

BASE = "https://api.test.paysafe.com/"
ACCOUNT = "1001234567"
USER = "ps-api-user-7x"
PASSWORD = "B-secret-pass-Q9"
SECRETS = (ACCOUNT, USER, PASSWORD)
AUTHS = f"{BASE}cardpayments/v1/accounts/{ACCOUNT}/auths"
SETTLEMENTS = f"{BASE}cardpayments/v1/accounts/{ACCOUNT}/settlements"
REFUNDS = f"{BASE}cardpayments/v1/accounts/{ACCOUNT}/refunds"
PROFILES = f"{BASE}customervault/v1/profiles"


@contextmanager
def fake_paysafe(settings):
    """Fake credentials in `settings`; Paysafe answered by `responses` (any other host is refused)."""
    settings.PAYMENT_GATEWAY = "paysafe"
    settings.PAYSAFE_BASE_URL = BASE
    settings.PAYSAFE_VAULT_URL = "customervault/v1/"
    settings.PAYSAFE_CARD_URL = "cardpayments/v1/"
    settings.PAYSAFE_ACCOUNT_NUMBER = ACCOUNT
    settings.PAYSAFE_USER = USER
    settings.PAYSAFE_PASSWORD = PASSWORD
    settings.PAYSAFE_TIMEOUT_SECONDS = 7
    settings.STORE_TAXES = "GST:5,QST:9.975"
    settings.STORE_CURRENCY = "CAD"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def paysafe(settings):
    with fake_paysafe(settings) as mock:
        yield mock


def auth_body(reference, amount, *, status="COMPLETED", auth_id="auth-1", settlement_id="settle-1"):
    return {
        "id": auth_id,
        "status": status,
        "amount": amount,
        "merchantRefNum": reference,
        "settleWithAuth": True,
        "card": {"type": "VI", "lastDigits": "1111", "cardExpiry": {"month": 12, "year": 2030}},
        "settlements": [{"id": settlement_id, "status": "PENDING", "amount": amount}],
    }


def error_body(code, message="error", **extra):
    return {"error": {"code": code, "message": message, "links": [], **extra}}


def approve(mock, *, auth_id="auth-1", settlement_id="settle-1"):
    """Answer the next charge with an approval echoing the request's reference and amount."""
    import json

    def callback(request):
        sent = json.loads(request.body)
        body = auth_body(sent["merchantRefNum"], sent["amount"], auth_id=auth_id, settlement_id=settlement_id)
        return 200, {}, json.dumps(body)

    mock.add_callback(responses.POST, AUTHS, callback=callback, content_type="application/json")


def assert_no_secret(*texts):
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text)


@pytest.fixture
def package(db):
    from app.store.models import Package

    return Package.objects.create(name="5 tickets", price=Decimal("25.00"), tickets=5)


@pytest.fixture
def membership(db):
    from app.store.models import Membership

    return Membership.objects.create(name="Annual", price=Decimal("40.00"), duration_days=365)


def buy(client, *lines, token="tok-single-use-1", key=None, payment_token=None):
    body = {"lines": [{"product": kind, "id": product.pk, "quantity": quantity} for kind, product, quantity in lines]}
    if payment_token:
        body["payment_token"] = payment_token
    else:
        body["single_use_token"] = token
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/orders/", body, format="json", **headers)
