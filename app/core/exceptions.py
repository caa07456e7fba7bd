"""What can go wrong, in the domain's words. Services raise these; nothing here knows about HTTP.

Each exception carries a message a person can read (translated) and, for `Invalid` and any other
that names inputs, `fields`: `{"field": ["message", ...]}`. `app.core.errors` turns them into
status codes and JSON for the API, and into a message for web pages, from one table.

This module's names are a contract for every app: add to it, never rename or remove.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise
FieldErrors = Mapping[str, Sequence[Message]]


class DomainError(Exception):
    """Base of every expected failure. `code` is a stable machine-readable name, not a status."""

    default_message: Message = _("The request could not be completed.")
    code: str = "error"

    def __init__(
        self,
        message: Message | None = None,
        *,
        fields: FieldErrors | None = None,
        data: Mapping[str, object] | None = None,
    ) -> None:
        self.message: Message = message if message is not None else self.default_message
        self.fields: dict[str, list[Message]] = {name: list(errors) for name, errors in (fields or {}).items()}
        # Extra JSON members for the API's answer (e.g. the state of the order a failed payment left).
        self.data: dict[str, object] = dict(data or {})
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """The input breaks a rule; `fields` names the inputs at fault when there are any."""

    default_message = _("Some of the information given is not valid.")
    code = "invalid"


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""

    default_message = _("Not found.")
    code = "not_found"


class PermissionDenied(DomainError):
    """The caller may not do this."""

    default_message = _("You do not have permission to perform this action.")
    code = "permission_denied"


class Conflict(DomainError):
    """The request is valid but clashes with the current state (in use, already done, taken)."""

    default_message = _("This conflicts with the current state; reload and try again.")
    code = "conflict"


class InUse(Conflict):
    """A record cannot be deleted because others still refer to it."""

    default_message = _("This cannot be deleted because other records still refer to it.")
    code = "in_use"


class IdempotencyKeyReused(Conflict):
    """An Idempotency-Key already used for a different request."""

    default_message = _("This Idempotency-Key was already used for a different request.")
    code = "idempotency_key_reused"


class Busy(DomainError):
    """Another request holds the rows this one needs (a lock time-out). Retrying later is safe."""

    default_message = _("Someone else is changing this right now. Please try again in a moment.")
    code = "busy"


class PaymentDeclined(DomainError):
    """The payment provider refused the payment (card declined, insufficient funds...)."""

    default_message = _("The payment was not approved. Please use another card.")
    code = "payment_declined"


class ProviderUnavailable(DomainError):
    """An outside provider (payments, e-mail) could not be reached or answered nonsense.

    Nothing was done: retrying later is safe.
    """

    default_message = _("A service we depend on is not answering. Please try again in a few minutes.")
    code = "provider_unavailable"


class OutcomePending(ProviderUnavailable):
    """The provider may have acted but did not say: do NOT retry; the outcome is being confirmed."""

    default_message = _("We are confirming the outcome with the provider. Do not retry; check back in a few minutes.")
    code = "outcome_pending"


class Throttled(DomainError):
    """Too many attempts in a short time."""

    default_message = _("Too many attempts. Please wait a little and try again.")
    code = "throttled"


class DatabaseUnavailable(DomainError):
    """The database cannot be reached (restarting, failing over, out of connections): retry shortly."""

    default_message = _("The service is briefly unavailable. Please try again in a few seconds.")
    code = "database_unavailable"


class PaymentBeingVerified(Conflict):
    """A payment for this basket is still being verified with the provider: paying again could charge twice."""

    default_message = _(
        "A payment for this basket is still being verified with the payment provider. Do not pay again: "
        "check your order in a minute."
    )
    code = "payment_being_verified"
