"""What can go wrong, in the domain's words. Services raise these; nothing here knows about HTTP.

Each exception carries a message a person can read (translated), a stable machine `code` (one of
`ErrorCode`, the same in every language) and, for `Invalid` and any other that names inputs,
`fields`: `{"field": ["message", ...]}`. `app.core.errors` turns them into status codes and JSON
for the API, and into a message for web pages, from one table.

This module's names are a contract for every app: add to it, never rename or remove.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise
FieldErrors = Mapping[str, Sequence[Message]]


class ErrorCode(StrEnum):
    """Every `code` an error answer can carry. Clients branch on these, never on the words."""

    # The generic code of each kind of error (the exception classes below).
    ERROR = "error"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    IN_USE = "in_use"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    BUSY = "busy"
    PAYMENT_DECLINED = "payment_declined"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PAYMENT_UNAVAILABLE = "payment_unavailable"
    OUTCOME_PENDING = "outcome_pending"
    THROTTLED = "throttled"
    DATABASE_UNAVAILABLE = "database_unavailable"
    # Specific conditions a client may want to tell apart.
    SLOT_FULL = "slot_full"
    ALREADY_RESERVED = "already_reserved"
    NOT_ENOUGH_TICKETS = "not_enough_tickets"
    CANCELLATION_DEADLINE_PASSED = "cancellation_deadline_passed"
    SLOT_STARTED = "slot_started"
    ALREADY_WAITING = "already_waiting"
    WAITLIST_SEAT_AVAILABLE = "waitlist_seat_available"
    WAITLIST_CLOSED = "waitlist_closed"
    MOVE_DEADLINE_PASSED = "move_deadline_passed"
    COUPON_NOT_USABLE = "coupon_not_usable"
    REFUND_PENDING = "refund_pending"
    PAYMENT_BEING_VERIFIED = "payment_being_verified"
    RETREAT_SOLD_OUT = "retreat_sold_out"
    RETREAT_LINK_NOT_OPEN = "retreat_link_not_open"
    RETREAT_OPTION_SOLD_OUT = "retreat_option_sold_out"
    RETREAT_EXCHANGE_CLOSED = "retreat_exchange_closed"
    RETREAT_DATE_NOT_STARTED = "retreat_date_not_started"
    # Refused before any rule ran (DRF, Django and the request guard).
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    PARSE_ERROR = "parse_error"
    BODY_TOO_LARGE = "body_too_large"
    CSRF_FAILED = "csrf_failed"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"


# What each code means, for the schema and docs/architecture.md (kept in step by a test).
ERROR_CODE_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.ERROR: "An expected failure with no more specific code.",
    ErrorCode.INVALID: "The input breaks a rule; `fields` names the inputs at fault when there are any.",
    ErrorCode.NOT_FOUND: "The thing asked for does not exist or is not the caller's to see.",
    ErrorCode.PERMISSION_DENIED: "The caller is known but may not do this.",
    ErrorCode.CONFLICT: "Valid, but clashes with the current state (already done, taken): reload first.",
    ErrorCode.IN_USE: "Cannot be deleted: other records still refer to it.",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: "This Idempotency-Key was already used for a different request.",
    ErrorCode.BUSY: "Another request holds the rows this one needs: retry the same request after `Retry-After`.",
    ErrorCode.PAYMENT_DECLINED: "The card was declined: pay with another card.",
    ErrorCode.PROVIDER_UNAVAILABLE: "An outside provider (e-mail) is not answering; nothing was done, retry later.",
    ErrorCode.PAYMENT_UNAVAILABLE: "The payment provider is not answering or refused the call; nothing was charged.",
    ErrorCode.OUTCOME_PENDING: "The provider may have acted and did not say: do NOT retry, check the order later.",
    ErrorCode.THROTTLED: "Too many attempts: wait (`Retry-After` when known) and try again.",
    ErrorCode.DATABASE_UNAVAILABLE: "The database cannot be reached for a moment: retry after `Retry-After`.",
    ErrorCode.SLOT_FULL: "The time slot has no seat left.",
    ErrorCode.ALREADY_RESERVED: "The member already holds a seat in this time slot.",
    ErrorCode.NOT_ENOUGH_TICKETS: "The member has fewer tickets than this costs: buy tickets first.",
    ErrorCode.CANCELLATION_DEADLINE_PASSED: "Too late to cancel this reservation.",
    ErrorCode.SLOT_STARTED: "The time slot has started (or is over): it can no longer be booked.",
    ErrorCode.ALREADY_WAITING: "The member is already on this time slot's waiting list.",
    ErrorCode.WAITLIST_SEAT_AVAILABLE: "The time slot has a free seat: reserve it instead of joining its waiting list.",
    ErrorCode.WAITLIST_CLOSED: "Offers have stopped for this time slot (it starts soon): freed seats are public.",
    ErrorCode.MOVE_DEADLINE_PASSED: "Too late for the member to move this reservation.",
    ErrorCode.COUPON_NOT_USABLE: "The coupon cannot be used on this basket (unknown, expired, used up, not for it).",
    ErrorCode.REFUND_PENDING: "Another refund of this order is being confirmed with the provider: retry later.",
    ErrorCode.PAYMENT_BEING_VERIFIED: "A payment for this basket is still being verified: do not pay again yet.",
    ErrorCode.RETREAT_SOLD_OUT: "The retreat has no seat left for sale.",
    ErrorCode.RETREAT_LINK_NOT_OPEN: "A virtual retreat's video link is given only shortly before and during a date.",
    ErrorCode.RETREAT_OPTION_SOLD_OUT: "The retreat option has not enough units left for sale.",
    ErrorCode.RETREAT_EXCHANGE_CLOSED: "The retreat's seats can no longer (or never) be exchanged.",
    ErrorCode.RETREAT_DATE_NOT_STARTED: "Attendance is marked only at a retreat date that has started: retry then.",
    ErrorCode.NOT_AUTHENTICATED: "No credentials were sent: log in.",
    ErrorCode.AUTHENTICATION_FAILED: "The credentials sent are wrong or expired: log in again.",
    ErrorCode.METHOD_NOT_ALLOWED: "This address does not answer this HTTP method.",
    ErrorCode.NOT_ACCEPTABLE: "The `Accept` header asks for a format the API does not give.",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "The body's `Content-Type` is not one the API reads (JSON, forms).",
    ErrorCode.PARSE_ERROR: "The body (or a header, a query parameter) could not be read.",
    ErrorCode.BODY_TOO_LARGE: "The request body is larger than the limit.",
    ErrorCode.CSRF_FAILED: "A session-authenticated write came without its CSRF token.",
    ErrorCode.BAD_REQUEST: "The request itself is malformed (e.g. a bad Host header).",
    ErrorCode.SERVER_ERROR: "Our fault: the team has been told.",
}


def error_json(detail: object, code: str, fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The one shape of an error answer: `{"detail": ..., "code": ...}`, plus `fields` when inputs are
    at fault. Here, beside the codes, so that the request guard can answer it without loading DRF."""
    body: dict[str, Any] = {"detail": str(detail), "code": str(code)}
    if fields:
        body["fields"] = dict(fields)
    return body


class DomainError(Exception):
    """Base of every expected failure. `code` is a stable machine-readable name, not a status."""

    default_message: Message = _("The request could not be completed.")
    code: ErrorCode = ErrorCode.ERROR

    def __init__(
        self,
        message: Message | None = None,
        *,
        fields: FieldErrors | None = None,
        data: Mapping[str, object] | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        self.message: Message = message if message is not None else self.default_message
        if code is not None:  # a more specific condition than the class's (e.g. `slot_full` for a Conflict)
            self.code = code
        self.fields: dict[str, list[Message]] = {name: list(errors) for name, errors in (fields or {}).items()}
        # Extra JSON members for the API's answer (e.g. the state of the order a failed payment left).
        self.data: dict[str, object] = dict(data or {})
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """The input breaks a rule; `fields` names the inputs at fault when there are any."""

    default_message = _("Some of the information given is not valid.")
    code = ErrorCode.INVALID


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""

    default_message = _("Not found.")
    code = ErrorCode.NOT_FOUND


class PermissionDenied(DomainError):
    """The caller may not do this."""

    default_message = _("You do not have permission to perform this action.")
    code = ErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    """The request is valid but clashes with the current state (in use, already done, taken)."""

    default_message = _("This conflicts with the current state; reload and try again.")
    code = ErrorCode.CONFLICT


class InUse(Conflict):
    """A record cannot be deleted because others still refer to it."""

    default_message = _("This cannot be deleted because other records still refer to it.")
    code = ErrorCode.IN_USE


class IdempotencyKeyReused(Conflict):
    """An Idempotency-Key already used for a different request."""

    default_message = _("This Idempotency-Key was already used for a different request.")
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class Busy(DomainError):
    """Another request holds the rows this one needs (a lock time-out). Retrying later is safe."""

    default_message = _("Someone else is changing this right now. Please try again in a moment.")
    code = ErrorCode.BUSY


class PaymentDeclined(DomainError):
    """The payment provider refused the payment (card declined, insufficient funds...)."""

    default_message = _("The payment was not approved. Please use another card.")
    code = ErrorCode.PAYMENT_DECLINED


class ProviderUnavailable(DomainError):
    """An outside provider (payments, e-mail) could not be reached or answered nonsense.

    Nothing was done: retrying later is safe.
    """

    default_message = _("A service we depend on is not answering. Please try again in a few minutes.")
    code = ErrorCode.PROVIDER_UNAVAILABLE


class OutcomePending(ProviderUnavailable):
    """The provider may have acted but did not say: do NOT retry; the outcome is being confirmed."""

    default_message = _("We are confirming the outcome with the provider. Do not retry; check back in a few minutes.")
    code = ErrorCode.OUTCOME_PENDING


class PaymentUnavailable(ProviderUnavailable):
    """The payment provider could not be reached or refused the call: nothing was charged."""

    code = ErrorCode.PAYMENT_UNAVAILABLE


class Throttled(DomainError):
    """Too many attempts in a short time."""

    default_message = _("Too many attempts. Please wait a little and try again.")
    code = ErrorCode.THROTTLED


class DatabaseUnavailable(DomainError):
    """The database cannot be reached (restarting, failing over, out of connections): retry shortly."""

    default_message = _("The service is briefly unavailable. Please try again in a few seconds.")
    code = ErrorCode.DATABASE_UNAVAILABLE


class PaymentBeingVerified(Conflict):
    """A payment for this basket is still being verified with the provider: paying again could charge twice."""

    default_message = _(
        "A payment for this basket is still being verified with the payment provider. Do not pay again: "
        "check your order in a minute."
    )
    code = ErrorCode.PAYMENT_BEING_VERIFIED
