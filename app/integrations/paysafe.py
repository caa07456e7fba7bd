"""Paysafe REST API v1 (Customer Vault + Card Payments) over `requests`: a `PaymentGateway`.

Every call has a timeout (`PAYSAFE_TIMEOUT_SECONDS`) and HTTP basic auth. Paysafe's JSON and error
codes stay in this module: answers leave it as the dataclasses of `app.integrations.payments`,
failures as its `GatewayError` subclasses. None of them, nor the logs, ever carry the API user,
password or account number (the account number is part of Card Payments URLs, so URLs are never
logged or put in messages).

A timeout, connection error, 5xx, unreadable body or internal error 1007 is `OutcomeUnknown`: the
caller must look the payment up by `merchantRefNum` before doing anything else.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from app.integrations.payments import (
    AlreadyRefunded,
    Authorisation,
    AuthStatus,
    CardAlreadySaved,
    CardDeclined,
    DeclineReason,
    GatewayError,
    GatewayRefused,
    GatewayUnavailable,
    InvalidToken,
    NotSettledYet,
    OutcomeUnknown,
    ProfileAlreadyExists,
    RecordNotFound,
    Refund,
    Settlement,
    UnusableSavedCard,
    VaultCard,
    VaultProfile,
)

if TYPE_CHECKING:
    import requests

logger = logging.getLogger(__name__)

Json = dict[str, Any]

DECLINES = {
    "3009": DeclineReason.BANK,
    "3023": DeclineReason.BANK,
    "3024": DeclineReason.BANK,
    "3022": DeclineReason.INSUFFICIENT_FUNDS,
    "3006": DeclineReason.EXPIRED_CARD,
    "3004": DeclineReason.ADDRESS_CHECK,
    "3007": DeclineReason.ADDRESS_CHECK,
    "3060": DeclineReason.AUTHENTICATION_REQUIRED,
    "4001": DeclineReason.RISK,
    "4002": DeclineReason.RISK,
}
# Our configuration is wrong (credentials, permissions, request format): not the member's fault.
CONFIGURATION_CODES = {"5279", "5270", "5023"}
# Codes that name one condition the store acts on.
ERRORS_BY_CODE: dict[str, type[GatewayError]] = {
    "5068": InvalidToken,
    "5500": UnusableSavedCard,
    "3404": AlreadyRefunded,
    "3406": NotSettledYet,
    "5269": RecordNotFound,
    "7505": ProfileAlreadyExists,
}
IN_PROGRESS_STATUSES = {"RECEIVED", "PENDING", "HELD"}


def _error_for(status: int, body: Json | None, code: str) -> GatewayError:
    """The typed error for a refusal (HTTP status >= 400) whose outcome is known."""
    if code in CONFIGURATION_CODES or status in (401, 403):
        return GatewayUnavailable(code=code, status=status)
    if code in DECLINES or status == 402:
        return CardDeclined(DECLINES.get(code, DeclineReason.BANK), code=code, status=status)
    if code == "7503":
        error = (body or {}).get("error") or {}
        return CardAlreadySaved(_existing_card_id(error.get("links")), code=code, status=status)
    if code in ERRORS_BY_CODE:
        return ERRORS_BY_CODE[code](code=code, status=status)
    if status == 404:
        return RecordNotFound(code=code, status=status)
    return GatewayRefused(code=code, status=status)


def _existing_card_id(links: object) -> str:
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "existing_entity":
            return str(link.get("href", "")).rstrip("/").rpartition("/")[2]
    return ""


def _authorisation(body: Json) -> Authorisation:
    status = str(body.get("status", "")).upper()
    settlements = body.get("settlements") or []
    first_settlement = settlements[0] if settlements and isinstance(settlements[0], dict) else {}
    amount = body.get("amount")
    card = body.get("card")
    if not isinstance(card, dict):
        card = {}
    return Authorisation(
        id=str(body.get("id", "")),
        reference=str(body.get("merchantRefNum", "")),
        status=AuthStatus.COMPLETED
        if status == "COMPLETED"
        else AuthStatus.IN_PROGRESS
        if status in IN_PROGRESS_STATUSES
        else AuthStatus.FAILED,
        amount_cents=amount if isinstance(amount, int) else None,
        settlement_id=str(first_settlement.get("id", "")),
        card_type=str(card.get("type", ""))[:20],
        last_digits=str(card.get("lastDigits", ""))[-4:],
    )


def _required_id(body: Json, operation: str) -> str:
    if not body.get("id"):
        logger.error("Paysafe %s answered without an id", operation)
        raise OutcomeUnknown()
    return str(body["id"])


def _card(body: Json, operation: str) -> VaultCard:
    if not body.get("paymentToken"):
        logger.error("Paysafe %s answered without a payment token", operation)
        raise OutcomeUnknown()
    expiry = body.get("cardExpiry")
    month, year = (expiry.get("month"), expiry.get("year")) if isinstance(expiry, dict) else (None, None)
    return VaultCard(
        id=_required_id(body, operation),
        payment_token=str(body["paymentToken"]),
        card_type=str(body.get("cardType", ""))[:20],
        last_digits=str(body.get("lastDigits", ""))[-4:],
        expiry_month=month if isinstance(month, int) else None,
        expiry_year=year if isinstance(year, int) else None,
    )


class PaysafeClient:
    def __init__(
        self,
        *,
        base_url: str,
        vault_url: str,
        card_url: str,
        account: str,
        user: str,
        password: str,
        timeout: float,
    ) -> None:
        if not (user and password and account):
            raise ImproperlyConfigured("PAYSAFE_USER, PAYSAFE_PASSWORD and PAYSAFE_ACCOUNT_NUMBER must all be set.")
        self._vault = urljoin(base_url, vault_url)
        self._cards = urljoin(base_url, card_url)
        self._account = account
        self._timeout = timeout
        import requests  # on first use: it is not needed to start the app (cold start)

        self._session: requests.Session = requests.Session()
        self._session.auth = (user, password)
        self._session.headers.update({"Accept": "application/json"})

    @classmethod
    def from_settings(cls) -> PaysafeClient:
        """The client from settings; `ImproperlyConfigured` without credentials."""
        return cls(
            base_url=settings.PAYSAFE_BASE_URL,
            vault_url=settings.PAYSAFE_VAULT_URL,
            card_url=settings.PAYSAFE_CARD_URL,
            account=settings.PAYSAFE_ACCOUNT_NUMBER,
            user=settings.PAYSAFE_USER,
            password=settings.PAYSAFE_PASSWORD,
            timeout=settings.PAYSAFE_TIMEOUT_SECONDS,
        )

    def __repr__(self) -> str:
        return "PaysafeClient()"  # never the credentials

    # --- transport ---------------------------------------------------------------------
    def _call(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        json: Json | None = None,
        params: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Json:
        """`operation` names the call in logs; the URL never appears (it holds the account number)."""
        import requests

        timeout = self._timeout if timeout is None else min(timeout, self._timeout)
        try:
            response = self._session.request(method, url, json=json, params=params, timeout=timeout)
        except requests.Timeout:
            logger.warning("Paysafe %s timed out", operation)
            raise OutcomeUnknown() from None
        except requests.RequestException as error:
            # str(error) would name the URL: only the type is kept.
            logger.warning("Paysafe %s failed: %s", operation, type(error).__name__)
            raise OutcomeUnknown() from None
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        status = response.status_code
        if status < 400:
            if not isinstance(body, dict):
                logger.error("Paysafe %s answered %s with a body that is not JSON", operation, status)
                raise OutcomeUnknown(status=status)
            return body
        details = body.get("error") if isinstance(body, dict) else None
        details = details if isinstance(details, dict) else {}
        code = str(details.get("code") or response.headers.get("X-Application-Status-Code") or "")
        logger.warning("Paysafe %s refused: HTTP %s, code %s", operation, status, code or "none")
        if status >= 500 or code == "1007" or (body is None and status != 404 and code not in DECLINES):
            raise OutcomeUnknown(code=code, status=status)
        raise _error_for(status, body if isinstance(body, dict) else None, code)

    def _auths_url(self, suffix: str = "") -> str:
        return f"{self._cards}accounts/{self._account}/auths{suffix}"

    def _settlements_url(self, suffix: str = "") -> str:
        return f"{self._cards}accounts/{self._account}/settlements{suffix}"

    # --- Customer Vault ----------------------------------------------------------------
    def create_profile(
        self, *, merchant_customer_id: str, first_name: str, last_name: str, email: str, phone: str = ""
    ) -> VaultProfile:
        payload = {
            "merchantCustomerId": merchant_customer_id,
            "locale": "en_US",
            "firstName": first_name,
            "lastName": last_name,
            "email": email,
        }
        if phone:
            payload["phone"] = phone
        body = self._call("create profile", "POST", f"{self._vault}profiles", json=payload)
        return VaultProfile(id=_required_id(body, "create profile"))

    def find_profile(self, merchant_customer_id: str) -> VaultProfile:
        """The profile created earlier with this merchantCustomerId (after `ProfileAlreadyExists`)."""
        body = self._call(
            "find profile", "GET", f"{self._vault}profiles", params={"merchantCustomerId": merchant_customer_id}
        )
        return VaultProfile(id=_required_id(body, "find profile"))

    def add_card(self, profile_id: str, single_use_token: str) -> VaultCard:
        body = self._call(
            "add card", "POST", f"{self._vault}profiles/{profile_id}/cards", json={"singleUseToken": single_use_token}
        )
        return _card(body, "add card")

    def get_card(self, profile_id: str, card_id: str) -> VaultCard:
        return _card(self._call("get card", "GET", f"{self._vault}profiles/{profile_id}/cards/{card_id}"), "get card")

    def list_cards(self, profile_id: str) -> list[VaultCard]:
        body = self._call("list cards", "GET", f"{self._vault}profiles/{profile_id}", params={"fields": "cards"})
        return [_card(card, "list cards") for card in body.get("cards") or [] if isinstance(card, dict)]

    def delete_card(self, profile_id: str, card_id: str) -> None:
        self._call("delete card", "DELETE", f"{self._vault}profiles/{profile_id}/cards/{card_id}")

    # --- Card Payments -----------------------------------------------------------------
    def authorize(self, *, merchant_ref_num: str, amount_cents: int, token: str) -> Authorisation:
        """Charge `token` (a saved card's payment token or a Paysafe.js single-use token) and settle."""
        payload = {
            "merchantRefNum": merchant_ref_num,
            "amount": amount_cents,
            "settleWithAuth": True,
            "card": {"paymentToken": token},
        }
        return _authorisation(self._call("authorization", "POST", self._auths_url(), json=payload))

    def find_auths(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Authorisation]:
        body = self._call(
            "authorization lookup",
            "GET",
            self._auths_url(),
            params={"merchantRefNum": merchant_ref_num},
            timeout=timeout,
        )
        auths = body.get("auths") or []
        return [_authorisation(auth) for auth in auths if isinstance(auth, dict)]

    def void_auth(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund:
        payload = {"merchantRefNum": merchant_ref_num, "amount": amount_cents}
        body = self._call("void", "POST", self._auths_url(f"/{auth_id}/voidauths"), json=payload)
        return Refund(id=_required_id(body, "void"))

    def refund_settlement(self, settlement_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund:
        payload = {"merchantRefNum": merchant_ref_num, "amount": amount_cents}
        body = self._call("refund", "POST", self._settlements_url(f"/{settlement_id}/refunds"), json=payload)
        return Refund(id=_required_id(body, "refund"))

    def settle(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Settlement:
        payload = {"merchantRefNum": merchant_ref_num, "amount": amount_cents}
        body = self._call("settlement", "POST", self._auths_url(f"/{auth_id}/settlements"), json=payload)
        return Settlement(id=_required_id(body, "settlement"), status=str(body.get("status", "")))

    def find_refunds(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Refund]:
        url = f"{self._cards}accounts/{self._account}/refunds"
        body = self._call("refund lookup", "GET", url, params={"merchantRefNum": merchant_ref_num}, timeout=timeout)
        refunds = body.get("refunds") or []
        return [
            Refund(id=str(refund["id"]))
            for refund in refunds
            if isinstance(refund, dict) and refund.get("id") and refund.get("status") not in ("FAILED", "CANCELLED")
        ]

    def cancel_settlement(self, settlement_id: str) -> Settlement:
        body = self._call(
            "cancel settlement", "PUT", self._settlements_url(f"/{settlement_id}"), json={"status": "CANCELLED"}
        )
        return Settlement(id=str(body.get("id") or settlement_id), status=str(body.get("status", "")))
