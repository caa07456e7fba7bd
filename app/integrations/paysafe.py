"""Paysafe REST API v1 (Customer Vault + Card Payments) over `requests`.

Every call has a timeout (`PAYSAFE_TIMEOUT_SECONDS`) and HTTP basic auth. Every failure is
raised as a `PaysafeError` carrying Paysafe's code, the HTTP status and a message meant for a
member; none of them, nor the logs, ever carry the API user, password or account number (the
account number is part of Card Payments URLs, so URLs are never logged or put in messages).

`uncertain` is True when we cannot know whether Paysafe acted (timeout, connection error,
5xx, a body we cannot read, internal error 1007): the caller must look the payment up by
`merchantRefNum` before doing anything else, and never charge again blindly.
"""

import logging
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Paysafe error codes -> what a member should read. Codes absent here get a generic message.
MESSAGES = {
    "3009": "Your bank declined the payment. Please use another card or contact your bank.",
    "3022": "The card has insufficient funds. Please use another card.",
    "3023": "Your bank declined the payment. Please use another card or contact your bank.",
    "3024": "Your bank declined the payment. Please use another card or contact your bank.",
    "3006": "The card has expired. Please use another card.",
    "3004": "The card's address or postal code did not match. Please check them or use another card.",
    "3007": "The card's address or postal code did not match. Please check them or use another card.",
    "3060": "Your bank requires additional authentication for this payment. Please use another card.",
    "4001": "The payment was refused by our payment provider's risk checks. Please use another card.",
    "4002": "The payment was refused by our payment provider's risk checks. Please use another card.",
    "1007": "The payment provider had an internal error. Please try again later.",
    "3404": "This payment has already been fully refunded.",
    "3406": "This payment has not been settled yet.",
    "5068": "The card details are invalid or have expired. Please enter the card again.",
    "5269": "The payment record was not found.",
    "5500": "This saved card can no longer be used. Please add it again or use another card.",
    "5031": "This transaction has already been processed.",
    "7503": "This card is already saved.",
}
DECLINE_CODES = {"3004", "3006", "3007", "3009", "3022", "3023", "3024", "3060", "4001", "4002"}
# Our configuration is wrong (credentials, permissions, request format): not the member's fault.
CONFIGURATION_CODES = {"5279", "5270", "5023"}
GENERIC_MESSAGE = "The payment could not be processed. Please try again later."
UNAVAILABLE_MESSAGE = "Payments are temporarily unavailable. Please try again later."


class PaysafeError(Exception):
    """A failed Paysafe call. `str()` is safe to show a member and to log."""

    def __init__(self, message, *, code="", status=None, uncertain=False, field_errors=None, links=None):
        super().__init__(message)
        self.message = message
        self.code = str(code or "")
        self.status = status
        self.uncertain = uncertain
        self.field_errors = field_errors or []
        self.links = links or []

    @property
    def is_decline(self):
        return self.code in DECLINE_CODES or (self.status == 402 and not self.uncertain)

    @property
    def is_configuration(self):
        return self.code in CONFIGURATION_CODES or self.status in (401, 403)

    def link(self, rel):
        for item in self.links:
            if isinstance(item, dict) and item.get("rel") == rel:
                return item.get("href", "")
        return ""

    def __repr__(self):
        return f"PaysafeError(code={self.code!r}, status={self.status!r}, uncertain={self.uncertain})"


def cents(amount):
    """Decimal dollars -> integer cents, as Paysafe wants them."""
    return int((amount * 100).to_integral_value())


class PaysafeClient:
    def __init__(self, *, base_url, vault_url, card_url, account, user, password, timeout):
        if not (user and password and account):
            raise ImproperlyConfigured("PAYSAFE_USER, PAYSAFE_PASSWORD and PAYSAFE_ACCOUNT_NUMBER must all be set.")
        self._vault = urljoin(base_url, vault_url)
        self._cards = urljoin(base_url, card_url)
        self._account = account
        self._timeout = timeout
        import requests  # on first use: it is not needed to start the app (cold start)

        self._session = requests.Session()
        self._session.auth = (user, password)
        self._session.headers.update({"Accept": "application/json"})

    @classmethod
    def from_settings(cls):
        return cls(
            base_url=settings.PAYSAFE_BASE_URL,
            vault_url=settings.PAYSAFE_VAULT_URL,
            card_url=settings.PAYSAFE_CARD_URL,
            account=settings.PAYSAFE_ACCOUNT_NUMBER,
            user=settings.PAYSAFE_USER,
            password=settings.PAYSAFE_PASSWORD,
            timeout=settings.PAYSAFE_TIMEOUT_SECONDS,
        )

    def __repr__(self):
        return "PaysafeClient()"  # never the credentials

    # --- transport ---------------------------------------------------------------------
    def _call(self, operation, method, url, *, json=None, params=None, timeout=None):
        """`operation` names the call in logs; the URL never appears (it holds the account number)."""
        import requests

        timeout = self._timeout if timeout is None else min(timeout, self._timeout)
        try:
            response = self._session.request(method, url, json=json, params=params, timeout=timeout)
        except requests.Timeout:
            logger.warning("Paysafe %s timed out", operation)
            raise PaysafeError(UNAVAILABLE_MESSAGE, uncertain=True) from None
        except requests.RequestException as error:
            # str(error) would name the URL: only the type is kept.
            logger.warning("Paysafe %s failed: %s", operation, type(error).__name__)
            raise PaysafeError(UNAVAILABLE_MESSAGE, uncertain=True) from None
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = None
        if response.status_code < 400:
            if not isinstance(body, dict):
                logger.error("Paysafe %s answered %s with a body that is not JSON", operation, response.status_code)
                raise PaysafeError(GENERIC_MESSAGE, status=response.status_code, uncertain=True)
            return body
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or response.headers.get("X-Application-Status-Code") or "")
        uncertain = response.status_code >= 500 or code == "1007" or (body is None and response.status_code != 404)
        if code in CONFIGURATION_CODES or response.status_code in (401, 403):
            message = UNAVAILABLE_MESSAGE
        else:
            message = MESSAGES.get(code, UNAVAILABLE_MESSAGE if uncertain else GENERIC_MESSAGE)
        logger.warning("Paysafe %s refused: HTTP %s, code %s", operation, response.status_code, code or "none")
        raise PaysafeError(
            message,
            code=code,
            status=response.status_code,
            uncertain=uncertain,
            field_errors=error.get("fieldErrors") or [],
            links=error.get("links") or [],
        )

    def _auths_url(self, suffix=""):
        return f"{self._cards}accounts/{self._account}/auths{suffix}"

    def _settlements_url(self, suffix=""):
        return f"{self._cards}accounts/{self._account}/settlements{suffix}"

    # --- Customer Vault ----------------------------------------------------------------
    def create_profile(self, *, merchant_customer_id, first_name, last_name, email, phone=""):
        payload = {
            "merchantCustomerId": merchant_customer_id,
            "locale": "en_US",
            "firstName": first_name,
            "lastName": last_name,
            "email": email,
        }
        if phone:
            payload["phone"] = phone
        return self._call("create profile", "POST", f"{self._vault}profiles", json=payload)

    def find_profile(self, merchant_customer_id):
        """The profile created earlier with this merchantCustomerId (after a 7505)."""
        return self._call(
            "find profile", "GET", f"{self._vault}profiles", params={"merchantCustomerId": merchant_customer_id}
        )

    def add_card(self, profile_id, single_use_token):
        return self._call(
            "add card", "POST", f"{self._vault}profiles/{profile_id}/cards", json={"singleUseToken": single_use_token}
        )

    def get_card(self, profile_id, card_id):
        return self._call("get card", "GET", f"{self._vault}profiles/{profile_id}/cards/{card_id}")

    def list_cards(self, profile_id):
        body = self._call("list cards", "GET", f"{self._vault}profiles/{profile_id}", params={"fields": "cards"})
        return body.get("cards") or []

    def delete_card(self, profile_id, card_id):
        return self._call("delete card", "DELETE", f"{self._vault}profiles/{profile_id}/cards/{card_id}")

    # --- Card Payments -----------------------------------------------------------------
    def authorize(self, *, merchant_ref_num, amount_cents, token):
        """Charge `token` (a saved card's payment token or a Paysafe.js single-use token) and settle."""
        payload = {
            "merchantRefNum": merchant_ref_num,
            "amount": amount_cents,
            "settleWithAuth": True,
            "card": {"paymentToken": token},
        }
        return self._call("authorization", "POST", self._auths_url(), json=payload)

    def find_auths(self, merchant_ref_num, *, timeout=None):
        body = self._call(
            "authorization lookup",
            "GET",
            self._auths_url(),
            params={"merchantRefNum": merchant_ref_num},
            timeout=timeout,
        )
        auths = body.get("auths") or []
        return [auth for auth in auths if isinstance(auth, dict)]

    def void_auth(self, auth_id, *, merchant_ref_num, amount_cents):
        payload = {"merchantRefNum": merchant_ref_num, "amount": amount_cents}
        return self._call("void", "POST", self._auths_url(f"/{auth_id}/voidauths"), json=payload)

    def refund_settlement(self, settlement_id, *, merchant_ref_num, amount_cents):
        payload = {"merchantRefNum": merchant_ref_num, "amount": amount_cents}
        return self._call("refund", "POST", self._settlements_url(f"/{settlement_id}/refunds"), json=payload)

    def cancel_settlement(self, settlement_id):
        return self._call(
            "cancel settlement", "PUT", self._settlements_url(f"/{settlement_id}"), json={"status": "CANCELLED"}
        )


def get_gateway():
    """The Paysafe client, or the built-in test gateway for a local run without credentials."""
    if settings.DEBUG and not settings.PAYSAFE_USER:
        from app.integrations.test_gateway import TestGateway  # refuses to load with DEBUG off

        return TestGateway()
    if not (settings.PAYSAFE_USER and settings.PAYSAFE_PASSWORD and settings.PAYSAFE_ACCOUNT_NUMBER):
        logger.error("Paysafe is not configured: PAYSAFE_USER, PAYSAFE_PASSWORD or PAYSAFE_ACCOUNT_NUMBER is empty")
        raise PaysafeError(UNAVAILABLE_MESSAGE, code="not-configured", status=None)
    return PaysafeClient.from_settings()
