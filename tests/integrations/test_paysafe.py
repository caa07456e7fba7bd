"""The Paysafe client at the HTTP layer: exact requests, typed answers and errors, no secret anywhere.

What every gateway must do is in test_gateway_contract.py; this file holds Paysafe's own details.
"""

import base64
import importlib
import json
import logging
import sys
import traceback

import pytest
import requests
import responses
from django.core.exceptions import ImproperlyConfigured

from app.integrations.payments import (
    AuthStatus,
    CardDeclined,
    DeclineReason,
    GatewayError,
    GatewayUnavailable,
    OutcomeUnknown,
    VaultCard,
    get_gateway,
)
from app.integrations.paysafe import PaysafeClient
from tests.store.conftest import (
    ACCOUNT,
    AUTHS,
    BASE,
    PASSWORD,
    PROFILES,
    SETTLEMENTS,
    USER,
    assert_no_secret,
    fake_paysafe,
)


@pytest.fixture
def paysafe(settings):
    with fake_paysafe(settings) as mock:
        yield mock


@pytest.fixture
def client(paysafe):
    return PaysafeClient.from_settings()


def test_every_call_uses_basic_auth_and_the_configured_timeout(client, paysafe):
    paysafe.add(responses.GET, AUTHS, json={"auths": []})
    assert client.find_auths("ORD-1") == []
    [call] = paysafe.calls
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert call.request.req_kwargs["timeout"] == 7
    assert call.request.url == f"{AUTHS}?merchantRefNum=ORD-1"


def test_the_paths_and_payloads_follow_the_reference(client, paysafe):
    paysafe.add(responses.POST, AUTHS, json={"id": "a1", "status": "COMPLETED"})
    paysafe.add(responses.POST, f"{AUTHS}/a1/voidauths", json={"id": "v1"})
    paysafe.add(responses.POST, f"{SETTLEMENTS}/s1/refunds", json={"id": "r1"})
    paysafe.add(responses.PUT, f"{SETTLEMENTS}/s1", json={"id": "s1"})
    card = {"id": "c1", "paymentToken": "Ctok", "cardType": "VI", "lastDigits": "1111", "status": "ACTIVE"}
    paysafe.add(responses.GET, f"{PROFILES}/p1", json={"cards": [card]})
    client.authorize(merchant_ref_num="ORD-1", amount_cents=2874, token="tok")
    client.void_auth("a1", merchant_ref_num="ORD-1-V", amount_cents=2874)
    client.refund_settlement("s1", merchant_ref_num="ORD-1-R", amount_cents=100)
    client.cancel_settlement("s1")
    assert client.list_cards("p1") == [VaultCard(id="c1", payment_token="Ctok", card_type="VI", last_digits="1111")]
    sent = [(c.request.method, c.request.url, c.request.body and json.loads(c.request.body)) for c in paysafe.calls]
    assert sent == [
        (
            "POST",
            AUTHS,
            {"merchantRefNum": "ORD-1", "amount": 2874, "settleWithAuth": True, "card": {"paymentToken": "tok"}},
        ),
        ("POST", f"{AUTHS}/a1/voidauths", {"merchantRefNum": "ORD-1-V", "amount": 2874}),
        ("POST", f"{SETTLEMENTS}/s1/refunds", {"merchantRefNum": "ORD-1-R", "amount": 100}),
        ("PUT", f"{SETTLEMENTS}/s1", {"status": "CANCELLED"}),
        ("GET", f"{PROFILES}/p1?fields=cards", None),
    ]
    assert f"accounts/{ACCOUNT}/" in AUTHS and BASE.startswith("https://")


def test_an_error_body_becomes_a_typed_error(client, paysafe):
    body = {"error": {"code": "3022", "message": "Insufficient funds", "links": [{"rel": "errorinfo", "href": "x"}]}}
    paysafe.add(responses.POST, AUTHS, json=body, status=402)
    with pytest.raises(CardDeclined) as raised:
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")
    error = raised.value
    assert (error.code, error.status, error.reason) == ("3022", 402, DeclineReason.INSUFFICIENT_FUNDS)
    assert "insufficient funds" in str(error)


def test_the_code_is_read_from_the_header_when_the_body_has_none(client, paysafe):
    paysafe.add(responses.POST, AUTHS, body="declined", status=402, headers={"X-Application-Status-Code": "3009"})
    with pytest.raises(CardDeclined) as raised:
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")
    assert raised.value.code == "3009"


@pytest.mark.parametrize(
    ("answer", "status"),
    [("<html><h1>502 Bad Gateway</h1></html>", 502), ("<html>oops</html>", 200), ('{"error": {"code": "1007"}}', 500)],
    ids=["html-502", "html-200", "internal-1007"],
)
def test_unreadable_or_server_errors_are_uncertain(client, paysafe, answer, status):
    paysafe.add(responses.POST, AUTHS, body=answer, status=status)
    with pytest.raises(OutcomeUnknown):
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")


@pytest.mark.parametrize("fault", [requests.Timeout, requests.ConnectionError])
def test_network_faults_are_uncertain_and_never_name_the_url(client, paysafe, caplog, fault):
    caplog.set_level(logging.DEBUG)
    paysafe.add(responses.POST, AUTHS, body=fault(f"HTTPSConnectionPool: {AUTHS} failed"))
    with pytest.raises(OutcomeUnknown) as raised:
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")
    error = raised.value
    assert error.status is None
    shown = "".join(traceback.format_exception(error))
    assert_no_secret(str(error), repr(error), shown, caplog.text)


def test_secrets_echoed_by_paysafe_are_not_repeated(client, paysafe, caplog):
    caplog.set_level(logging.DEBUG)
    body = {"error": {"code": "5279", "message": f"Invalid credentials for {USER}:{PASSWORD} on {ACCOUNT}"}}
    paysafe.add(responses.POST, AUTHS, json=body, status=401)
    with pytest.raises(GatewayUnavailable) as raised:
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")
    assert_no_secret(str(raised.value), repr(raised.value), repr(client), caplog.text)


def test_missing_credentials_are_refused(settings):
    settings.PAYSAFE_USER = ""
    with pytest.raises(ImproperlyConfigured):
        PaysafeClient.from_settings()


@pytest.mark.parametrize("debug", [False, True])
def test_without_credentials_no_payment_is_possible(settings, debug):
    settings.DEBUG = debug
    settings.PAYMENT_GATEWAY = "paysafe"
    settings.PAYSAFE_USER = ""
    with pytest.raises(GatewayUnavailable) as raised:
        get_gateway()
    assert "temporarily unavailable" in str(raised.value)


def test_with_credentials_the_real_client_is_used_even_with_debug(paysafe, settings):
    settings.DEBUG = True
    assert isinstance(get_gateway(), PaysafeClient)


def test_the_setting_selects_the_gateway(settings):
    settings.DEBUG = True
    settings.PAYMENT_GATEWAY = "test"
    assert type(get_gateway()).__name__ == "TestGateway"
    settings.PAYMENT_GATEWAY = "stripe"
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_GATEWAY"):
        get_gateway()


def test_the_test_gateway_selected_with_debug_off_takes_no_payment(settings, caplog):
    settings.DEBUG = False
    settings.PAYMENT_GATEWAY = "test"
    sys.modules.pop("app.integrations.test_gateway", None)
    with pytest.raises(GatewayUnavailable):
        get_gateway()
    assert "refused to load" in caplog.text


def test_a_completed_charge_is_read_into_a_typed_authorisation(client, paysafe):
    body = {
        "id": "a9",
        "status": "COMPLETED",
        "amount": 2874,
        "merchantRefNum": "ORD-9",
        "settlements": [{"id": "s9", "status": "PENDING", "amount": 2874}],
    }
    paysafe.add(responses.POST, AUTHS, json=body)
    auth = client.authorize(merchant_ref_num="ORD-9", amount_cents=2874, token="t")
    assert (auth.id, auth.reference, auth.status, auth.amount_cents, auth.settlement_id) == (
        "a9",
        "ORD-9",
        AuthStatus.COMPLETED,
        2874,
        "s9",
    )


def test_every_error_is_a_gateway_error(client, paysafe):
    paysafe.add(responses.POST, AUTHS, json={"error": {"code": "5023"}}, status=400)
    with pytest.raises(GatewayError):
        client.authorize(merchant_ref_num="ORD-1", amount_cents=100, token="t")


def test_the_test_gateway_refuses_to_load_with_debug_off(settings):
    settings.DEBUG = False
    sys.modules.pop("app.integrations.test_gateway", None)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        importlib.import_module("app.integrations.test_gateway")


def test_the_test_gateway_refuses_to_run_with_debug_off_even_once_loaded(settings):
    settings.DEBUG = True
    module = importlib.import_module("app.integrations.test_gateway")
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        module.TestGateway()
