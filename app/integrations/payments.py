"""The payment boundary: what the store may ask a card gateway, and the typed answers it gets.

Two gateways implement `PaymentGateway`: `app.integrations.paysafe.PaysafeClient` (Paysafe's REST
API v1) and `app.integrations.test_gateway.TestGateway` (local runs, refuses to load with DEBUG
off). `settings.PAYMENT_GATEWAY` ("paysafe" or "test") selects one; `get_gateway()` builds it.

Nothing outside a gateway module ever sees a provider's JSON or error codes: answers are the
dataclasses below, failures the `GatewayError` subclasses. Each error's `message` is meant for a
member (translated) and never carries a credential; `code` is the provider's code, kept only to be
stored on the order for staff.
"""

from __future__ import annotations

import enum
import importlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

Message = str | Promise

GATEWAYS = {
    "paysafe": "app.integrations.paysafe.PaysafeClient",
    "test": "app.integrations.test_gateway.TestGateway",
}

UNAVAILABLE_MESSAGE = _("Payments are temporarily unavailable. Please try again later.")
GENERIC_MESSAGE = _("The payment could not be processed. Please try again later.")


# --- answers -----------------------------------------------------------------------------------
class AuthStatus(enum.Enum):
    COMPLETED = "completed"  # approved and settled with the authorisation
    IN_PROGRESS = "in_progress"  # received, pending or held: the outcome will come later
    FAILED = "failed"  # declined, cancelled or any other end without a charge


@dataclass(frozen=True)
class Authorisation:
    """A charge (authorisation settled at once). `amount_cents` is None when the gateway omits it."""

    id: str
    reference: str
    status: AuthStatus
    amount_cents: int | None
    settlement_id: str = ""
    # The card charged, as the gateway reports it ("VI", "1111"): shown on the receipt.
    card_type: str = ""
    last_digits: str = ""


@dataclass(frozen=True)
class Refund:
    """Money given back: a refund of a settlement, or the void of an unsettled authorisation."""

    id: str


@dataclass(frozen=True)
class Settlement:
    id: str
    status: str


@dataclass(frozen=True)
class VaultProfile:
    """A customer's profile in the gateway's card vault."""

    id: str


@dataclass(frozen=True)
class VaultCard:
    """A card saved in the vault: a permanent payment token and what a member may be shown."""

    id: str
    payment_token: str
    card_type: str = ""
    last_digits: str = ""
    expiry_month: int | None = None
    expiry_year: int | None = None


# --- failures ----------------------------------------------------------------------------------
class GatewayError(Exception):
    """A failed gateway call. `str()` is safe to show a member and to log."""

    default_message: Message = GENERIC_MESSAGE

    def __init__(self, message: Message | None = None, *, code: str = "", status: int | None = None) -> None:
        self.message: Message = message if message is not None else self.default_message
        self.code = str(code or "")
        self.status = status
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r})"


class OutcomeUnknown(GatewayError):
    """Timeout, connection error, 5xx or unreadable answer: the gateway may have acted. Look the
    payment up by its reference before anything else; never charge again blindly."""

    default_message = UNAVAILABLE_MESSAGE


class GatewayUnavailable(GatewayError):
    """Not configured, or our credentials/permissions refused: nothing was done, not the member's fault."""

    default_message = UNAVAILABLE_MESSAGE


class DeclineReason(enum.Enum):
    BANK = "bank"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED_CARD = "expired_card"
    ADDRESS_CHECK = "address_check"
    AUTHENTICATION_REQUIRED = "authentication_required"
    RISK = "risk"


DECLINE_MESSAGES: dict[DeclineReason, Message] = {
    DeclineReason.BANK: _("Your bank declined the payment. Please use another card or contact your bank."),
    DeclineReason.INSUFFICIENT_FUNDS: _("The card has insufficient funds. Please use another card."),
    DeclineReason.EXPIRED_CARD: _("The card has expired. Please use another card."),
    DeclineReason.ADDRESS_CHECK: _(
        "The card's address or postal code did not match. Please check them or use another card."
    ),
    DeclineReason.AUTHENTICATION_REQUIRED: _(
        "Your bank requires additional authentication for this payment. Please use another card."
    ),
    DeclineReason.RISK: _("The payment was refused by our payment provider's risk checks. Please use another card."),
}


class CardDeclined(GatewayError):
    """The bank or the gateway's risk checks refused the charge."""

    def __init__(
        self, reason: DeclineReason = DeclineReason.BANK, *, code: str = "", status: int | None = None
    ) -> None:
        self.reason = reason
        super().__init__(DECLINE_MESSAGES[reason], code=code, status=status)


class InvalidToken(GatewayError):
    """The single-use token is unknown or expired."""

    default_message = _("The card details are invalid or have expired. Please enter the card again.")


class UnusableSavedCard(GatewayError):
    """A saved card's payment token is no longer accepted."""

    default_message = _("This saved card can no longer be used. Please add it again or use another card.")


class RecordNotFound(GatewayError):
    default_message = _("The payment record was not found.")


class AlreadyRefunded(GatewayError):
    """The settlement was already refunded in full (an earlier attempt went through)."""

    default_message = _("This payment has already been fully refunded.")


class NotSettledYet(GatewayError):
    """The settlement is not batched yet: it cannot be refunded, only cancelled."""

    default_message = _("This payment has not been settled yet.")


class CardAlreadySaved(GatewayError):
    """The vault holds this card already; `card_id` names it ("" when the gateway did not say)."""

    default_message = _("This card is already saved.")

    def __init__(self, card_id: str = "", *, code: str = "", status: int | None = None) -> None:
        self.card_id = card_id
        super().__init__(code=code, status=status)


class ProfileAlreadyExists(GatewayError):
    """A profile with this merchant customer id exists (created by an earlier, unrecorded attempt)."""


class GatewayRefused(GatewayError):
    """Any other refusal: the request was not carried out."""


# --- the interface -----------------------------------------------------------------------------
class PaymentGateway(Protocol):
    """What the store asks of a card gateway. Amounts are integer cents; every failure is a
    `GatewayError`."""

    def authorize(self, *, merchant_ref_num: str, amount_cents: int, token: str) -> Authorisation:
        """Charge `token` (a single-use token or a saved card's payment token) and settle at once."""
        ...

    def find_auths(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Authorisation]:
        """Every authorisation made with this reference (after an unknown outcome)."""
        ...

    def void_auth(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund: ...

    def refund_settlement(self, settlement_id: str, *, merchant_ref_num: str, amount_cents: int) -> Refund: ...

    def cancel_settlement(self, settlement_id: str) -> Settlement: ...

    def settle(self, auth_id: str, *, merchant_ref_num: str, amount_cents: int) -> Settlement:
        """Settle (part of) an authorisation again, e.g. what is left after cancelling its settlement."""
        ...

    def find_refunds(self, merchant_ref_num: str, *, timeout: float | None = None) -> list[Refund]:
        """Refunds made with `merchant_ref_num`: how a refund whose answer was lost is found again."""
        ...

    def create_profile(
        self, *, merchant_customer_id: str, first_name: str, last_name: str, email: str, phone: str = ""
    ) -> VaultProfile: ...

    def find_profile(self, merchant_customer_id: str) -> VaultProfile: ...

    def add_card(self, profile_id: str, single_use_token: str) -> VaultCard: ...

    def get_card(self, profile_id: str, card_id: str) -> VaultCard: ...

    def list_cards(self, profile_id: str) -> list[VaultCard]: ...

    def delete_card(self, profile_id: str, card_id: str) -> None: ...


def cents(amount: Decimal) -> int:
    """Decimal dollars -> integer cents, as gateways want them."""
    return int((amount * 100).to_integral_value())


def uses_test_gateway() -> bool:
    """Whether payments go to the built-in test gateway (a local run): it only loads with DEBUG on."""
    return bool(settings.PAYMENT_GATEWAY == "test" and settings.DEBUG)


def get_gateway() -> PaymentGateway:
    """The gateway `settings.PAYMENT_GATEWAY` names. Raises `GatewayUnavailable` when it cannot work."""
    name = settings.PAYMENT_GATEWAY
    if name not in GATEWAYS:
        raise ImproperlyConfigured(f"PAYMENT_GATEWAY must be one of {', '.join(sorted(GATEWAYS))}, not {name!r}.")
    module_name, _dot, class_name = GATEWAYS[name].rpartition(".")
    try:
        gateway: PaymentGateway = getattr(importlib.import_module(module_name), class_name).from_settings()
    except ImproperlyConfigured as refusal:
        # Missing credentials, or the test gateway with DEBUG off: no payment, never a fake one.
        # The message names settings, never their values.
        logger.error("The %s payment gateway refused to load: %s", name, refusal)
        raise GatewayUnavailable(code="not-configured") from None
    return gateway
